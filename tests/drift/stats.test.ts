import { describe, expect, it } from 'vitest';
import { trendTest, diffNoise } from '../../src/drift/stats.js';
import { segmentLinear } from '../../src/drift/changepoint.js';
import { mulberry32 } from '../fixtures/drift/generate.js';

const xs = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i);

describe('drift statistics', () => {
  it('Theil-Sen recovers the slope of a line despite 30% wild outliers', () => {
    const rnd = mulberry32(1);
    const x = xs(60);
    const y = Float64Array.from(x, (v) => 3 * v + 10 + (rnd() < 0.3 ? 1000 * rnd() : 0));
    const t = trendTest(x, y, 0, 60)!;
    expect(t.slope).toBeGreaterThan(2.8);
    expect(t.slope).toBeLessThan(3.2);
  });

  it('Mann-Kendall finds no trend in white noise', () => {
    const rnd = mulberry32(2);
    const y = Float64Array.from({ length: 100 }, () => rnd());
    expect(trendTest(xs(100), y, 0, 100)!.pUp).toBeGreaterThan(0.01);
  });

  it('the Hamed-Rao correction inflates the variance of an autocorrelated series', () => {
    const y = Float64Array.from({ length: 120 }, (_, i) => Math.sin(i / 6));
    const t = trendTest(xs(120), y, 0, 120)!;
    expect(t.inflation).toBeGreaterThan(2);
  });

  it('the rank confidence interval contains the true slope of a noisy line', () => {
    const rnd = mulberry32(3);
    const y = Float64Array.from({ length: 80 }, (_, i) => 0.5 * i + 4 * (rnd() - 0.5));
    const t = trendTest(xs(80), y, 0, 80, 2.576)!;
    expect(t.ci[0]).toBeLessThan(0.5);
    expect(t.ci[1]).toBeGreaterThan(0.5);
  });

  it('PELT with linear segments puts one break at a level step and none in a ramp', () => {
    const rnd = mulberry32(4);
    const x = xs(100);
    const step = Float64Array.from(x, (v) => (v < 60 ? 100 : 160) + rnd());
    const ramp = Float64Array.from(x, (v) => 2 * v + rnd());
    const pen = (y: Float64Array): number => 8 * diffNoise(y) ** 2 * Math.log(100);
    const s = segmentLinear(x, step, pen(step));
    expect(s.length).toBe(2);
    expect(Math.abs(s[1]!.from - 60)).toBeLessThanOrEqual(1);
    expect(segmentLinear(x, ramp, pen(ramp)).length).toBe(1);
  });
});
