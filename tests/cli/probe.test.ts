// `heapscope probe` against the real OpenOCD 0.12 driving the simulated JTAG target (run
// `npm run build` first: the CLI loads dist/). The simulator runs in this process, so the CLI
// is started asynchronously.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenOcd, SIM_TARGET, type OpenOcdPeer } from '../peers/jtag-openocd.js';
import { startJtagSim, type JtagSim } from '../peers/jtag-remote-bitbang.js';
import { freePort } from '../peers/process.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function heapscope(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/heapscope.js', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The test itself (not heapscope) halts the target through OpenOCD, as a user at the telnet prompt would. */
function tcl(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(command + '\x1a'));
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.endsWith('\x1a')) {
        s.destroy();
        resolve(buf.slice(0, -1));
      }
    });
    s.on('error', reject);
  });
}

describe('heapscope probe openocd://', () => {
  let sim: JtagSim;
  let ocd: OpenOcdPeer;
  beforeAll(async () => {
    sim = await startJtagSim();
    ocd = await startOpenOcd(sim.port);
  });
  afterAll(async () => {
    await ocd?.stop();
    await sim?.close();
  });

  it('prints server, target, state, non-halting, max block and 4 B / 1 KiB read figures as JSON', async () => {
    const r = await heapscope('probe', `openocd://127.0.0.1:${ocd.tclPort}`, '--json', '--seconds', '0.4', '--timeout', '20000');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.server).toMatch(/Open On-Chip Debugger 0\.1\d/);
    expect(report.target).toBe(SIM_TARGET);
    expect(report.targetState).toBe('running');
    expect(report.nonHalting).toBe(true);
    expect(report.maxBlockBytes).toBe(4096);
    expect(report.measurements.map((m: { bytes: number }) => m.bytes)).toEqual([4, 1024]);
    for (const m of report.measurements) {
      expect(m.reads).toBeGreaterThan(0);
      expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
    }
  });

  it('prints a readable summary naming the target and the read figures', async () => {
    const r = await heapscope('probe', `openocd://127.0.0.1:${ocd.tclPort}?target=${SIM_TARGET}`, '--seconds', '0.3', '--timeout', '20000');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/server\s+Open On-Chip Debugger/);
    expect(r.stdout).toMatch(new RegExp(`target\\s+${SIM_TARGET.replace('.', '\\.')} \\(mem_ap\\), running`));
    expect(r.stdout).toMatch(/reads\s+non-halting/);
    expect(r.stdout).toMatch(/4 B read\s+[\d.]+\/s\s+p50 [\d.]+ ms\s+p99 [\d.]+ ms/);
    expect(r.stdout).toMatch(/1 KiB read\s+[\d.]+\/s/);
  });

  it('names an address that is not readable and suggests --address', async () => {
    const r = await heapscope('probe', `openocd://127.0.0.1:${ocd.tclPort}`, '--address', '0x60000000', '--seconds', '0.2', '--timeout', '20000');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/0x60000000.*--address/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("says the GDB port is not OpenOCD's TCL port", async () => {
    const r = await heapscope('probe', `openocd://127.0.0.1:${ocd.gdbPort}`, '--seconds', '0.2', '--timeout', '1500');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not OpenOCD's TCL port/);
    expect(r.stderr).toContain(`127.0.0.1:${ocd.gdbPort}`);
  });

  it('reports a target halted by someone else and keeps reading', async () => {
    await tcl(ocd.tclPort, `${SIM_TARGET} arp_halt`);
    try {
      const r = await heapscope('probe', `openocd://127.0.0.1:${ocd.tclPort}`, '--seconds', '0.2', '--timeout', '20000');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/halted \(not by heapscope/);
      expect(r.stdout).toMatch(/4 B read/);
    } finally {
      await tcl(ocd.tclPort, `${SIM_TARGET} arp_poll`);
      await tcl(ocd.tclPort, `${SIM_TARGET} resume`);
    }
  });
});

describe('heapscope probe failures', () => {
  it('says to start openocd and names the TCL port when nothing listens', async () => {
    const port = await freePort();
    const r = await heapscope('probe', `openocd://127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`nothing listening on 127.0.0.1:${port}: is openocd running?`);
    expect(r.stderr).toMatch(/openocd -f interface\/.* -f target\/.*the TCL port is 6666/);
  });

  it('rejects a malformed URL as a usage error', async () => {
    const r = await heapscope('probe', 'openocd:127.0.0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad probe URL/);
  });
});
