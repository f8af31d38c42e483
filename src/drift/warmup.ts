// Warm-up vs leak. A warm-up (caches and pools filling) is an exponential approach to a plateau, and
// while it settles its baseline rises just like a leak: the slope alone cannot tell them apart, the
// CURVATURE can. Model the baseline as  y = a + b*x + c*exp(-(x - x0)/tau)  (a line plus a settling
// term; tau profiled over a grid, then ordinary least squares in a, b, c). When that curve explains the
// baseline clearly better than a line and it is decelerating (c < 0: rising towards a plateau), the
// leak question is about b, the slope that REMAINS once the warm-up is over: a warm-up alone has b ~ 0,
// a leak under a warm-up has b = the leak rate. Precog (Jindal et al. 2021) handles warm-up by waiting
// for a change point; this lets the verdict wait only as long as the data leave b uncertain.

export interface WarmupFit {
  /** settling time constant, hours */
  tauH: number;
  /** slope left after the warm-up (y units per hour) at the best tau, and its standard error
   *  (autocorrelation-inflated) */
  slope: number;
  slopeSE: number;
  /** lowest slope-minus-1.96-SE over every tau the data cannot reject (profile likelihood, 95 %): tau and
   *  the remaining slope trade off (a shorter settling plus a slope fits about as well as a longer one
   *  without), so a leak under a warm-up is only certain when every plausible tau leaves a slope > 0 */
  slopeLow: number;
  /** F statistic of the curve against a straight line (1 extra parameter), autocorrelation-deflated */
  f: number;
  /** the settling term rises towards a plateau (concave) */
  decelerating: boolean;
}

/** tau as fractions of the fitted span, a geometric grid (ratio 1.1) from a settling at the very start to
 *  half the span: fine, because a tau off by 15 % biases the remaining slope when noise is low; no longer,
 *  because a warm-up is a bend seen to settle (e^-2 by the end), and a longer tau is a gentle curvature
 *  that trades off against the slope without limit. */
const TAU_FRACTIONS = Array.from({ length: 34 }, (_, i) => 0.02 * 1.1 ** i);

export function fitWarmup(x: ArrayLike<number>, y: ArrayLike<number>, from: number, end: number): WarmupFit | null {
  const n = end - from;
  if (n < 10) return null;
  const x0 = x[from]!;
  const span = x[end - 1]! - x0;
  if (!(span > 0)) return null;
  let my = 0;
  let mx = 0;
  for (let i = from; i < end; i++) {
    my += y[i]!;
    mx += x[i]! - x0;
  }
  my /= n;
  mx /= n;
  // The straight line (for the F test and as the fallback).
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < end; i++) {
    const dx = x[i]! - x0 - mx;
    sxx += dx * dx;
    sxy += dx * (y[i]! - my);
  }
  if (!(sxx > 0)) return null;
  const lineSlope = sxy / sxx;
  let sseLine = 0;
  for (let i = from; i < end; i++) {
    const r = y[i]! - my - lineSlope * (x[i]! - x0 - mx);
    sseLine += r * r;
  }
  type Fit = { sse: number; tau: number; b: number; c: number; varB: number };
  const fits: Fit[] = [];
  let best: Fit | null = null;
  for (const frac of TAU_FRACTIONS) {
    const tau = frac * span;
    // Centred columns u = x - mean, e = exp(-(x - x0)/tau) - mean; solve the 2x2 normal equations.
    let me = 0;
    for (let i = from; i < end; i++) me += Math.exp(-(x[i]! - x0) / tau);
    me /= n;
    let suu = 0;
    let see = 0;
    let sue = 0;
    let suy = 0;
    let sey = 0;
    for (let i = from; i < end; i++) {
      const u = x[i]! - x0 - mx;
      const e = Math.exp(-(x[i]! - x0) / tau) - me;
      const v = y[i]! - my;
      suu += u * u;
      see += e * e;
      sue += u * e;
      suy += u * v;
      sey += e * v;
    }
    const det = suu * see - sue * sue;
    if (!(det > 1e-12 * suu * see)) continue;
    const b = (suy * see - sey * sue) / det;
    const c = (sey * suu - suy * sue) / det;
    let sse = 0;
    for (let i = from; i < end; i++) {
      const r = y[i]! - my - b * (x[i]! - x0 - mx) - c * (Math.exp(-(x[i]! - x0) / tau) - me);
      sse += r * r;
    }
    const fit = { sse, tau, b, c, varB: see / det };
    fits.push(fit);
    if (!best || sse < best.sse) best = fit;
  }
  if (!best) return null;
  // Window minima of a saw-tooth are serially correlated: inflate variances by (1 + rho) / (1 - rho),
  // rho = lag-1 autocorrelation of the curve's residuals (never below 1: no bolder than independent).
  const res = new Float64Array(n);
  {
    let me = 0;
    for (let i = from; i < end; i++) me += Math.exp(-(x[i]! - x0) / best.tau);
    me /= n;
    for (let i = from; i < end; i++)
      res[i - from] = y[i]! - my - best.b * (x[i]! - x0 - mx) - best.c * (Math.exp(-(x[i]! - x0) / best.tau) - me);
  }
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) c0 += res[i]! * res[i]!;
  for (let i = 1; i < n; i++) c1 += res[i]! * res[i - 1]!;
  const rho = c0 > 0 ? Math.min(0.9, Math.max(0, c1 / c0)) : 0;
  const inflation = (1 + rho) / (1 - rho);
  const s2 = best.sse / (n - 3);
  const f = s2 > 0 ? (sseLine - best.sse) / s2 / inflation : 0;
  // Profile likelihood: tau values whose error is within chi2(1, 95 %) = 3.84 (inflated) of the best.
  const plausible = best.sse + 3.84 * s2 * inflation;
  let slopeLow = Infinity;
  for (const ft of fits) {
    if (ft.sse > plausible || ft.c >= 0) continue;
    slopeLow = Math.min(slopeLow, ft.b - 1.96 * Math.sqrt(Math.max(0, s2 * ft.varB * inflation)));
  }
  slopeLow = Math.min(slopeLow, lineSlope);
  return {
    tauH: best.tau,
    slope: best.b,
    slopeLow,
    slopeSE: Math.sqrt(Math.max(0, s2 * best.varB * inflation)),
    f,
    // y = ... + c*exp(-t/tau): c < 0 rises towards a plateau (a warm-up); c > 0 falls away (not one).
    decelerating: best.c < 0,
  };
}
