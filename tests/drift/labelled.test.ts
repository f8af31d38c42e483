// The acceptance figures of issue 7, on the HELD-OUT seeds (the detector was tuned on TUNING_SEEDS).
// Traces are 24 h sampled every 5 s (the streaming cost at full rate is measured in bench/drift.ts).
import { describe, expect, it } from 'vitest';
import { HELD_OUT_SEEDS } from '../fixtures/drift/generate.js';
import { ALL_KINDS } from '../fixtures/drift/generate.js';
import { liveFalseAlarms, runSet, score } from './eval-set.js';

describe('labelled traces (held-out seeds)', () => {
  const set = runSet(HELD_OUT_SEEDS.first, HELD_OUT_SEEDS.count);
  const s = score(set);

  it('has precision >= 0.99 and recall >= 0.95', () => {
    expect(s.precision, s.failures.join('\n')).toBeGreaterThanOrEqual(0.99);
    expect(s.recall, s.failures.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('flags slow leaks (0.5-1 %/h) within 2 h of trace time (median), 5 h at worst', () => {
    expect(s.slowDelayMedianH).toBeLessThanOrEqual(2);
    expect(s.slowDelayMaxH).toBeLessThanOrEqual(5);
    // Without a warm-up on top (one that rises like a leak until it settles), within 2 h as a rule.
    expect(s.slowPlainDelayMedianH).toBeLessThanOrEqual(1.5);
  });

  it('rarely shows a healthy heap as leaking while the run goes on (verdict asked every 30 min)', () => {
    const live = liveFalseAlarms(HELD_OUT_SEEDS.first, HELD_OUT_SEEDS.count, ALL_KINDS);
    const detail = JSON.stringify(live.byKind);
    // All healthy kinds together: wrong at under 3 % of the checks (the first rise of a daily load cycle
    // and the first hour of a warm-up are most of what is left: see the issue 7 note).
    expect(live.alarmShare, detail).toBeLessThan(0.03);
    // Saw-tooth, one-time steps, bursts, noise, gaps, wrap-around: practically never.
    for (const k of ['sawtooth', 'step', 'bursts', 'noise', 'gaps', 'wrap'])
      expect(live.byKind[k]!.share, `${k}: ${detail}`).toBeLessThan(0.01);
  });

  it('estimates the leak rate within 10 % (median) and 35 % (90th percentile)', () => {
    expect(s.rateErrMedian).toBeLessThanOrEqual(0.1);
    expect(s.rateErrP90).toBeLessThanOrEqual(0.35);
  });
});
