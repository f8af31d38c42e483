// The leak detector: one streaming implementation for watch/record (verdict as samples arrive) and for
// `report` on a file (push every row, then ask once). Per sample it only updates the current window's
// min/max (O(1)); when a window closes, and at most every 2 % of the elapsed time, it re-runs the
// analysis on the <= 128 baseline points (a few ms), so the cost per sample is O(1) amortized and
// memory is bounded however long the run. No look-ahead: a verdict at time t uses samples <= t only.
//
// Analysis, in order (see docs in the issue note for the why):
//  1. baseline = trough (minimum) of each window of the saw-tooth; windows double as the run grows;
//  2. level changes = PELT with piecewise-linear segments on the baseline; warm-up and one-time steps
//     end in a break, so only the segment after the last break is judged ("steady state");
//  3. a run of >= 2 upward jumps still going on (the last jump no older than 1.5x the spacing of the
//     jumps) is a step leak: then the judged segment starts at the first of those jumps;
//  4. on the judged segment: Theil-Sen slope, Sen's 95 % interval and the Mann-Kendall test, both with
//     the Hamed-Rao autocorrelation correction;
//  5. leak  = significant (p < 0.001), interval above 0, rate >= 0.1 %/h of the heap, at least 30 min
//     judged, and the baseline now above every earlier level (a load cycle coming back up is not a leak);
//     no-leak = the interval excludes any leak >= 0.1 %/h; otherwise undecided, saying how much more
//     time this noise needs.
import { WindowMinima, Unwrapper, type BaselineWindow } from './baseline.js';
import { fitLine, segmentLinear, type Segment } from './changepoint.js';
import { diffNoise, median, trendTest, type TrendTest } from './stats.js';
import type { LeakDetector, LeakDetectorOptions, LeakResult, TrendLine } from './types.js';
import { fitWarmup } from './warmup.js';

/** Tunables, exported for the tuning script and tests; defaults were set on the tuning seeds only. */
export const DETECTOR_TUNING = {
  baseWindowS: 60,
  maxPoints: 128,
  /** PELT penalty = k * sigma^2 * ln(n) */
  penaltyK: 12,
  minSegPoints: 5,
  alpha: 0.005,
  keepAlpha: 0.05,
  ciZ: 1.96,
  /** smallest leak worth a verdict, fraction of the heap per hour */
  minRateFraction: 0.001,
  minJudgedHours: 0.5,
  minJudgedPoints: 10,
  /** a jump must exceed this many baseline sigmas to count as a level change in a staircase */
  jumpSigmas: 4,
  /** a rise whose later half is clearly slower (or faster) than this fraction of the other half is a
   *  warm-up tail or the top of a load cycle (or a fresh step), not yet a steady leak */
  shapeRatio: 0.5,
  /** F (curve vs line, autocorrelation-deflated) above which a bend towards a plateau counts */
  warmupF: 12,
  /** upward jumps in a row that make a staircase (a step leak); two are often a subsystem starting twice */
  minStairJumps: 3,
  /** the baseline must exceed earlier levels by this many sigmas for a leak */
  newHighSigmas: 2,
  evalEveryFraction: 0.04,
  /** floor of the baseline sigma used for the PELT penalty, fraction of the heap: level changes smaller
   *  than this do not matter, and saw-tooth windows shorter than the period make sigma look tiny */
  sigmaFloorFraction: 0.002,
  /** half-width (points) of the running median that clips upward transients out of the baseline */
  clipHalfWidth: 10,
  clipSigmas: 4,
  /** only earlier segments at least this long define "the level it had before" (transients don't) */
  priorMinHours: 0.5,
};

export function createLeakDetector(opts: LeakDetectorOptions): LeakDetector {
  return new StreamingLeakDetector(opts);
}

interface Analysis {
  result: Omit<LeakResult, 'detectedAtS' | 'leakSinceS' | 'samples' | 'gaps' | 'wraps' | 'lowWater'>;
  /** A no-leak from a load cycle (rising, but below an earlier level) is weaker than a flat baseline:
   *  it does not take back an earlier detection. */
  cycle?: boolean;
}

