// Test peer: an ELF running on rp2040js behind rp2040js's own GDB TCP server (GDBTCPServer), the
// real third-party RSP server that answers `m` reads while the core runs.
//   node dist/tests/peers/rp2040-gdb-server.js --elf fw.elf --port N [--speed S]
// Prints "listening <port>" once the port accepts connections. Stops on SIGTERM / SIGINT.
import { parseArgs } from 'node:util';
import { GDBTCPServer } from 'rp2040js/gdb-tcp-server';
import { ConsoleLogger, LogLevel } from 'rp2040js';
import type { Server } from 'node:net';
import { loadFirmwareImage } from '../../src/probe/sim/firmware-image.js';
import { SimRunner } from '../../src/probe/sim/runner.js';
import { bundledFirmware } from '../../src/probe/sim/bundled.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      elf: { type: 'string' },
      port: { type: 'string', default: '3333' },
      speed: { type: 'string', default: '1' },
    },
  });
  const port = Number(values.port);
  const speed = Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  if (!(speed > 0)) throw new Error(`bad --speed ${values.speed}`);
  const elf = values.elf ?? bundledFirmware('leak', 'm0plus');

  const runner = new SimRunner(loadFirmwareImage(elf), {
    speed,
    onFailure: (err) => process.stderr.write(`core stopped: ${err.message}\n`),
  });
  const server = new GDBTCPServer(runner, port);
  server.logger = new ConsoleLogger(LogLevel.Error, false);
  // GDBTCPServer keeps its net.Server private; we need it for "listening" and for errors.
  const sock = (server as unknown as { socketServer: Server }).socketServer;
  sock.once('listening', () => {
    const addr = sock.address();
    process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
  });
  sock.once('error', (err) => {
    process.stderr.write(`rp2040-gdb-server: ${err.message}\n`);
    process.exit(1);
  });
  runner.boot();
  runner.execute();
  const quit = (): void => {
    runner.stop();
    sock.close();
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
}

try {
  main();
} catch (e) {
  process.stderr.write(`rp2040-gdb-server: ${(e as Error).message}\n`);
  process.exit(2);
}
