// `report` on a file: picks the heap columns, streams every row through the SAME detectors the live
// path uses (src/drift), and keeps bounded chart data. One pass over the file.
import { createFragmentationTracker, createLeakDetector } from '../drift/index.js';
import type { FragmentationResult, LeakDetector, LeakResult } from '../drift/types.js';
import { UsageError } from '../errors.js';
import { columnBitsFromMeta } from '../record/meta.js';
import { scanRecording, type RecordingHeader, type ScanSummary } from '../record/reader.js';
import { MinMaxDownsampler, type Bucket } from './downsample.js';
import { heapRoleOf } from '../drift/roles.js';

export interface ReportOptions {
  used?: string;
  free?: string;
  largest?: string;
  capacity?: number;
  need?: number;
  /** Leak detector baseline window in seconds (default 60): a few saw-tooth periods. */
  driftWindow?: number;
}

export interface SignalReport {
  name: string;
  direction: 'used' | 'free';
  /** why this column was picked, for the human output */
  pickedBy: string;
  capacityBytes: number | null;
  result: LeakResult;
  chart: { buckets: Bucket[]; bucketS: number; baseline: Array<{ t: number; value: number }> };
}

export interface ReportData {
  path: string;
  header: RecordingHeader;
  scan: ScanSummary;
  signals: SignalReport[];
  fragmentation:
    | (FragmentationResult & { free: string; largest: string; series: Array<{ t: number; value: number }>; largestChart: Bucket[] })
    | null;
}

interface Pick {
  col: string;
  direction: 'used' | 'free';
  pickedBy: string;
}

export function pickColumns(h: RecordingHeader, o: ReportOptions): { signals: Pick[]; largest: string | null; free: string | null; capacityCol: string | null } {
  const has = (c: string): void => {
    if (!h.columns.includes(c))
      throw new UsageError(`no column '${c}' in the recording; columns are: ${h.columns.join(', ')}`);
  };
  const roles = new Map<string, string>();
  for (const w of h.meta?.watches ?? []) if (w.role) for (const c of w.columns) if (!roles.has(c)) roles.set(c, w.role);
  const roleOf = (c: string): string | null => roles.get(c) ?? heapRoleOf(c) ?? null;
  const how = (c: string): string => (roles.has(c) ? `role '${roles.get(c)}' in the meta` : 'its name');
  const signals: Pick[] = [];
  if (o.used) {
    has(o.used);
    signals.push({ col: o.used, direction: 'used', pickedBy: '--used' });
  }
  if (o.free) {
    has(o.free);
    signals.push({ col: o.free, direction: 'free', pickedBy: '--free' });
  }
  if (!o.used && !o.free) {
    for (const c of h.columns) {
      const r = roleOf(c);
      if (r === 'used' || r === 'free') signals.push({ col: c, direction: r, pickedBy: how(c) });
    }
  }
  if (signals.length === 0)
    throw new UsageError(
      `no heap column found among ${h.columns.join(', ')}: name one with --used COL or --free COL --capacity BYTES`,
    );
  let largest = o.largest ?? null;
  if (largest) has(largest);
  else largest = h.columns.find((c) => roleOf(c) === 'largest') ?? null;
  const free = signals.find((s) => s.direction === 'free')?.col ?? h.columns.find((c) => roleOf(c) === 'free') ?? null;
  const capacityCol = h.columns.find((c) => roleOf(c) === 'capacity') ?? null;
  return { signals, largest, free, capacityCol };
}

export async function analyseRecording(path: string, o: ReportOptions): Promise<ReportData> {
  let header: RecordingHeader | null = null;
  let picks: ReturnType<typeof pickColumns> | null = null;
  let idx: number[] = [];
  let detectors: LeakDetector[] = [];
  let charts: MinMaxDownsampler[] = [];
  let frag: ReturnType<typeof createFragmentationTracker> | null = null;
  let fragIdx: [number, number] = [-1, -1];
  const largestChart = new MinMaxDownsampler();
  let capIdx = -1;
  let capSeen: number | null = o.capacity ?? null;
  let usedIdx = -1;
  let freeIdx = -1;
  // Detectors are created at the first row (capacity may come from a column or used+free).
  let started = false;
  const scan = await scanRecording(
    path,
    (h) => {
      header = h;
      picks = pickColumns(h, o);
      idx = picks.signals.map((s) => h.columns.indexOf(s.col));
      charts = picks.signals.map(() => new MinMaxDownsampler());
      if (picks.largest && picks.free) {
        fragIdx = [h.columns.indexOf(picks.free), h.columns.indexOf(picks.largest)];
        frag = createFragmentationTracker({ needBytes: o.need });
      }
      if (picks.capacityCol) capIdx = h.columns.indexOf(picks.capacityCol);
      usedIdx = h.columns.findIndex((c) => picks!.signals.some((s) => s.col === c && s.direction === 'used'));
      freeIdx = picks.free ? h.columns.indexOf(picks.free) : -1;
      return [...idx, ...fragIdx, capIdx, usedIdx, freeIdx].filter((i) => i >= 0);
    },
    (t, v) => {
      if (!started) {
        if (capSeen === null && capIdx >= 0 && Number.isFinite(v[capIdx]!)) capSeen = v[capIdx]!;
        if (capSeen === null && usedIdx >= 0 && freeIdx >= 0 && Number.isFinite(v[usedIdx]! + v[freeIdx]!))
          capSeen = v[usedIdx]! + v[freeIdx]!;
        const bits = columnBitsFromMeta(header?.meta);
        detectors = picks!.signals.map((s) =>
          createLeakDetector({
            direction: s.direction,
            wrapBits: bits.get(s.col) ?? 'auto',
            ...(capSeen ? { capacityBytes: capSeen } : {}),
            ...(o.driftWindow ? { timeScale: o.driftWindow / 60 } : {}),
          }),
        );
        started = true;
      }
      for (let k = 0; k < idx.length; k++) {
        const x = v[idx[k]!]!;
        // An empty cell is "not read in this row" (a column sampled at a lower rate, like the walked
        // largest free block), not a gap: outages show as missing rows, which the detector counts.
        if (Number.isFinite(x)) detectors[k]!.push(t, x);
        charts[k]!.add(t, x);
      }
      if (frag) {
        const f = v[fragIdx[0]]!;
        const l = v[fragIdx[1]]!;
        if (Number.isFinite(f) && Number.isFinite(l)) (frag as ReturnType<typeof createFragmentationTracker>).push(t, f, l);
        largestChart.add(t, l);
      }
    },
  );
  if (!header || !picks) throw new UsageError(`${path}: no header`);
  const p = picks as ReturnType<typeof pickColumns>;
  if (!started) throw new UsageError(`${path}: the recording has no samples`);
  const signals: SignalReport[] = p.signals.map((s, k) => ({
    name: s.col,
    direction: s.direction,
    pickedBy: s.pickedBy,
    capacityBytes: capSeen,
    result: detectors[k]!.result(),
    chart: { buckets: charts[k]!.buckets, bucketS: charts[k]!.widthS, baseline: detectors[k]!.baseline() },
  }));
  const fr = frag as ReturnType<typeof createFragmentationTracker> | null;
  return {
    path,
    header,
    scan,
    signals,
    fragmentation: fr
      ? { ...fr.result(), free: p.free!, largest: p.largest!, series: fr.indexSeries(), largestChart: largestChart.buckets }
      : null,
  };
}
