// Stand-alone JTAG simulator for benchmarks and CLI tests:
//   node dist/tests/peers/jtag-sim-server.js [--port N] [--elf firmware.elf]
// prints "listening N" once OpenOCD can connect with `remote_bitbang port N`.
import { parseArgs } from 'node:util';
import { startJtagSim } from './jtag-remote-bitbang.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, elf: { type: 'string' } },
});
const sim = await startJtagSim({ port: values.port ? Number(values.port) : 0, elfPath: values.elf });
process.stdout.write(`listening ${sim.port}\n`);
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
