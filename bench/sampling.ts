// Sampling overhead and accuracy, measured side by side in one run:
//  1. A simulated 24 h at 100 Hz x 16 signals through scheduler + tiered series + CSV formatting +
//     buffered file (to /dev/null), against a bare loop producing the same values: CPU per sample and the
//     ratio, peak RSS, RSS after the first simulated hour vs at the end (must stay flat).
//  2. The real clock against real peers, side by side: the built-in sim target (rp2040js in a worker),
//     QEMU mps2-an385 over QMP, and the real OpenOCD over TCL driving the JTAG simulator. For each:
//     achieved rate vs requested at 10 Hz, 100 Hz, 1 kHz and as fast as possible, lateness p50/p99,
//     overruns, CPU per sample, with plain timers and with a 1 ms spin before each due time. A peer
//     whose binary is missing is skipped with the reason printed.
// HEAPSCOPE_BENCH_HOURS shortens part 1 (default 24).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppendFile } from '../src/record/append-file.js';
import { csvFormat } from '../src/record/format.js';
import { realClock, SimulatedClock } from '../src/sample/clock.js';
import { Sampler } from '../src/sample/sampler.js';
import { Scheduler } from '../src/sample/scheduler.js';
import { SeriesStore } from '../src/sample/series.js';
import type { Sample } from '../src/sample/types.js';
import type { MemoryReader } from '../src/probe/types.js';
import { openProbe } from '../src/probe/url.js';
import type { Watch } from '../src/watch/types.js';
import { startOpenOcd, type OpenOcdPeer } from '../tests/peers/jtag-openocd.js';
import { sleep, startPeer } from '../tests/peers/process.js';

const SIGNALS = 16;
const RATE = 100;

function values(k: number, out: number[]): number[] {
  for (let i = 0; i < SIGNALS; i++) out[i] = ((k * (i + 7919)) % 65536) + i;
  return out;
}

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;

