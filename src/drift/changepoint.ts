// Change points of the baseline: PELT (Killick, Fearnhead & Eckley 2012) with a piecewise-LINEAR
// Gaussian cost. Linear rather than constant segments, because a steady leak is a ramp: a
// piecewise-constant model would chop every ramp into a staircase and turn each leak into a string of
// "steps". With lines, a ramp is one segment, a one-time step or the end of warm-up is a break, and the
// verdict looks only at what follows the last break (as Precog, Jindal et al. 2021, does).

export interface Segment {
  /** indices [from, to) into the points */
  from: number;
  to: number;
  slope: number;
  intercept: number;
}

/**
 * Segment points (x ascending) with penalty `penalty` per extra segment and at least `minLen` points
 * per segment. Cost evaluations are O(1) from prefix sums; PELT pruning keeps it near O(n).
 */
export function segmentLinear(x: ArrayLike<number>, y: ArrayLike<number>, penalty: number, minLen = 4): Segment[] {
  const n = x.length;
  if (n === 0) return [];
  const S = new Float64Array(n + 1);
  const Sx = new Float64Array(n + 1);
  const Sxx = new Float64Array(n + 1);
  const Sy = new Float64Array(n + 1);
  const Sxy = new Float64Array(n + 1);
  const Syy = new Float64Array(n + 1);
  // Center x and y to keep the sums well conditioned.
  const x0 = x[0]!;
  const y0 = y[0]!;
  for (let i = 0; i < n; i++) {
    const xi = x[i]! - x0;
    const yi = y[i]! - y0;
    S[i + 1] = S[i]! + 1;
    Sx[i + 1] = Sx[i]! + xi;
    Sxx[i + 1] = Sxx[i]! + xi * xi;
    Sy[i + 1] = Sy[i]! + yi;
    Sxy[i + 1] = Sxy[i]! + xi * yi;
    Syy[i + 1] = Syy[i]! + yi * yi;
  }
  const cost = (a: number, b: number): number => {
    const m = S[b]! - S[a]!;
    const sx = Sx[b]! - Sx[a]!;
    const sy = Sy[b]! - Sy[a]!;
    const vxx = Sxx[b]! - Sxx[a]! - (sx * sx) / m;
    const vyy = Syy[b]! - Syy[a]! - (sy * sy) / m;
    const vxy = Sxy[b]! - Sxy[a]! - (sx * sy) / m;
    const sse = vxx > 1e-12 ? vyy - (vxy * vxy) / vxx : vyy;
    return sse > 0 ? sse : 0;
  };
  const F = new Float64Array(n + 1).fill(Infinity);
  const last = new Int32Array(n + 1).fill(-1);
  F[0] = -penalty;
  let candidates: number[] = [0];
  for (let b = minLen; b <= n; b++) {
    let best = Infinity;
    let arg = -1;
    for (const a of candidates) {
      if (b - a < minLen || F[a] === Infinity) continue;
      const v = F[a]! + cost(a, b) + penalty;
      if (v < best) {
        best = v;
        arg = a;
      }
    }
    F[b] = best;
    last[b] = arg;
    // Prune: a start that is already worse than the best by more than the penalty can never win.
    const keep: number[] = [];
    for (const a of candidates) {
      if (b - a < minLen || F[a] === Infinity || F[a]! + cost(a, b) <= best) keep.push(a);
    }
    keep.push(b);
    candidates = keep;
  }
  // Trailing points that cannot form a full segment join the last one.
  let end = n;
  while (end > 0 && last[end] === -1) end--;
  const cuts: number[] = [];
  for (let b = end; b > 0; b = last[b]!) cuts.push(b);
  cuts.reverse();
  if (cuts.length === 0) cuts.push(n);
  cuts[cuts.length - 1] = n;
  const segs: Segment[] = [];
  let from = 0;
  for (const to of cuts) {
    segs.push(fitLine(x, y, from, to));
    from = to;
  }
  return segs;
}

/** Ordinary least squares line on [from, to) (inside a segment the noise is what PELT assumed). */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): Segment {
  const m = to - from;
  let sx = 0;
  let sy = 0;
  for (let i = from; i < to; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / m;
  const my = sy / m;
  let vxx = 0;
  let vxy = 0;
  for (let i = from; i < to; i++) {
    vxx += (x[i]! - mx) ** 2;
    vxy += (x[i]! - mx) * (y[i]! - my);
  }
  const slope = vxx > 0 ? vxy / vxx : 0;
  return { from, to, slope, intercept: my - slope * mx };
}
