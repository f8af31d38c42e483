// What the dashboard draws, as an interface: the live sampler (watch) and a past recording
// (watch --from) each provide one. The dashboard never knows which probe or file is behind it.

export interface SignalView {
  /** Column name, e.g. "g_heap.used". */
  name: string;
  /** Signals with the same group share one chart (e.g. "bytes" for used/free/largest). */
  group: string;
}

/** A time window reduced to `points` buckets; NaN where a bucket holds no sample (a gap). */
export interface WindowData {
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
}

export interface SignalStats {
  current: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Change per hour over the stats period (least squares), null until enough data. */
  ratePerHour: number | null;
  samples: number;
}

export interface DriftRow {
  signal: string;
  verdict: 'leak' | 'no-leak' | 'undecided';
  rateBytesPerHour: number | null;
  timeToExhaustionHours: number | null;
  /** Why, or what is missing ("need ~40 min more at this noise"). */
  reason: string;
  /** How long the judged rise has lasted (seconds), for a leak: a person trusts 6 h of rise more than 40 min. */
  risingForS?: number | null;
}

export interface FragmentationView {
  verdict: 'creep' | 'stable' | 'undecided';
  /** 1 - largest/free, 0..1. */
  index: number | null;
  free: number | null;
  largest: number | null;
}

export interface StatusView {
  probe: string;
  targetState?: string;
  connected: boolean;
  /** Seconds the probe has been lost, while it is lost. */
  outageS?: number;
  reconnects: number;
  requestedHz: number;
  achievedHz: number | null;
  latenessP99Ms: number | null;
  overruns: number;
  recording?: { path: string; bytes: number };
  /** Wall seconds since start. */
  elapsedS: number;
  /** What the time axis counts: the firmware's own clock or the host's. */
  timeBase: 'firmware' | 'host';
}

export interface DashboardSource {
  readonly title: string;
  /** One line under the title (what is shown, how to point heapscope at a real board). */
  readonly banner?: string;
  /** False for a past recording: no status of a live probe, and the whole run is shown. */
  readonly live: boolean;
  signals(): readonly SignalView[];
  /** [start, end] of the data on the time axis, in seconds. */
  timeRange(): [number, number];
  window(signal: number, t0: number, t1: number, points: number): WindowData;
  stats(signal: number): SignalStats;
  drift(): { rows: readonly DriftRow[]; fragmentation: FragmentationView | null };
  status(): StatusView | null;
  mark(text: string): void;
  resetStats(): void;
}