class StreamingLeakDetector implements LeakDetector {
  private readonly sign: 1 | -1;
  private readonly unwrapper: Unwrapper;
  private readonly windows: WindowMinima;
  /** The tuning with its time constants scaled to this workload (LeakDetectorOptions.timeScale). */
  private readonly T: typeof DETECTOR_TUNING;
  private t0: number | null = null;
  private lastT: number | null = null;
  private typicalDt: number | null = null;
  private maxRaw = -Infinity;
  private minRaw = Infinity;
  private extremeAt = 0;
  private samples = 0;
  private gaps = 0;
  private inGap = false;
  private lastEval = -Infinity;
  private leakSince: number | null = null;
  private firstLeakAt: number | null = null;

  constructor(private readonly opts: LeakDetectorOptions) {
    this.sign = opts.direction === 'used' ? 1 : -1;
    this.unwrapper = new Unwrapper(opts.wrapBits ?? 'auto', opts.capacityBytes);
    const k = opts.timeScale ?? 1;
    if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`timeScale must be > 0 (got ${k})`);
    this.T = {
      ...DETECTOR_TUNING,
      baseWindowS: DETECTOR_TUNING.baseWindowS * k,
      minJudgedHours: DETECTOR_TUNING.minJudgedHours * k,
      priorMinHours: DETECTOR_TUNING.priorMinHours * k,
    };
    this.windows = new WindowMinima(this.T.baseWindowS, this.T.maxPoints);
  }

  push(t: number, value: number | null): void {
    if (!Number.isFinite(t)) return;
    if (value === null || !Number.isFinite(value)) {
      this.inGap = true;
      return;
    }
    if (this.t0 === null) this.t0 = t;
    if (this.lastT !== null) {
      const dt = t - this.lastT;
      if (dt <= 0) return; // out-of-order or duplicate time: ignore rather than corrupt windows
      if (this.typicalDt === null) this.typicalDt = dt;
      else if (dt < 5 * this.typicalDt) this.typicalDt += (dt - this.typicalDt) * 0.01;
      if (this.inGap || dt > Math.max(5 * this.typicalDt, 10)) this.gaps++;
    }
    this.inGap = false;
    this.lastT = t;
    this.samples++;
    const u = this.unwrapper.unwrap(value);
    if (this.opts.direction === 'used' ? u > this.maxRaw : u < this.minRaw) this.extremeAt = t;
    if (u > this.maxRaw) this.maxRaw = u;
    if (u < this.minRaw) this.minRaw = u;
    const closed = this.windows.add(t, this.sign * u);
    if (closed) {
      const elapsed = t - this.t0;
      if (elapsed - this.lastEval >= DETECTOR_TUNING.evalEveryFraction * elapsed) {
        this.lastEval = elapsed;
        const a = this.analyse(this.windows.windows, t, false, this.leakSince !== null);
        // leakSince drives the hysteresis and ends with any other answer; firstLeakAt (detectedAtS) ends
        // only with evidence against a leak: a spell of 'undecided' (a fresh level change, a burst) in
        // the middle of a leak does not make it "detected" again later.
        if (a.result.verdict === 'leak') {
          this.leakSince ??= t;
          this.firstLeakAt ??= t;
        } else {
          this.leakSince = null;
          if (a.result.verdict === 'no-leak' && !a.cycle) this.firstLeakAt = null;
        }
      }
    }
  }

  result(): LeakResult {
    const now = this.lastT ?? 0;
    const a = this.analyse(this.windows.all(), now, true, this.leakSince !== null);
    const leak = a.result.verdict === 'leak';
    return {
      ...a.result,
      // When the streaming run said leak and has not taken it back since (a warm-up flagged early and
      // later cleared does not count); null unless the verdict is leak now.
      detectedAtS: leak ? (this.firstLeakAt ?? this.leakSince ?? now) : null,
      leakSinceS: leak ? (this.leakSince ?? now) : null,
      lowWater: this.lowWater(),
      samples: this.samples,
      gaps: this.gaps,
      wraps: this.unwrapper.wraps,
    };
  }

  baseline(): Array<{ t: number; value: number }> {
    return this.usable(this.windows.all()).map((w) => ({ t: w.tMin, value: this.sign * w.min }));
  }

  private lowWater(): LeakResult['lowWater'] {
    if (this.samples === 0) return null;
    if (this.opts.direction === 'free') return { bytes: this.minRaw, atS: this.extremeAt };
    if (this.opts.capacityBytes) return { bytes: this.opts.capacityBytes - this.maxRaw, atS: this.extremeAt };
    return null;
  }

  /** Windows cut short by a gap may miss their trough: keep those with at least half the usual samples. */
  private usable(ws: BaselineWindow[]): BaselineWindow[] {
    if (ws.length < 3) return ws;
    const typical = median(ws.map((w) => w.count));
    return ws.filter((w) => w.count >= 0.5 * typical);
  }

  private reference(): number {
    if (this.opts.capacityBytes) return this.opts.capacityBytes;
    return Math.max(Math.abs(this.maxRaw), 1);
  }

  private analyse(all: BaselineWindow[], now: number, full: boolean, wasLeak: boolean): Analysis {
    const T = this.T;
    const fine = this.usable(all);
    // Level changes are found on windows as long as the saw-tooth period; the trend is then tested on
    // the fine windows of the judged segment (more points; the autocorrelation correction pays for them).
    const ws = coarsenToPeriod(fine, T.minJudgedPoints + 2);
    const t0 = this.t0 ?? 0;
    let n = ws.length;
    const minRate = T.minRateFraction * this.reference();
    const empty = {
      rateBytesPerHour: null,
      rateCI: null,
      timeToExhaustionHours: null,
      pValue: null,
      segmentStartS: null,
      changePointsS: [],
      trend: null,
      peakTrendBytesPerHour: null,
      levelNow: null,
      worstNow: null,
    };
    if (n < T.minJudgedPoints) {
      const moreMin = Math.ceil(((T.minJudgedPoints - n) * this.windows.windowS) / 60);
      return {
        result: { ...empty, verdict: 'undecided', reason: `not enough data yet: need ~${moreMin} min more` },
      };
    }
    let x = new Float64Array(n);
    let y = new Float64Array(n);
    let peak = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = (ws[i]!.tMin - t0) / 3600;
      y[i] = ws[i]!.min;
      peak[i] = ws[i]!.max;
    }
    const sigma = Math.max(diffNoise(y), 1, 1e-6 * this.reference());
    clipUpwardTransients(x, y, sigma * T.clipSigmas, T.clipHalfWidth);
    const sigmaPen = Math.max(sigma, T.sigmaFloorFraction * this.reference());
    let segs = mergeSameRegime(
      x,
      y,
      segmentLinear(x, y, T.penaltyK * sigmaPen * sigmaPen * Math.log(n), T.minSegPoints),
      T.jumpSigmas * sigmaPen,
      minRate,
    );
    const changePointsS = segs.slice(1).map((s) => t0 + x[s.from]! * 3600);
    const coarseStart = this.judgedStart(segs, x, y, sigma, (now - t0) / 3600);
    const xNow = (now - t0) / 3600;
    // Prefer the coarse windows (each holds a trough); fall back to the fine ones when the judged
    // segment has too few coarse points for the test.
    const useFine = ws !== fine && n - coarseStart < T.minJudgedPoints;
    if (useFine) {
      x = new Float64Array(fine.length);
      y = new Float64Array(fine.length);
      peak = new Float64Array(fine.length);
      for (let i = 0; i < fine.length; i++) {
        x[i] = (fine[i]!.tMin - t0) / 3600;
        y[i] = fine[i]!.min;
        peak[i] = fine[i]!.max;
      }
      clipUpwardTransients(x, y, sigma * T.clipSigmas, T.clipHalfWidth);
      n = fine.length;
      segs = remapSegments(segs, ws, fine);
    }
    const startIdx = useFine ? Math.max(0, fine.findIndex((w) => w.t0 >= ws[coarseStart]!.t0)) : coarseStart;
    // A level change too recent to judge on its own: the regime before it keeps its verdict (so a leak
    // that wobbles, or a fresh step, does not blank the answer), and the reason says so.
    let from = startIdx;
    let end = n;
    let note = '';
    const tooShort = (f: number, e: number): boolean =>
      e - f < T.minJudgedPoints || x[e - 1]! - x[f]! < T.minJudgedHours;
    if (from > 0 && tooShort(from, n)) {
      const prev = segs.find((sg) => sg.from < from && sg.to >= from);
      if (prev && !tooShort(prev.from, from)) {
        note = `; the level changed ${fmtH(xNow - x[from]!)} ago, too recently to judge on its own`;
        end = from;
        from = prev.from;
      }
    }
    const spanH = (end === n ? xNow : x[end - 1]!) - x[from]!;
    const m = end - from;
    const test = trendTest(x, y, from, end, T.ciZ);
    if (!test || m < T.minJudgedPoints || spanH < T.minJudgedHours) {
      const needH = Math.max(T.minJudgedHours - spanH, ((T.minJudgedPoints - m) * this.windows.windowS) / 3600);
      return {
        result: {
          ...empty,
          changePointsS,
          segmentStartS: t0 + x[from]! * 3600,
          verdict: 'undecided',
          reason:
            `level changed ${fmtH(xNow - x[from]!)} ago (at ${fmtH(x[from]!)}); ` +
            `need ~${fmtDur(Math.max(needH, 1 / 60))} more of steady state to judge the trend`,
        },
      };
    }
    const sgn = this.sign;
    const rate = test.slope; // bytes of "lost memory" per hour
    const levelNow = test.intercept + test.slope * xNow;
    const amp = median(Array.from({ length: Math.min(8, m) }, (_, k) => peak[end - 1 - k]! - y[end - 1 - k]!));
    const worstNow = levelNow + amp;
    const peakTest = full ? trendTest(x, peak, from, end, T.ciZ) : null;
    const trend: TrendLine = {
      fromS: t0 + x[from]! * 3600,
      toS: now,
      start: sgn * (test.intercept + test.slope * x[from]!),
      slopePerS: (sgn * test.slope) / 3600,
    };
    const common = {
      rateBytesPerHour: rate,
      rateCI: [test.ci[0], test.ci[1]] as [number, number],
      pValue: test.pUp,
      segmentStartS: trend.fromS,
      changePointsS,
      trend,
      peakTrendBytesPerHour: peakTest ? peakTest.slope : null,
      levelNow: sgn * levelNow,
      worstNow: sgn * worstNow,
    };
    // Hysteresis: once a leak was called, it stands until the evidence is merely suggestive (p >= 0.05),
    // so one noisy window does not flip the alarm off and on (and reset detectedAtS).
    const significant = wasLeak
      ? test.pUp < T.keepAlpha && rate >= minRate
      : test.pUp < T.alpha && test.ci[0] > 0 && rate >= minRate;
    const priorMax = this.priorMax(segs, x, y, from);
    // Compare what the baseline IS now (median of its last points), not the extrapolated line: a line
    // fitted to the concave top of a load cycle overshoots the level the cycle really reaches.
    const recentN = Math.max(3, Math.round(0.1 * m));
    const levelRecent = median(y.subarray(end - recentN, end));
    const newHigh = priorMax === null || levelRecent > priorMax + T.newHighSigmas * sigma;
    const since = `since ${fmtH(x[from]!)} into the run`;
    const ci = fmtRange(test.ci[0], test.ci[1]);
    const undecided = (reason: string): Analysis => ({
      result: { ...common, verdict: 'undecided', timeToExhaustionHours: null, reason: reason + note },
    });
    if (significant && newHigh) {
      // A rise that is not steady (a step, a fresh climb, levelling off) is not yet a leak.
      const shape = riseShape(x, y, from, end, T.ciZ, T.shapeRatio, rate);
      if (shape !== 'steady') return undecided(`baseline rising ${fmtBytes(rate)}/h ${since}, but ${SHAPE_WHY[shape]}`);
      // A rise that bends towards a plateau is judged on the slope left after the bend (src/drift/warmup.ts),
      // fitted from where the bending began (segments that join without a jump, each slower than the last).
      const fit = fitWarmup(x, y, Math.min(from, this.bendStart(segs, x, from, T.jumpSigmas * sigmaPen)), end);
      if (fit && fit.decelerating && fit.f >= T.warmupF && !(fit.slopeLow > 0 && fit.slope >= minRate)) {
        const hi = fit.slope + T.ciZ * fit.slopeSE;
        return undecided(
          `baseline rising ${fmtBytes(rate)}/h ${since} but slowing down like a warm-up (settling over ` +
            `~${fmtDur(fit.tauH)}); the slope left after it, ${fmtRange(fit.slopeLow, hi)}, is not yet clearly above zero`,
        );
      }
    }
    if (significant && newHigh) {
      const tte = this.timeToExhaustion(worstNow, rate);
      return {
        result: {
          ...common,
          verdict: 'leak',
          timeToExhaustionHours: tte,
          reason:
            `baseline (troughs of the saw-tooth) rising ${fmtBytes(rate)}/h ${since} (95% CI ${ci}, ` +
            `${test.pUp < 1e-12 ? "p<1e-12" : `p=${test.pUp.toExponential(1)}`})` +
            (tte !== null ? `; at this rate memory runs out in ~${fmtH(tte)}` : '; give --capacity for a time to exhaustion') + note,
        },
      };
    }
    if (significant && !newHigh) {
      return {
        cycle: true,
        result: {
          ...common,
          rateBytesPerHour: rate,
          verdict: 'no-leak',
          timeToExhaustionHours: null,
          reason:
            `baseline rising ${fmtBytes(rate)}/h ${since} but still below the level it had before ` +
            `(${fmtBytes(sgn * priorMax!)}): a load cycle, not a leak` + note,
        },
      };
    }
    if (test.ci[1] < minRate) {
      return {
        result: {
          ...common,
          verdict: 'no-leak',
          timeToExhaustionHours: null,
          reason:
            `baseline flat ${since}: ${fmtBytes(rate)}/h (95% CI ${ci}), any leak is below ` +
            `${fmtBytes(minRate)}/h (0.1 % of ${this.opts.capacityBytes ? 'the heap' : 'the largest value seen'} per hour)` + note,
        },
      };
    }
    // Not enough evidence either way: the interval halves in width with 2^(2/3) more time (slope SE ~ T^-1.5).
    const halfWidth = (test.ci[1] - test.ci[0]) / 2;
    const target = Math.max(Math.abs(rate - minRate), minRate / 2);
    const needH = spanH * (Math.pow(halfWidth / target, 2 / 3) - 1);
    return undecided(
      `baseline ${fmtBytes(rate)}/h ${since} (95% CI ${ci}): not yet distinguishable from ` +
        (rate >= minRate ? 'no leak' : 'a slow leak') +
        `; need ~${fmtDur(Math.max(needH, 1 / 60))} more at this noise`,
    );
  }

  /** Where the judged segment starts: after the last break, or at the start of an ongoing staircase. */
  private judgedStart(segs: Segment[], x: Float64Array, y: Float64Array, sigma: number, xNow: number): number {
    const T = this.T;
    const last = segs.length - 1;
    let j = last;
    const jumpTimes: number[] = [];
    while (j >= 1) {
      const a = segs[j - 1]!;
      const b = segs[j]!;
      const jump = jumpAt(a, b, x[b.from]!);
      if (jump <= T.jumpSigmas * sigma) break;
      jumpTimes.unshift(x[b.from]!);
      j--;
    }
    if (jumpTimes.length >= DETECTOR_TUNING.minStairJumps) {
      let maxGap = 0;
      for (let i = 1; i < jumpTimes.length; i++) maxGap = Math.max(maxGap, jumpTimes[i]! - jumpTimes[i - 1]!);
      const sinceLast = xNow - jumpTimes[jumpTimes.length - 1]!;
      if (sinceLast <= 1.5 * maxGap) {
        // Include the level just before the first jump (one spacing's worth) so the slope spans whole steps.
        const first = jumpTimes[0]!;
        let k = segs[j + 1]!.from;
        while (k > segs[j]!.from && x[k - 1]! >= first - maxGap) k--;
        void y;
        return k;
      }
    }
    // A last segment too short to judge, entered without a real jump, is a wobble of the same regime.
    if (last >= 1 && xNow - x[segs[last]!.from]! < T.minJudgedHours) {
      const a = segs[last - 1]!;
      const b = segs[last]!;
      const jump = jumpAt(a, b, x[b.from]!);
      if (Math.abs(jump) <= T.jumpSigmas * sigma) return a.from;
    }
    return segs[last]!.from;
  }

  /** Start of the bend that ends at segment `from`: earlier segments joined without a jump, each faster. */
  private bendStart(segs: Segment[], x: Float64Array, from: number, maxJump: number): number {
    let k = segs.findIndex((sg) => sg.from <= from && from < sg.to);
    if (k < 0) return from;
    while (k > 0) {
      const a = segs[k - 1]!;
      const b = segs[k]!;
      const jump = jumpAt(a, b, x[b.from]!);
      if (Math.abs(jump) > maxJump || !(a.slope > b.slope)) break;
      k--;
    }
    return segs[k]!.from;
  }

  /** Highest baseline level (transients clipped) in the long segments before the judged one, or null. */
  private priorMax(segs: Segment[], x: Float64Array, y: Float64Array, startIdx: number): number | null {
    let best: number | null = null;
    // Every earlier stretch of priorMinHours, by its lower quartile: where the change-point search
    // chopped a noisy baseline into short pieces, the level it held before still counts (a quartile,
    // so a wobble or a burst covering part of the stretch does not).
    for (let a = 0; a < startIdx; ) {
      let b = a;
      while (b < startIdx && x[b]! - x[a]! < this.T.priorMinHours) b++;
      if (b - a >= 4 && b < startIdx) {
        const q = Float64Array.from(y.subarray(a, b)).sort()[(b - a) >> 2]!;
        if (best === null || q > best) best = q;
      }
      a = b;
    }
    for (const s of segs) {
      if (s.from >= startIdx) break;
      const end = Math.min(s.to, startIdx);
      if (x[end - 1]! - x[s.from]! < this.T.priorMinHours) continue;
      for (let i = s.from; i < end; i++) if (best === null || y[i]! > best) best = y[i]!;
    }
    return best;
  }

  private timeToExhaustion(worstNow: number, rate: number): number | null {
    if (!(rate > 0)) return null;
    if (this.opts.direction === 'free') return Math.max(0, -worstNow / rate); // s = -free reaches 0
    if (!this.opts.capacityBytes) return null;
    return Math.max(0, (this.opts.capacityBytes - worstNow) / rate);
  }
}

