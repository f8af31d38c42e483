// The dashboard's view of a live sampling session: samples go into tiered history (bounded memory
// over 24 h+), running stats and the streaming drift detectors; the dashboard pulls views at its
// own frame rate. Time is the firmware's own clock when one is named (--target-clock), so a slow
// link or an emulator running faster than real time does not distort rates.
import { createFragmentationTracker, createLeakDetector } from '../drift/index.js';
import type { FragmentationTracker, LeakDetector } from '../drift/types.js';
import { SeriesStore } from '../sample/series.js';
import type { Sample, SessionEvent } from '../sample/types.js';
import type { DashboardSource, DriftRow, FragmentationView, SignalView, StatusView, WindowData } from './model.js';
import { RunningStats } from './signal-stats.js';
import { TargetTimeline } from '../sample/target-time.js';
import { heapRoleOf } from '../drift/roles.js';

/** Which columns carry the heap's used / free / largest-free bytes (any may be absent). */
export interface HeapRoles {
  used?: string;
  free?: string;
  largest?: string;
  /** Heap size in bytes, for time to exhaustion of a 'used' signal. */
  capacityBytes?: number;
}

export interface LiveSourceOptions {
  title: string;
  /** A past recording: no live probe status, and the whole run is shown first. */
  replay?: boolean;
  banner?: string;
  columns: readonly string[];
  roles: HeapRoles;
  rateHz: number;
  /** Scales the leak detector's time constants (see LeakDetectorOptions.timeScale). */
  driftTimeScale?: number;
  /** Bit width per column where known (from DWARF; 0 = never wraps, e.g. a computed column): a uint32_t
   *  heap counter must not be "unwrapped" at 16 bits when a saw-tooth drops by more than 32 KiB. */
  columnBits?: ReadonlyMap<string, number>;
  /** Seconds of firmware time per unit of Sample.target (0.001 for a millisecond tick); absent = host time. */
  targetSecondsPerTick?: number;
  status?(): Omit<StatusView, 'timeBase'>;
  onMark?(text: string): void;
}

export class LiveSource implements DashboardSource {
  readonly live: boolean;
  readonly title: string;
  readonly banner?: string;
  private readonly signalViews: SignalView[];
  private readonly series: SeriesStore;
  private readonly running: RunningStats[];
  private readonly leak: Array<{ name: string; detector: LeakDetector; col: number }> = [];
  private capacityFromFirst: { used: number; free: number; make(capacity: number): LeakDetector } | null = null;
  private readonly frag: FragmentationTracker | null;
  private readonly fragCols: [number, number] | null;
  private readonly numeric: Array<number | null>;
  private lastT = 0;
  private firstT: number | null = null;
  private readonly timeline: TargetTimeline | null;

  constructor(private readonly opts: LiveSourceOptions) {
    this.title = opts.title;
    this.timeline = opts.targetSecondsPerTick !== undefined ? new TargetTimeline(opts.targetSecondsPerTick) : null;
    this.live = !opts.replay;
    this.banner = opts.banner;
    // Heap byte amounts (used, free, largest, minimum-ever free, capacity) share one chart and scale.
    const heapCols = new Set([opts.roles.used, opts.roles.free, opts.roles.largest].filter(Boolean));
    const isBytes = (c: string): boolean => heapCols.has(c) || (heapCols.size > 0 && heapRoleOf(c) !== undefined);
    this.signalViews = opts.columns.map((name) => ({ name, group: isBytes(name) ? 'heap bytes' : name }));
    this.series = new SeriesStore(opts.columns, { rateHz: opts.rateHz });
    this.running = opts.columns.map(() => new RunningStats());
    this.numeric = opts.columns.map(() => null);
    const col = (n?: string): number => (n === undefined ? -1 : opts.columns.indexOf(n));
    const usedDetector = (capacityBytes: number | undefined): LeakDetector =>
      createLeakDetector({
        direction: 'used',
        capacityBytes,
        timeScale: opts.driftTimeScale ?? 1,
        wrapBits: opts.columnBits?.get(opts.roles.used!) ?? 'auto',
      });
    if (col(opts.roles.used) >= 0) {
      this.leak.push({ name: opts.roles.used!, col: col(opts.roles.used), detector: usedDetector(opts.roles.capacityBytes) });
      // No capacity given but free is watched too: used + free of the first sample is the heap's size, so
      // the used row can say when memory runs out, as `report` does.
      if (opts.roles.capacityBytes === undefined && col(opts.roles.free) >= 0)
        this.capacityFromFirst = { used: col(opts.roles.used), free: col(opts.roles.free), make: usedDetector };
    }
    if (col(opts.roles.free) >= 0)
      this.leak.push({
        name: opts.roles.free!,
        col: col(opts.roles.free),
        detector: createLeakDetector({
          direction: 'free',
          timeScale: opts.driftTimeScale ?? 1,
          wrapBits: opts.columnBits?.get(opts.roles.free!) ?? 'auto',
        }),
      });
    this.fragCols = col(opts.roles.free) >= 0 && col(opts.roles.largest) >= 0 ? [col(opts.roles.free), col(opts.roles.largest)] : null;
    this.frag = this.fragCols ? createFragmentationTracker({}) : null;
  }

