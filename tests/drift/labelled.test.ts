// The acceptance figures of issue 7, on the HELD-OUT seeds (the detector was tuned on TUNING_SEEDS).
// Traces are 24 h sampled every 5 s (the streaming cost at full rate is measured in bench/drift.ts).
import { describe, expect, it } from 'vitest';
import { HELD_OUT_SEEDS } from '../fixtures/drift/generate.js';
import { runSet, score } from './eval-set.js';

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
  });

  it('estimates the leak rate within 10 % (median) and 35 % (90th percentile)', () => {
    expect(s.rateErrMedian).toBeLessThanOrEqual(0.1);
    expect(s.rateErrP90).toBeLessThanOrEqual(0.35);
  });
});
