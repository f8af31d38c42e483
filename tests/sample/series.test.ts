import { describe, expect, it } from 'vitest';
import { SeriesStore, TieredSeries, type WindowResult } from '../../src/sample/series.js';

/** Deterministic random walk, like a heap counter that moves up and down. */
function walk(seed: number): () => number {
  let s = seed;
  let v = 10_000;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v += Math.round((s / 2 ** 31 - 0.5) * 200);
    return v;
  };
}

/** The reference: every sample kept, each window computed by a full scan. */
function bruteForce(ts: number[], vs: number[], from: number, to: number, points: number) {
  const w = (to - from) / points;
  const min = new Array<number>(points).fill(NaN);
  const max = new Array<number>(points).fill(NaN);
  const sum = new Array<number>(points).fill(0);
  const cnt = new Array<number>(points).fill(0);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t < from || t >= to) continue;
    const p = Math.min(points - 1, Math.floor((t - from) / w));
    const v = vs[i]!;
    if (!(min[p]! <= v)) min[p] = v;
    if (!(max[p]! >= v)) max[p] = v;
    sum[p]! += v;
    cnt[p]!++;
  }
  return { min, max, mean: sum.map((s, i) => (cnt[i] ? s / cnt[i]! : NaN)) };
}

function expectSame(got: WindowResult, ref: ReturnType<typeof bruteForce>): void {
  expect(Array.from(got.min)).toEqual(ref.min);
  expect(Array.from(got.max)).toEqual(ref.max);
  got.mean.forEach((m, i) => {
    if (Number.isNaN(ref.mean[i]!)) expect(m).toBeNaN();
    else expect(m).toBeCloseTo(ref.mean[i]!, 6);
  });
}

describe('TieredSeries', () => {
  // 3 h at 10 Hz: raw keeps 5 min, so older windows must come from the tiers.
  const rate = 10;
  const ts: number[] = [];
  const vs: number[] = [];
  const s = new TieredSeries({ rateHz: rate, rawSeconds: 300 });
  const next = walk(7);
  for (let i = 0; i < 3 * 3600 * rate; i++) {
    const t = i / rate;
    const v = next();
    ts.push(t);
    vs.push(v);
    s.push(t, v);
  }
  const end = 3 * 3600;

  it('answers the last minute from raw samples, exactly as a full scan does', () => {
    const r = s.query(end - 60, end, 240);
    expect(r.source).toBe('raw');
    expectSame(r, bruteForce(ts, vs, end - 60, end, 240));
  });

  it('answers a 10-minute window from the 1 s tier without touching raw samples', () => {
    const r = s.query(end - 600, end, 100); // 6 s per point
    expect(r.source).toBe(1);
    expect(r.visited).toBeLessThanOrEqual(600);
    expectSame(r, bruteForce(ts, vs, end - 600, end, 100));
  });

  it('answers the whole 3 h run at 180 points from the 1 min tier, visiting 180 buckets', () => {
    const r = s.query(0, end, 180);
    expect(r.source).toBe(60);
    expect(r.visited).toBe(180);
    expectSame(r, bruteForce(ts, vs, 0, end, 180));
  });

  it('answers an old window (raw long gone) from a tier', () => {
    const r = s.query(1800, 2400, 60);
    expect(r.source).toBe(1);
    expectSame(r, bruteForce(ts, vs, 1800, 2400, 60));
  });

  it('leaves points with no sample as NaN and skips gap markers', () => {
    const g = new TieredSeries({ rateHz: 1, rawSeconds: 60 });
    for (let t = 0; t < 10; t++) g.push(t, t < 5 ? t : null);
    const r = g.query(0, 10, 10);
    expect(Array.from(r.max.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(r.max.slice(5)).every(Number.isNaN)).toBe(true);
    expect(g.samples).toBe(5);
  });

  it('falls back to a coarser tier when the fine one has been overwritten', () => {
    const small = new TieredSeries({
      rateHz: 1,
      rawSeconds: 10,
      tiers: [
        { widthS: 1, buckets: 100 },
        { widthS: 60, buckets: 1000 },
      ],
    });
    const t2: number[] = [];
    const v2: number[] = [];
    const n2 = walk(3);
    for (let t = 0; t < 7200; t++) {
      const v = n2();
      t2.push(t);
      v2.push(v);
      small.push(t, v);
    }
    const r = small.query(0, 3600, 1800); // 2 s per point wanted, but the 1 s tier holds only 100 s
    expect(r.source).toBe(60);
    const ref = bruteForce(t2, v2, 0, 3600, 60); // one point per minute bucket
    const got = Array.from(r.max).filter((x) => !Number.isNaN(x));
    expect(got).toEqual(ref.max);
  });
});

describe('SeriesStore memory budget', () => {
  it('holds 16 signals at 100 Hz in a fixed budget (< 48 MB) that does not grow over a simulated 24 h', () => {
    const names = Array.from({ length: 16 }, (_, i) => `sig${i}`);
    const store = new SeriesStore(names, { rateHz: 100 });
    const budget = 48 * 1024 * 1024;
    const before = store.memoryBytes();
    expect(before).toBeLessThan(budget);
    // Each signal's buffers are its own: drive one through 24 h at 100 Hz (8.64 M samples).
    const one = store.get('sig0')!;
    const next = walk(11);
    let max = -Infinity;
    let min = Infinity;
    let sum = 0;
    const n = 24 * 3600 * 100;
    for (let i = 0; i < n; i++) {
      const v = next();
      if (v > max) max = v;
      if (v < min) min = v;
      sum += v;
      one.push(i / 100, v);
    }
    expect(store.memoryBytes()).toBe(before);
    const whole = one.query(0, 24 * 3600, 96); // 15 min per point
    expect(whole.source).toBe(900);
    expect(whole.visited).toBe(96);
    expect(Math.max(...whole.max)).toBe(max);
    expect(Math.min(...whole.min)).toBe(min);
    const mean = whole.mean.reduce((a, b) => a + b, 0) / 96;
    expect(mean).toBeCloseTo(sum / n, 3);
  }, 60_000);
});