const SHAPE_WHY = {
  slowing: 'its later half climbs clearly slower than its earlier half: levelling off (a warm-up or the top of a load cycle?)',
  new: 'the climb is recent (its earlier half is flat): too new to call',
  step: 'both halves are flat: the level jumped once (a one-time step), it does not keep rising',
} as const;

/**
 * A leak is a steady rise: its two halves climb at about the same rate. Where the later half is clearly
 * slower than the earlier one (its interval's top below `ratio` x the earlier slope) the baseline is
 * levelling off: a warm-up tail, the top of a load cycle, a step just behind. Where the earlier half is
 * clearly slower, the rise is new (a fresh step at the end, the start of a cycle's climb): judge it when
 * the change-point search has placed it. Where both halves are clearly flatter than the whole, the level
 * jumped once between them (a step the change-point search has not placed yet). Either way: not a leak yet.
 */
function riseShape(
  x: Float64Array,
  y: Float64Array,
  from: number,
  end: number,
  z: number,
  ratio: number,
  rate: number,
): 'steady' | 'slowing' | 'new' | 'step' {
  const m = end - from;
  if (m < 8) return 'steady';
  const mid = from + (m >> 1);
  const a = trendTest(x, y, from, mid, z);
  const b = trendTest(x, y, mid, end, z);
  if (!a || !b) return 'steady';
  if (a.slope > 0 && b.ci[1] < ratio * a.slope) return 'slowing';
  if (b.slope > 0 && a.ci[1] < ratio * b.slope) return 'new';
  // Both halves clearly flatter than the whole: the rise happened at once, between them.
  if (a.ci[1] < ratio * rate && b.ci[1] < ratio * rate) return 'step';
  if (stepFitsBetter(x, y, from, end, STEP_FIT_RATIO)) return 'step';
  return 'steady';
}

