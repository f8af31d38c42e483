// Wires a live dashboard: ELF -> watches -> probe -> sampler -> (history, stats, drift) -> blessed.
// Shared by `heapscope watch` and `heapscope demo`.
import { resolve } from 'node:path';
import { openElf, type ElfFile } from '../elf/elf.js';
import { UsageError } from '../errors.js';
import type { MemoryReader } from '../probe/types.js';
import { Sampler } from '../sample/sampler.js';
import { openDashboard } from '../tui/dashboard.js';
import { LiveSource, type HeapRoles } from '../tui/live-source.js';
import type { Watch } from '../watch/types.js';
import { columnBitsOf } from '../watch/column-bits.js';
import { guessHeapRoles } from './heap-roles.js';
import { heapRoleOf } from '../drift/roles.js';
import { Recorder } from '../record/recorder.js';
import { buildRunMeta } from '../record/run-meta.js';
import { heapscopeVersion } from './version.js';
import { resolveWatches } from './resolve-watches.js';
import { walkMetaWatches, walkSidecar, type HeapWalkPlan } from './heap-counters.js';
import type { WatchRole } from '../record/meta.js';

export interface LiveSessionOptions {
  elfPath: string;
  exprs: readonly string[];
  /** Opens (and re-opens after a drop) the probe. */
  openReader(): Promise<MemoryReader>;
  probeLabel: string;
  rateHz: number;
  raw?: boolean;
  /** Expression of the firmware's clock and its seconds per tick (g_ticks, 0.001). */
  targetClock?: { expr: string; secondsPerTick: number };
  roles?: Partial<HeapRoles>;
  title: string;
  banner?: string;
  fps?: number;
  /** Index into the dashboard's zoom levels to start at (default 1 min). */
  zoom?: number;
  /** Baseline window of the leak detector in seconds (default 60: firmware with saw-tooth periods of
   * seconds to minutes); the demo's 3 s cycle uses 6. */
  driftWindowS?: number;
  /** Also record every sample (and marks, gaps) to this file, as `heapscope record` does. */
  record?: { path: string; format: 'csv' | 'jsonl' };
  /** Heap walks filling derived columns (heap.largest_free) between ticks, at walkHz (no-expression mode). */
  walk?: { plan: HeapWalkPlan; rateHz: number };
  /** Counters only refreshed on request (newlib's mallinfo): charted, never judged by their names. */
  stale?: readonly string[];
}

export function requireTty(command: string): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError(
      `${command} draws a live dashboard and needs a terminal; for logging use \`heapscope record\`, ` +
        'for one value `heapscope read`',
    );
  }
}

export async function runLiveSession(o: LiveSessionOptions): Promise<void> {
  const elf = openElf(resolve(o.elfPath));
  const watches = await resolveWatches(elf, o.exprs, o.raw ?? false);
  const clockWatch = o.targetClock ? (await resolveWatches(elf, [o.targetClock.expr], o.raw ?? false))[0] : undefined;
  // Open once up front so that a wrong URL fails before the screen is taken over.
  const first = await o.openReader();
  const targetState = await first
    .info()
    .then((i) => i.targetState)
    .catch(() => undefined);
  const startedMs = Date.now();
  let recorder: Recorder | null = null;
  let source: LiveSource | null = null;
  // Said after the dashboard closes: stderr would tear the screen while it is up.
  const notices: string[] = [];
  const anchors = watches.filter((w) => w.expr === o.roles?.used || w.expr === o.roles?.free);
  const walk = o.walk ? walkSidecar(o.walk.plan, o.walk.rateHz, anchors, (m) => notices.push(m)) : null;
  const sampler: Sampler = new Sampler({
    watches: watches.map((watch) => ({ watch, rateHz: o.rateHz })),
    reader: first,
    openReader: o.openReader,
    ...(walk ? { sidecar: walk } : {}),
    ...(clockWatch ? { targetClock: clockWatch } : {}),
    onSample: (s) => {
      source?.onSample(s);
      recorder?.writeSample(s);
    },
    onEvent: (e) => {
      source?.onEvent(e);
      recorder?.writeEvent(e);
    },
  });
  // The sampler's column order is the row layout (shared leaves merged, the clock last). The clock is
  // the time axis, not a chart, unless the user watches it too.
  const watched = new Set(watches.flatMap((w) => w.columns().map((c) => c.name)));
  for (const c of walk?.columns ?? []) watched.add(c);
  const columns = sampler.columns.filter((c) => watched.has(c));
  const stale = new Set(o.stale ?? []);
  const roles = guessHeapRoles(columns.filter((c) => !stale.has(c)), o.roles);
  source = new LiveSource({
    title: o.title,
    ...(o.banner ? { banner: o.banner } : {}),
    columns,
    roles,
    rateHz: o.rateHz,
    ...(o.driftWindowS ? { driftTimeScale: o.driftWindowS / 60 } : {}),
    columnBits: columnBitsOf(watches, walk?.columns ?? []),
    ...(o.targetClock ? { targetSecondsPerTick: o.targetClock.secondsPerTick } : {}),
    status: () => {
      const st = sampler.stats();
      const g = st.scheduler.groups[0];
      return {
        probe: o.probeLabel,
        ...(targetState && targetState !== 'unknown' ? { targetState } : {}),
        connected: st.probeUp,
        ...(!st.probeUp ? { outageS: st.outageS } : {}),
        reconnects: st.reconnects,
        requestedHz: o.rateHz,
        achievedHz: g?.achievedHz ?? null,
        latenessP99Ms: st.scheduler.lateness.p99Ms,
        overruns: g?.overruns ?? 0,
        elapsedS: (Date.now() - startedMs) / 1000,
        ...(recorder ? { recording: { path: o.record!.path, bytes: recorder.bytes } } : {}),
      };
    },
    onMark: (text) => sampler.mark(text),
  });
  if (o.record) recorder = openRecorder(o, elf, watches, clockWatch, first.description, sampler.columns);
  const dash = openDashboard(source!, { fps: o.fps ?? 10, ...(o.zoom !== undefined ? { zoom: o.zoom } : {}) });
  const running = sampler.run();
  let failure: unknown = null;
  running.catch((err: unknown) => {
    failure = err;
    dash.close();
  });
  await dash.closed;
  await sampler.stop();
  await running.catch(() => {});
  for (const m of notices) process.stderr.write(`heapscope: ${m}\n`);
  // Flushes what was sampled; throws RecordingFailedError saying what was saved if the disk refused.
  const saved = recorder?.close();
  if (saved) process.stderr.write(`heapscope: recorded ${saved.samples} samples to ${saved.files.join(', ')}\n`);
  if (failure) throw failure;
}

function openRecorder(
  o: LiveSessionOptions,
  elf: ElfFile,
  watches: readonly Watch[],
  clock: Watch | undefined,
  probe: string,
  columns: readonly string[],
): Recorder {
  const { path, format } = o.record!;
  const meta = buildRunMeta({
    version: heapscopeVersion(),
    format,
    elf,
    elfPath: resolve(o.elfPath),
    probe,
    watches: watches.map((watch) => ({ watch, rateHz: o.rateHz })),
    rates: [o.rateHz],
    ...(clock ? { targetClock: clock } : {}),
    roleOf: (c): WatchRole | undefined => (o.stale?.includes(c) ? 'stale' : heapRoleOf(c)),
  });
  if (o.walk) meta.watches.push(...walkMetaWatches(o.walk.plan, o.walk.rateHz));
  return new Recorder({ path, format, columns, meta });
}