async function simulatedDay(hours: number): Promise<void> {
  const ticks = hours * 3600 * RATE;
  // Bare loop: the same values, no scheduling, no storage, no formatting.
  const buf: number[] = new Array(SIGNALS).fill(0);
  let sink = 0;
  let t0 = process.cpuUsage();
  for (let k = 0; k < ticks; k++) sink += values(k, buf)[k % SIGNALS]!;
  const bareUs = cpuUs(t0);

  const names = Array.from({ length: SIGNALS }, (_, i) => `sig${i}`);
  const store = new SeriesStore(names, { rateHz: RATE });
  const file = new AppendFile('/dev/null');
  const clock = new SimulatedClock(0, Date.UTC(2026, 0, 1), 1);
  let rssAfterHour = 0;
  let peakRss = 0;
  let n = 0;
  const row: number[] = new Array(SIGNALS).fill(0);
  const sample: Sample = { t: 0, wallMs: 0, values: row };
  const sched = new Scheduler({
    clock,
    groups: [{ id: '100 Hz', rateHz: RATE }],
    durationMs: hours * 3600 * 1000,
    onTick: (tick) => {
      values(n++, row);
      store.pushRow(tick.t, row);
      sample.t = tick.t;
      sample.wallMs = clock.wallMs();
      file.append(csvFormat.sample(sample));
    },
  });
  t0 = process.cpuUsage();
  sched.start();
  for (let h = 1; h <= hours; h++) {
    await clock.runUntil(h * 3600 * 1000);
    file.flush();
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (h === 1) rssAfterHour = rss;
  }
  await clock.runUntil(hours * 3600 * 1000 + 1);
  const fullUs = cpuUs(t0);
  file.close();
  const st = sched.stats();
  const perBare = (bareUs * 1000) / ticks;
  const perFull = (fullUs * 1000) / ticks;
  process.stdout.write(
    `simulated ${hours} h at ${RATE} Hz x ${SIGNALS} signals: ${st.ticks} ticks (${(fullUs / 1e6).toFixed(1)} s CPU)\n` +
      `  bare loop                         ${perBare.toFixed(0).padStart(6)} ns/sample\n` +
      `  scheduler+series+CSV+file         ${perFull.toFixed(0).padStart(6)} ns/sample  (x${(perFull / perBare).toFixed(1)} of bare; ` +
      `overhead ${((perFull - perBare) / 1000).toFixed(2)} us/sample, goal < 20 us)\n` +
      `  series memory ${mb(store.memoryBytes())} (fixed); RSS after 1 h ${mb(rssAfterHour)}, peak ${mb(peakRss)}, ` +
      `end ${mb(process.memoryUsage().rss)} (goal < 200 MB, flat)\n` +
      `  lateness max ${st.lateness.maxMs} ms, overruns ${st.overruns} (simulated clock: both must be 0)\n`,
  );
  if (sink === 0.5) process.stdout.write('');
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

type Resolve = (expr: string) => import('../src/watch/types.js').Watch;

/** Watches by name from an ELF's DWARF (loaded on demand, like the CLI does). */
async function resolverFor(elfPath: string): Promise<Resolve> {
  const { openElf } = await import('../src/elf/elf.js');
  const { loadDebugInfo } = await import('../src/elf/dwarf/index.js');
  const { resolveWatch } = await import('../src/watch/index.js');
  const e = openElf(elfPath);
  const debug = loadDebugInfo(e);
  return (x) => resolveWatch(debug, e, x);
}

const RATES = [10, 100, 1000, 100_000]; // 100 kHz stands for "as fast as possible"

/**
 * Achieved rate vs requested, lateness p50/p99, overruns and CPU per sample for one open reader, with
 * plain timers and with a 1 ms spin before each due time. CPU is this process's only (user + system):
 * for the sim it includes the emulator's worker thread; QEMU and OpenOCD run in their own processes.
 */
async function rateTable(reader: MemoryReader, watches: readonly Watch[], seconds: number): Promise<void> {
  process.stdout.write(
    `  requested   timer    achieved    ratio   lateness p50   p99        overruns  late-skip  CPU/sample\n`,
  );
  for (const spinMs of [0, 1]) {
    for (const rate of RATES) {
      const cpu0 = process.cpuUsage();
      const s = new Sampler({
        watches: watches.map((watch) => ({ watch, rateHz: rate })),
        reader,
        openReader: async () => reader,
        clock: realClock({ spinMs }),
        durationS: seconds,
        onSample: () => {},
      });
      // Keep the connection across runs: run() closes the reader, so hand it a non-closing view.
      (s as unknown as { closeReader: () => Promise<void> }).closeReader = async () => {};
      const st = await s.run();
      const cpu = cpuUs(cpu0);
      const g = st.scheduler.groups[0]!;
      const max = rate >= 100_000;
      process.stdout.write(
        `  ${(max ? 'max' : `${rate} Hz`).padEnd(10)}  ${(spinMs ? 'spin 1ms' : 'timer').padEnd(8)} ` +
          `${g.achievedHz.toFixed(1).padStart(8)} Hz  ${(max ? '-' : `${((100 * g.achievedHz) / rate).toFixed(1)}%`).padStart(6)}  ` +
          `${st.scheduler.lateness.p50Ms.toFixed(3).padStart(8)} ms  ` +
          `${st.scheduler.lateness.p99Ms.toFixed(3).padStart(8)} ms  ${String(st.scheduler.overruns).padStart(8)}  ` +
          `${String(st.scheduler.skippedLate).padStart(9)}  ` +
          `${(cpu / Math.max(1, st.samples)).toFixed(0).padStart(6)} us\n`,
      );
    }
  }
}

const BENCH_SECONDS = 2;

async function realSim(): Promise<void> {
  let reader: MemoryReader;
  let resolve: Resolve;
  try {
    const sim = await import('../src/probe/sim/index.js');
    const elf = sim.bundledFirmware('leak', 'm0plus');
    resolve = await resolverFor(elf);
    reader = await sim.openSim({ elfPath: elf });
  } catch (err) {
    process.stdout.write(`(sim part skipped: ${(err as Error).message})\n`);
    return;
  }
  try {
    const watches = ['g_heap', 'g_ticks', 'g_truth'].map((x) => resolve(x));
    process.stdout.write(`real clock, sim target (${reader.description}), 3 watches = 1 coalesced read per tick, ${BENCH_SECONDS} s each:\n`);
    await rateTable(reader, watches, BENCH_SECONDS);
  } finally {
    await reader.close();
  }
}

/** Why a peer's binary cannot run here (null when it can). */
function missing(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error ? `${cmd} not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` : null;
}

const M3_ELF = fileURLToPath(new URL('../../firmware/prebuilt/heapdemo-m3-sawtooth.elf', import.meta.url));
const M0_ELF = fileURLToPath(new URL('../../firmware/prebuilt/heapdemo-m0plus-sawtooth.elf', import.meta.url));

/** QEMU mps2-an385 running the Cortex-M3 heap demo, read over QMP (`xp`) while the VM runs. */
async function realQemu(): Promise<void> {
  const why = missing('qemu-system-arm', ['--version']);
  if (why) {
    process.stdout.write(`(QEMU QMP part skipped: ${why})\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'heapscope-bench-qmp-'));
  const sock = join(dir, 'qmp.sock');
  const qemu = startPeer('qemu-system-arm', [
    '-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', M3_ELF,
    '-qmp', `unix:${sock},server=on,wait=off`,
  ]);
  let reader: MemoryReader | null = null;
  try {
    for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(50);
    if (!existsSync(sock)) throw new Error(`QEMU made no QMP socket within 10 s: ${qemu.output()}`);
    const resolve = await resolverFor(M3_ELF);
    reader = await openProbe(`qmp:${sock}`);
    const watches = ['g_heap', 'g_ticks', 'g_truth'].map((x) => resolve(x));
    process.stdout.write(`real clock, QEMU QMP (${reader.description}), same 3 watches, ${BENCH_SECONDS} s each:\n`);
    await rateTable(reader, watches, BENCH_SECONDS);
  } catch (err) {
    process.stdout.write(`(QEMU QMP part failed: ${(err as Error).message})\n`);
  } finally {
    await reader?.close();
    await qemu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The real OpenOCD 0.12 over its TCL port, driving the JTAG simulator (tests/peers/jtag-sim-server.ts:
 * rp2040js behind a simulated JTAG-DP/AHB-AP, in its own process so the emulator does not share this
 * event loop) running the M0+ heap demo. Bit-banged JTAG is far slower than a real adapter.
 */
async function realOpenOcd(): Promise<void> {
  const why = missing('openocd', ['--version']);
  const server = fileURLToPath(new URL('../tests/peers/jtag-sim-server.js', import.meta.url));
  if (why || !existsSync(server)) {
    process.stdout.write(`(OpenOCD part skipped: ${why ?? `${server} is missing: run \`npm run build\``})\n`);
    return;
  }
  const jtag = startPeer(process.execPath, [server, '--port', '0', '--elf', M0_ELF]);
  let ocd: OpenOcdPeer | null = null;
  let reader: MemoryReader | null = null;
  try {
    let port = 0;
    for (let i = 0; i < 400 && !port; i++) {
      port = Number(/listening (\d+)/.exec(jtag.output())?.[1] ?? 0);
      if (!port) await sleep(50);
    }
    if (!port) throw new Error(`the JTAG simulator did not start: ${jtag.output()}`);
    ocd = await startOpenOcd(port);
    const resolve = await resolverFor(M0_ELF);
    // Generous timeout: bit-banged JTAG on a loaded machine can take seconds for a few KiB.
    reader = await openProbe(`openocd://127.0.0.1:${ocd.tclPort}`, { timeoutMs: 30_000 });
    const watches = ['g_heap', 'g_ticks', 'g_truth'].map((x) => resolve(x));
    process.stdout.write(`real clock, OpenOCD TCL (${reader.description}) over the JTAG simulator, same 3 watches, ${BENCH_SECONDS} s each:\n`);
    await rateTable(reader, watches, BENCH_SECONDS);
  } catch (err) {
    process.stdout.write(`(OpenOCD part failed: ${(err as Error).message})\n`);
  } finally {
    await reader?.close();
    await ocd?.stop();
    await jtag.stop();
  }
}

export async function run(): Promise<void> {
  const hours = Number(process.env.HEAPSCOPE_BENCH_HOURS ?? 24);
  await simulatedDay(hours > 0 ? hours : 24);
  await realSim();
  await realQemu();
  await realOpenOcd();
}