/** Residual sum of squares of the best two-level (step) model must be below this fraction of a line's. */
const STEP_FIT_RATIO = 0.8;

/**
 * Does one jump between two flat levels explain [from, end) clearly better than a straight line? A steady
 * leak is a line (a step model leaves each half's ramp as error); a one-time step, or a warm-up that
 * has levelled off inside the stretch, is better told as two levels. Both models have the same number
 * of free values (two levels + split vs slope + intercept), so their errors compare directly. O(n).
 */
function stepFitsBetter(x: Float64Array, y: Float64Array, from: number, end: number, ratio: number): boolean {
  const m = end - from;
  if (m < 8) return false;
  const line = fitLine(x, y, from, end);
  let sseLine = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = from; i < end; i++) {
    const r = y[i]! - (line.intercept + line.slope * x[i]!);
    sseLine += r * r;
    sum += y[i]!;
    sumSq += y[i]! * y[i]!;
  }
  if (!(sseLine > 0)) return false;
  let bestStep = Infinity;
  let ls = 0;
  let lsq = 0;
  for (let k = from; k < end - 3; k++) {
    ls += y[k]!;
    lsq += y[k]! * y[k]!;
    const nl = k - from + 1;
    if (nl < 3) continue;
    const nr = m - nl;
    const rs = sum - ls;
    const rsq = sumSq - lsq;
    const sse = lsq - (ls * ls) / nl + (rsq - (rs * rs) / nr);
    if (sse < bestStep) bestStep = sse;
  }
  return bestStep < ratio * sseLine;
}

