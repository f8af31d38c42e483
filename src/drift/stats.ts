// Robust trend statistics on short series (the baseline has at most a few hundred points):
// Theil-Sen slope with Sen's rank confidence interval, and the Mann-Kendall trend test with the
// Hamed & Rao (1998) variance correction for autocorrelation. Why these: both are rank based, so a
// burst or a missed trough cannot drag them; the correction matters because window minima of a
// saw-tooth are serially correlated and the plain test would call wiggles "trends".

export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values as ArrayLike<number>);
  if (a.length === 0) return NaN;
  a.sort();
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/** Scale of noise from first differences (robust to trends and steps): 1.4826 * MAD(diff) / sqrt(2). */
export function diffNoise(y: ArrayLike<number>): number {
  if (y.length < 3) return 0;
  const d = new Float64Array(y.length - 1);
  for (let i = 1; i < y.length; i++) d[i - 1] = y[i]! - y[i - 1]!;
  const m = median(d);
  for (let i = 0; i < d.length; i++) d[i] = Math.abs(d[i]! - m);
  return (1.4826 * median(d)) / Math.SQRT2;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export interface TrendTest {
  n: number;
  /** Theil-Sen slope (units of y per unit of x). */
  slope: number;
  intercept: number;
  /** Sen's confidence interval for the slope at the requested level, variance corrected. */
  ci: [number, number];
  /** Mann-Kendall S and its corrected Z. */
  s: number;
  z: number;
  /** One-sided p for an increasing trend. */
  pUp: number;
  /** Hamed-Rao variance inflation n/n* (>= 1). */
  inflation: number;
}

/**
 * Theil-Sen + corrected Mann-Kendall on points x (ascending) / y, indices [from, to).
 * `z2` is the two-sided normal quantile of the interval (1.96 for 95 %). O(n^2), n <= ~250 here.
 */
export function trendTest(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, z2 = 1.96): TrendTest | null {
  const n = to - from;
  if (n < 4) return null;
  const pairs = (n * (n - 1)) / 2;
  const slopes = new Float64Array(pairs);
  let k = 0;
  let s = 0;
  for (let i = from; i < to; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < to; j++) {
      const dy = y[j]! - yi;
      s += dy > 0 ? 1 : dy < 0 ? -1 : 0;
      const dx = x[j]! - xi;
      slopes[k++] = dx > 0 ? dy / dx : dy > 0 ? Infinity : dy < 0 ? -Infinity : 0;
    }
  }
  slopes.sort();
  const slope = pairs % 2 ? slopes[pairs >> 1]! : (slopes[(pairs >> 1) - 1]! + slopes[pairs >> 1]!) / 2;
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) resid[i] = y[from + i]! - slope * x[from + i]!;
  const intercept = median(resid);

  // Variance of S with the tie correction (integer byte counters tie often).
  const sortedY = Float64Array.from({ length: n }, (_, i) => y[from + i]!).sort();
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sortedY[j] === sortedY[i]) j++;
    const t = j - i;
    if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const var0 = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;

  // Hamed-Rao: autocorrelation of the ranks of the detrended series, significant lags only.
  const rank = ranksOf(resid);
  const mean = (n + 1) / 2;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += (rank[i]! - mean) ** 2;
  let sum = 0;
  const bound = 1.96 / Math.sqrt(n);
  if (c0 > 0) {
    for (let lag = 1; lag < n - 2; lag++) {
      let c = 0;
      for (let i = 0; i + lag < n; i++) c += (rank[i]! - mean) * (rank[i + lag]! - mean);
      const rho = c / c0;
      if (Math.abs(rho) > bound) sum += (n - lag) * (n - lag - 1) * (n - lag - 2) * rho;
    }
  }
  // Never let negative autocorrelation make the test bolder than the independent case.
  const inflation = Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
  const variance = Math.max(var0 * inflation, 1e-12);
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;

  // Sen (1968) / Gilbert (1987) rank interval, using the corrected variance so it widens with autocorrelation.
  const c = z2 * Math.sqrt(variance);
  const lo = Math.max(0, Math.floor((pairs - c) / 2));
  const hi = Math.min(pairs - 1, Math.ceil((pairs + c) / 2));
  return { n, slope, intercept, ci: [slopes[lo]!, slopes[hi]!], s, z, pUp: 1 - normCdf(z), inflation };
}

function ranksOf(v: Float64Array): Float64Array {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Float64Array(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i + 1;
    while (j < idx.length && v[idx[j]!] === v[idx[i]!]) j++;
    const avg = (i + j + 1) / 2;
    for (let k = i; k < j; k++) r[idx[k]!] = avg;
    i = j;
  }
  return r;
}
