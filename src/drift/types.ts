// Public shapes of the drift layer (agreed in notes/interfaces.md; fields may be added, not changed).

export type LeakVerdict = 'leak' | 'no-leak' | 'undecided';

export interface LeakDetectorOptions {
  /** 'used': the heap counter rises when memory is lost; 'free': it falls. */
  direction: 'used' | 'free';
  /** Heap size; enables time-to-exhaustion for 'used' and sets the "meaningful leak" scale. */
  capacityBytes?: number;
  /** Counter width for wrap-around repair: 'auto' (16 or 32 bits, from the values seen), a bit count, or 0 = off. */
  wrapBits?: 'auto' | number;
  /**
   * Scales the detector's time constants (60 s baseline windows, >= 30 min judged): tuned for firmware
   * whose saw-tooth period is seconds to minutes. 0.05 suits a 3 s period (the bundled demo): windows
   * of 3 s and a verdict after 1.5 min. Rates stay in bytes per hour of the signal's own clock.
   */
  timeScale?: number;
}

/** A straight piece of the baseline (t in seconds since the first sample, value in bytes of the signal). */
export interface TrendLine {
  fromS: number;
  toS: number;
  /** value at fromS */
  start: number;
  /** bytes per second */
  slopePerS: number;
}

export interface LeakResult extends LeakLevels {
  verdict: LeakVerdict;
  /** Bytes lost per hour (used rising / free falling); positive = losing memory. */
  rateBytesPerHour: number | null;
  rateCI: [number, number] | null;
  timeToExhaustionHours: number | null;
  /** Trace time (s, same clock as push) at which the streaming run first said `leak` and has not been
   *  contradicted since: spells of `undecided` (a fresh level change, a burst) do not reset it; a flat
   *  baseline (`no-leak`) does. */
  detectedAtS: number | null;
  reason: string;
  /** Trace time since which the streaming run has said leak without interruption. */
  leakSinceS: number | null;
  // Extras (not in the agreed contract, welcome by it):
  /** One-sided p-value of the autocorrelation-corrected Mann-Kendall test on the analysed segment. */
  pValue: number | null;
  /** Start of the segment the verdict is about (after the last level change), trace seconds. */
  segmentStartS: number | null;
  /** Trace seconds of the level changes found in the baseline. */
  changePointsS: number[];
  /** The fitted trend over the analysed segment, in signal units (bytes of the counter as pushed). */
  trend: TrendLine | null;
  /** Lowest free memory seen (free: min of the counter; used with capacity: capacity - max used). */
  lowWater: { bytes: number; atS: number } | null;
  /** How fast the peaks of the saw-tooth approach exhaustion, bytes/hour (positive = worse). */
  peakTrendBytesPerHour: number | null;
  samples: number;
  gaps: number;
  wraps: number;
}

export interface LeakDetector {
  push(t: number, value: number | null): void;
  result(): LeakResult;
  /** Baseline points (trough per window) the verdict is computed on, for charts. */
  baseline(): Array<{ t: number; value: number }>;
}

export type FragmentationVerdict = 'creep' | 'stable' | 'undecided';

export interface FragmentationResult {
  verdict: FragmentationVerdict;
  /** Latest 1 - largest/free (0 = one free block, near 1 = free memory shattered). */
  index: number | null;
  /** Change of the index per hour (Theil-Sen over window means). */
  trend: number | null;
  /** Bytes/hour the largest free block changes by (negative = shrinking). */
  largestFreeTrendBytesPerHour: number | null;
  /** Hours until the largest free block falls below needBytes, null when not shrinking or no need given. */
  hoursUntilNeedFails: number | null;
  needBytes: number | null;
  minLargestFree: { bytes: number; atS: number } | null;
  reason: string;
}

export interface FragmentationTracker {
  push(t: number, free: number | null, largest: number | null): void;
  result(): FragmentationResult;
  /** (t, index) window means, for charts. */
  indexSeries(): Array<{ t: number; value: number }>;
}

/** Extras every LeakResult carries for charts and forecasts (signal units, as pushed). */
export interface LeakLevels {
  /** Fitted baseline (troughs of the saw-tooth) at the last sample. */
  levelNow: number | null;
  /** Worst recent value: peaks of used / lows of free (what actually hits the wall). */
  worstNow: number | null;
}