/** Level jump where segment b takes over from segment a, at x = xb: b's line minus a's line extended. */
function jumpAt(a: Segment, b: Segment, xb: number): number {
  return b.intercept + b.slope * xb - (a.intercept + a.slope * xb);
}

/**
 * PELT also breaks a gently curving ramp (a leak that speeds up a little, 1/x shapes). A break with no
 * level jump and a similar slope on both sides (within 30 % or one minimum leak rate) is not a level
 * change: join such neighbours so the judged segment covers the whole regime.
 */
function mergeSameRegime(x: Float64Array, y: Float64Array, segs: Segment[], maxJump: number, minRate: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    const a = out[out.length - 1];
    if (a) {
      const jump = jumpAt(a, s, x[s.from]!);
      const slopeDiff = Math.abs(s.slope - a.slope);
      if (Math.abs(jump) <= maxJump && slopeDiff <= Math.max(0.3 * Math.max(Math.abs(a.slope), Math.abs(s.slope)), minRate)) {
        out[out.length - 1] = fitLine(x, y, a.from, s.to);
        continue;
      }
    }
    out.push(s);
  }
  return out;
}

/** Re-expresses segments found on coarse windows as index ranges of the fine windows (same lines). */
function remapSegments(segs: Segment[], coarse: BaselineWindow[], fine: BaselineWindow[]): Segment[] {
  const out: Segment[] = [];
  let f = 0;
  for (const s of segs) {
    const endT = s.to < coarse.length ? coarse[s.to]!.t0 : Infinity;
    const from = f;
    while (f < fine.length && fine[f]!.t0 < endT) f++;
    if (f > from) out.push({ from, to: f, slope: s.slope, intercept: s.intercept });
  }
  return out.length ? out : [{ from: 0, to: fine.length, slope: 0, intercept: 0 }];
}

