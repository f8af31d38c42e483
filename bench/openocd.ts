// OpenOCD read paths side by side, through the real OpenOCD 0.12 driving the JTAG simulator
// (tests/peers/jtag-*.ts) with a running core: for 1, 8 and 64 u32 variables 8 bytes apart,
// heapscope's coalesced read vs one read_memory round trip per variable vs `mdw` per variable,
// and OpenOCD's GDB port (`m` packets) beside the TCL port. Bit-banged JTAG is slow, so absolute
// rates are far below real hardware: read the ratios.
import { connect, type Socket } from 'node:net';
import { openOpenOcd } from '../src/probe/openocd-tcl.js';
import type { MemoryBlock } from '../src/probe/types.js';
import { openProbe } from '../src/probe/url.js';
import { startOpenOcd } from '../tests/peers/jtag-openocd.js';
import { startJtagSim } from '../tests/peers/jtag-remote-bitbang.js';
import { COUNTER_PROGRAM } from '../tests/peers/jtag-target.js';

interface Figures {
  rate: number;
  p50: number;
  p99: number;
}

async function timeIt(fn: () => Promise<unknown>, ms: number): Promise<Figures> {
  const lat: number[] = [];
  const t0 = performance.now();
  do {
    const a = performance.now();
    await fn();
    lat.push(performance.now() - a);
  } while (performance.now() - t0 < ms);
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { rate: lat.length / ((performance.now() - t0) / 1000), p50: pct(0.5), p99: pct(0.99) };
}

/** A bare TCL client for the baselines heapscope itself never sends (`mdw`). */
function rawTcl(sock: Socket): (cmd: string) => Promise<string> {
  return (cmd) =>
    new Promise((resolve) => {
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString('latin1');
        if (buf.endsWith('\x1a')) {
          sock.off('data', onData);
          resolve(buf.slice(0, -1));
        }
      };
      sock.on('data', onData);
      sock.write(cmd + '\x1a');
    });
}

const fmt = (f: Figures) => `${f.rate.toFixed(1).padStart(7)}/s p50 ${f.p50.toFixed(1).padStart(6)} ms p99 ${f.p99.toFixed(1).padStart(6)} ms`;

export async function run(): Promise<void> {
  const sim = await startJtagSim();
  const ocd = await startOpenOcd(sim.port);
  const tcl = await openOpenOcd('127.0.0.1', ocd.tclPort, { timeoutMs: 30_000 });
  const gdb = await openProbe(`gdb://127.0.0.1:${ocd.gdbPort}`, { timeoutMs: 30_000 });
  const sock = connect({ host: '127.0.0.1', port: ocd.tclPort });
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const mdw = rawTcl(sock);
  const ms = 1500;
  try {
    // Warm up JIT, OpenOCD and both connections so the first row is not penalised.
    await timeIt(() => tcl.readBlocks([{ address: COUNTER_PROGRAM.counter, length: 64 }]), 500);
    await timeIt(() => gdb.readBlocks([{ address: COUNTER_PROGRAM.counter, length: 64 }]), 300);
    await timeIt(() => mdw(`mdw 0x${COUNTER_PROGRAM.counter.toString(16)}`), 300);
    for (const n of [1, 8, 64]) {
      const base = COUNTER_PROGRAM.counter;
      const vars: MemoryBlock[] = Array.from({ length: n }, (_, i) => ({ address: base + i * 8, length: 4 }));
      const span: MemoryBlock[] = [{ address: base, length: (n - 1) * 8 + 4 }];
      const coalesced = await timeIt(() => tcl.readBlocks(span), ms);
      const oneTrip = await timeIt(() => tcl.readBlocks(vars), ms);
      const perVar = await timeIt(async () => {
        for (const v of vars) await tcl.readBlocks([v]);
      }, ms);
      const mdwPerVar = await timeIt(async () => {
        for (const v of vars) await mdw(`mdw 0x${v.address.toString(16)}`);
      }, ms);
      const gdbSpan = await timeIt(() => gdb.readBlocks(span), ms);
      const gdbPerVar = await timeIt(() => gdb.readBlocks(vars), ms);
      process.stdout.write(
        `${n} variable(s)\n` +
          `  tcl coalesced (heapscope)        ${fmt(coalesced)}\n` +
          `  tcl N blocks, one round trip     ${fmt(oneTrip)}  coalesced ${(coalesced.rate / oneTrip.rate).toFixed(2)}x\n` +
          `  tcl read_memory per variable     ${fmt(perVar)}  coalesced ${(coalesced.rate / perVar.rate).toFixed(2)}x\n` +
          `  tcl mdw per variable             ${fmt(mdwPerVar)}  coalesced ${(coalesced.rate / mdwPerVar.rate).toFixed(2)}x\n` +
          `  gdb port, coalesced m            ${fmt(gdbSpan)}  tcl/gdb ${(coalesced.rate / gdbSpan.rate).toFixed(2)}x\n` +
          `  gdb port, one m per variable     ${fmt(gdbPerVar)}\n`,
      );
    }
  } finally {
    sock.destroy();
    await gdb.close();
    await tcl.close();
    await ocd.stop();
    await sim.close();
  }
}