  /** Time of a sample on the dashboard's axis: the firmware's clock when one is read, else the host's. */
  private timeOf(s: Sample): number {
    if (this.timeline === null || s.target === undefined) return Math.max(this.lastT, s.t);
    return this.timeline.at(s.target);
  }

  onSample(s: Sample): void {
    const t = this.timeOf(s);
    if (this.firstT === null) this.firstT = t;
    this.lastT = t;
    const row: Array<number | null | undefined> = new Array(this.opts.columns.length);
    for (let i = 0; i < this.opts.columns.length; i++) {
      const v = s.values[i];
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : v === null ? null : undefined;
      row[i] = n;
      if (typeof n === 'number') {
        this.numeric[i] = n;
        this.running[i]!.push(t, n);
      }
    }
    this.series.pushRow(t, row);
    // An empty cell is "not read in this row" (a column sampled at a lower rate, such as the walked
    // largest free block): skipped, not a gap. Probe outages reach the detectors as 'gap' events.
    const cap = this.capacityFromFirst;
    if (cap) {
      const u = row[cap.used];
      const f = row[cap.free];
      if (typeof u === 'number' && typeof f === 'number' && u + f > 0) {
        this.leak[0]!.detector = cap.make(u + f);
        this.capacityFromFirst = null;
      } else if (typeof u === 'number') this.capacityFromFirst = null; // used arrives alone: judge without one
    }
    for (const l of this.leak) {
      const v = row[l.col];
      if (typeof v === 'number') l.detector.push(t, v);
    }
    if (this.frag && this.fragCols) {
      const f = row[this.fragCols[0]];
      const g = row[this.fragCols[1]];
      if (typeof f === 'number' && typeof g === 'number') this.frag.push(t, f, g);
    }
  }

  onEvent(e: SessionEvent): void {
    if (e.event === 'gap') {
      // A NaN sample keeps the charts from joining across the outage.
      this.series.pushRow(this.lastT, this.opts.columns.map(() => null));
      for (const l of this.leak) l.detector.push(this.lastT, null);
    }
  }

  signals(): readonly SignalView[] {
    return this.signalViews;
  }

  timeRange(): [number, number] {
    return [this.firstT ?? 0, this.lastT];
  }

  window(signal: number, t0: number, t1: number, points: number): WindowData {
    const s = this.series.get(this.opts.columns[signal]!)!;
    const r = s.query(t0, t1, points);
    return { min: r.min, max: r.max, mean: r.mean };
  }

  stats(signal: number) {
    return this.running[signal]!.view();
  }

  drift(): { rows: readonly DriftRow[]; fragmentation: FragmentationView | null } {
    const rows = this.leak.map(({ name, detector }) => {
      const r = detector.result();
      return {
        signal: name,
        verdict: r.verdict,
        rateBytesPerHour: r.rateBytesPerHour,
        timeToExhaustionHours: r.timeToExhaustionHours,
        reason: r.reason,
        risingForS: r.verdict === 'leak' && r.segmentStartS !== null ? Math.max(0, this.lastT - r.segmentStartS) : null,
      };
    });
    let fragmentation: FragmentationView | null = null;
    if (this.frag && this.fragCols) {
      const r = this.frag.result();
      fragmentation = {
        verdict: r.verdict,
        index: r.index,
        free: this.numeric[this.fragCols[0]] ?? null,
        largest: this.numeric[this.fragCols[1]] ?? null,
      };
    }
    return { rows, fragmentation };
  }

  status(): StatusView | null {
    if (!this.opts.status) return null;
    return { ...this.opts.status(), timeBase: this.opts.targetSecondsPerTick !== undefined ? 'firmware' : 'host' };
  }

  mark(text: string): void {
    this.opts.onMark?.(text);
  }

  resetStats(): void {
    for (const s of this.running) s.reset();
  }
}