/**
 * Windows shorter than the saw-tooth period do not contain a trough each: their minima then ride up and
 * down the teeth. Merge neighbouring windows (min of 2, 4, 8) until the first-difference noise of the
 * minima stops falling: the coarsest level that is within 1.5x of the quietest level, keeping at least
 * `minPoints` points. This adapts the window to the period without estimating the period explicitly.
 */
function coarsenToPeriod(ws: BaselineWindow[], minPoints: number): BaselineWindow[] {
  const levels: BaselineWindow[][] = [ws];
  while (levels.length < 5) {
    const prev = levels[levels.length - 1]!;
    if (prev.length < 2 * minPoints) break;
    const next: BaselineWindow[] = [];
    for (let i = 0; i + 1 < prev.length; i += 2) {
      const a = prev[i]!;
      const b = prev[i + 1]!;
      next.push({
        t0: a.t0,
        t1: b.t1,
        min: Math.min(a.min, b.min),
        tMin: a.min <= b.min ? a.tMin : b.tMin,
        max: Math.max(a.max, b.max),
        count: a.count + b.count,
      });
    }
    if (prev.length % 2) next.push(prev[prev.length - 1]!);
    levels.push(next);
  }
  if (levels.length === 1) return ws;
  const noise = levels.map((l) => diffNoise(l.map((w) => w.min)));
  const quietest = Math.min(...noise);
  for (let j = 0; j < levels.length; j++) if (noise[j]! <= 1.5 * quietest) return levels[j]!;
  return ws;
}

