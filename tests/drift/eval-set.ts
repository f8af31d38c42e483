// Runs the detector over a labelled set and scores it (shared by the tests and the tuning script).
import { createLeakDetector } from '../../src/drift/detector.js';
import type { LeakResult } from '../../src/drift/types.js';
import { ALL_KINDS, generateTrace, type Trace, type TraceKind } from '../fixtures/drift/generate.js';

export interface Scored {
  trace: Pick<Trace, 'kind' | 'seed' | 'leak' | 'rateBytesPerHour' | 'leakStartS' | 'capacity'> & {
    /** a warm-up runs under the leak (it rises like one until it settles) */
    warm: boolean;
  };
  result: LeakResult;
}

export function runTrace(tr: Trace): LeakResult {
  const d = createLeakDetector({ direction: 'used', capacityBytes: tr.capacity });
  for (let i = 0; i < tr.t.length; i++) {
    const v = tr.used[i]!;
    d.push(tr.t[i]!, Number.isNaN(v) ? null : v);
  }
  return d.result();
}

/**
 * Like runTrace, but also asks for the verdict every `everyS` of trace time, as a live view would:
 * returns the trace times (s) at which the answer was `leak` (a streaming false alarm on a no-leak trace).
 */
export function runTraceLive(tr: Trace, everyS = 1800): { result: LeakResult; leakAtS: number[] } {
  const d = createLeakDetector({ direction: 'used', capacityBytes: tr.capacity });
  const leakAtS: number[] = [];
  let next = everyS;
  for (let i = 0; i < tr.t.length; i++) {
    const v = tr.used[i]!;
    d.push(tr.t[i]!, Number.isNaN(v) ? null : v);
    if (tr.t[i]! >= next) {
      next += everyS;
      if (d.result().verdict === 'leak') leakAtS.push(tr.t[i]!);
    }
  }
  return { result: d.result(), leakAtS };
}

export interface LiveScore {
  /** healthy traces the live view ever showed as leak, of all healthy traces */
  tracesEverAlarmed: number;
  traces: number;
  /** share of all live checks on healthy traces that showed leak (how much of the time the alarm is wrong) */
  alarmShare: number;
  /** the same per kind */
  byKind: Record<string, { ever: number; traces: number; share: number }>;
}

/** The live view's false alarms over the healthy traces of a seed range (verdict asked every `everyS`). */
export function liveFalseAlarms(first: number, count: number, kinds: readonly TraceKind[], everyS = 1800): LiveScore {
  const byKind: LiveScore['byKind'] = {};
  let ever = 0;
  let traces = 0;
  let alarms = 0;
  let checks = 0;
  for (const kind of kinds)
    for (let s = first; s < first + count; s++) {
      const tr = generateTrace(kind, s);
      if (tr.leak) continue;
      const { leakAtS } = runTraceLive(tr, everyS);
      const n = Math.floor(tr.t[tr.t.length - 1]! / everyS);
      const k = (byKind[kind] ??= { ever: 0, traces: 0, share: 0 });
      k.traces++;
      k.share += leakAtS.length / n;
      if (leakAtS.length) k.ever++;
      traces++;
      if (leakAtS.length) ever++;
      alarms += leakAtS.length;
      checks += n;
    }
  for (const k of Object.values(byKind)) k.share /= k.traces;
  return { tracesEverAlarmed: ever, traces, alarmShare: checks ? alarms / checks : 0, byKind };
}

export function runSet(first: number, count: number, kinds: readonly TraceKind[] = ALL_KINDS, dtS = 5): Scored[] {
  const out: Scored[] = [];
  for (const kind of kinds)
    for (let s = first; s < first + count; s++) {
      const tr = generateTrace(kind, s, { dtS });
      out.push({
        trace: {
          kind,
          seed: s,
          leak: tr.leak,
          rateBytesPerHour: tr.rateBytesPerHour,
          leakStartS: tr.leakStartS,
          capacity: tr.capacity,
          warm: (tr.params.warmAmp ?? 0) > 0,
        },
        result: runTrace(tr),
      });
    }
  return out;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  undecidedNoLeak: number;
  precision: number;
  recall: number;
  /** detection delay (h) of the slow leaks: max and median; and of those without a warm-up under them */
  slowDelayMaxH: number;
  slowDelayMedianH: number;
  slowPlainDelayMaxH: number;
  slowPlainDelayMedianH: number;
  /** |estimated - true| / true over detected leaks: median and 90th percentile */
  rateErrMedian: number;
  rateErrP90: number;
  failures: string[];
}

export function score(set: Scored[]): Score {
  let tp = 0, fp = 0, fn = 0, tn = 0, und = 0;
  const delays: number[] = [];
  const plainDelays: number[] = [];
  const errs: number[] = [];
  const failures: string[] = [];
  for (const { trace, result } of set) {
    const said = result.verdict === 'leak';
    if (trace.leak && said) {
      tp++;
      errs.push(Math.abs(result.rateBytesPerHour! - trace.rateBytesPerHour) / trace.rateBytesPerHour);
      if (trace.kind === 'slow-leak') {
        const h = (result.detectedAtS! - trace.leakStartS!) / 3600;
        delays.push(h);
        if (!trace.warm) plainDelays.push(h);
      }
    } else if (trace.leak) {
      fn++;
      failures.push(`missed ${trace.kind}#${trace.seed}: ${result.verdict}: ${result.reason}`);
    } else if (said) {
      fp++;
      failures.push(`false alarm ${trace.kind}#${trace.seed}: ${result.reason}`);
    } else {
      tn++;
      if (result.verdict === 'undecided') und++;
    }
  }
  const q = (a: number[], f: number): number => {
    if (!a.length) return NaN;
    const s = [...a].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  };
  return {
    tp, fp, fn, tn, undecidedNoLeak: und,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    slowDelayMaxH: delays.length ? Math.max(...delays) : NaN,
    slowDelayMedianH: q(delays, 0.5),
    slowPlainDelayMaxH: plainDelays.length ? Math.max(...plainDelays) : NaN,
    slowPlainDelayMedianH: q(plainDelays, 0.5),
    rateErrMedian: q(errs, 0.5),
    rateErrP90: q(errs, 0.9),
    failures,
  };
}
