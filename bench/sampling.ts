// Sampling overhead and accuracy, measured side by side in one run:
//  1. A simulated 24 h at 100 Hz x 16 signals through scheduler + tiered series + CSV formatting +
//     buffered file (to /dev/null), against a bare loop producing the same values: CPU per sample and the
//     ratio, peak RSS, RSS after the first simulated hour vs at the end (must stay flat).
//  2. The real clock against the built-in sim target (rp2040js in a worker): achieved rate vs requested
//     at 10 Hz, 100 Hz, 1 kHz and as fast as possible, lateness p50/p99, CPU per sample (process-wide,
//     so it includes the emulator thread), with plain timers and with a 1 ms spin before each due time.
// HEAPSCOPE_BENCH_HOURS shortens part 1 (default 24).
import { AppendFile } from '../src/record/append-file.js';
import { csvFormat } from '../src/record/format.js';
import { realClock, SimulatedClock } from '../src/sample/clock.js';
import { Sampler } from '../src/sample/sampler.js';
import { Scheduler } from '../src/sample/scheduler.js';
import { SeriesStore } from '../src/sample/series.js';
import type { Sample } from '../src/sample/types.js';

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

async function realSim(): Promise<void> {
  let openSim: ((o?: { elfPath?: string }) => Promise<import('../src/probe/types.js').MemoryReader>) | null = null;
  let elf = '';
  let resolveOne: ((expr: string) => import('../src/watch/types.js').Watch) | null = null;
  try {
    const sim = await import('../src/probe/sim/index.js');
    const { openElf } = await import('../src/elf/elf.js');
    const { loadDebugInfo } = await import('../src/elf/dwarf/index.js');
    const { resolveWatch } = await import('../src/watch/index.js');
    elf = sim.bundledFirmware('leak', 'm0plus');
    const e = openElf(elf);
    const debug = loadDebugInfo(e);
    resolveOne = (x) => resolveWatch(debug, e, x);
    openSim = sim.openSim;
  } catch (err) {
    process.stdout.write(`(sim part skipped: ${(err as Error).message})\n`);
    return;
  }
  const reader = await openSim({ elfPath: elf });
  try {
    const watches = ['g_heap', 'g_ticks', 'g_truth'].map((x) => ({ watch: resolveOne!(x), rateHz: 1 }));
    process.stdout.write(`real clock, sim target (${reader.description}), 3 watches = 1 coalesced read per tick, 2 s each:\n`);
    process.stdout.write(`  requested   timer    achieved   lateness p50   p99        overruns  late-skip  CPU/sample\n`);
    for (const spinMs of [0, 1]) {
      for (const rate of [10, 100, 1000, 100_000]) {
        const cpu0 = process.cpuUsage();
        const s = new Sampler({
          watches: watches.map((w) => ({ ...w, rateHz: rate })),
          reader,
          openReader: async () => reader,
          clock: realClock({ spinMs }),
          durationS: 2,
          onSample: () => {},
        });
        // Keep the connection across runs: run() closes the reader, so hand it a non-closing view.
        (s as unknown as { closeReader: () => Promise<void> }).closeReader = async () => {};
        const st = await s.run();
        const cpu = cpuUs(cpu0);
        const g = st.scheduler.groups[0]!;
        process.stdout.write(
          `  ${(rate >= 100_000 ? 'max' : `${rate} Hz`).padEnd(10)}  ${(spinMs ? 'spin 1ms' : 'timer').padEnd(8)} ` +
            `${g.achievedHz.toFixed(1).padStart(8)} Hz  ${st.scheduler.lateness.p50Ms.toFixed(3).padStart(8)} ms  ` +
            `${st.scheduler.lateness.p99Ms.toFixed(3).padStart(8)} ms  ${String(st.scheduler.overruns).padStart(8)}  ` +
            `${String(st.scheduler.skippedLate).padStart(9)}  ` +
            `${(cpu / Math.max(1, st.samples)).toFixed(0).padStart(6)} us\n`,
        );
      }
    }
  } finally {
    await reader.close();
  }
}

export async function run(): Promise<void> {
  const hours = Number(process.env.HEAPSCOPE_BENCH_HOURS ?? 24);
  await simulatedDay(hours > 0 ? hours : 24);
  await realSim();
}