/**
 * Bursts (an allocation storm that outlives a whole window) lift window minima for a while; clip
 * points that stand more than `limit` above their neighbours on BOTH sides (the running median of the
 * `half` points before, and of those after, inside the analysed data only: nothing beyond the current
 * sample is used). Both sides, because the first points after a step up stand above the points before
 * it but level with those after: clipping them against one centred median (or against residuals from
 * one global slope, which a step makes steep) would bend the step into a ramp, and a ramp is what a
 * leak looks like. The newest points have no "after": the side they have decides.
 */
function clipUpwardTransients(x: Float64Array, y: Float64Array, limit: number, half: number): void {
  const n = y.length;
  if (n < 6) return;
  const src = Float64Array.from(y);
  // The level a side predicts at point i: its median, carried to x[i] along the side's own robust slope
  // when it is the only side (a lone side lags a ramp by half its width: a leak's newest points would
  // look like a burst). With both sides, the higher median is the reference: no slope needed, and a
  // point on a ramp always has its later neighbours above it.
  const predict = (a: number, b: number, i: number): number | null => {
    if (b - a < 2) return null;
    const med = median(src.subarray(a, b));
    const slopes: number[] = [];
    for (let p = a; p < b; p++) for (let q = p + 1; q < b; q++) if (x[q]! > x[p]!) slopes.push((src[q]! - src[p]!) / (x[q]! - x[p]!));
    const slope = slopes.length ? median(slopes) : 0;
    return med + slope * (x[i]! - median(x.subarray(a, b)));
  };
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    const both = i - a >= 2 && b - (i + 1) >= 2;
    const ref = both
      ? Math.max(median(src.subarray(a, i)), median(src.subarray(i + 1, b)))
      : (predict(a, i, i) ?? predict(i + 1, b, i));
    if (ref !== null && src[i]! > ref + limit) y[i] = ref + limit;
  }
}

/** An interval a person can read: whole bytes while the KiB rendering would make both ends look equal. */
export function fmtRange(lo: number, hi: number): string {
  const a = fmtBytes(lo);
  const b = fmtBytes(hi);
  if (a !== b || Math.abs(hi) >= 1024 * 1024) return `${a}..${b}/h`;
  return `${Math.round(lo)}..${Math.round(hi)} B/h`;
}

export function fmtBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 10 * 1024 * 1024) return `${(b / 1048576).toFixed(0)} MiB`;
  if (a >= 1024 * 1024) return `${(b / 1048576).toFixed(1)} MiB`;
  if (a >= 10 * 1024) return `${(b / 1024).toFixed(0)} KiB`;
  if (a >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b.toFixed(0)} B`;
}

export function fmtH(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  return `${h.toFixed(h < 10 ? 1 : 0)} h`;
}

function fmtDur(h: number): string {
  return h < 1 ? `${Math.max(1, Math.round(h * 60))} min` : `${h.toFixed(1)} h`;
}

export type { TrendTest };
