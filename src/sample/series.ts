// Bounded history for long runs. Each signal keeps raw samples for the last few minutes and, per tier,
// min/max/sum/count/last per 1 s, 1 min and 15 min bucket in fixed-size rings. Everything is allocated
// up front, so 24 h or 7 days at 100 Hz cost the same memory as the first hour. A window query picks
// the coarsest tier that still gives the requested resolution and covers the window, so drawing a
// whole day at screen width reads a few hundred buckets, never the raw samples.

export interface TierSpec {
  /** Bucket width in seconds. */
  widthS: number;
  /** Buckets kept (ring size). */
  buckets: number;
}

export interface SeriesOptions {
  /** Highest rate this signal is sampled at (sizes the raw ring). */
  rateHz: number;
  /** Raw samples kept for this many seconds (default 300). */
  rawSeconds?: number;
  /** Coarser tiers, finest first (default 1 s x 6 h, 1 min x 7 d, 15 min x 90 d). */
  tiers?: readonly TierSpec[];
}

export const DEFAULT_TIERS: readonly TierSpec[] = [
  { widthS: 1, buckets: 6 * 3600 },
  { widthS: 60, buckets: 7 * 24 * 60 },
  { widthS: 900, buckets: 90 * 24 * 4 },
];

export interface WindowResult {
  /** Start time (s) of each point. */
  t: Float64Array;
  /** NaN where the window holds no sample. */
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  /** Which resolution answered: 'raw' or the tier width in seconds. */
  source: 'raw' | number;
  /** Raw samples or buckets visited (what the query cost). */
  visited: number;
}

// Bucket layout in a tier's Float64Array: [index, min, max, sum, count, last] per slot.
const F = 6;

class Tier {
  readonly data: Float64Array;
  newest = -1;
  oldestEver = -1;
  constructor(
    readonly widthS: number,
    readonly buckets: number,
  ) {
    this.data = new Float64Array(buckets * F).fill(NaN);
  }

  // The bucket the last sample went to, and where it ends: most samples land in the same bucket as
  // the previous one, which then costs one comparison instead of a division and a modulo.
  private curOffset = -1;
  private curEnd = -Infinity;
  private curStart = Infinity;

  add(t: number, v: number): void {
    const d = this.data;
    if (t < this.curEnd && t >= this.curStart) {
      const o = this.curOffset;
      if (v < d[o + 1]!) d[o + 1] = v;
      if (v > d[o + 2]!) d[o + 2] = v;
      d[o + 3]! += v;
      d[o + 4]! += 1;
      d[o + 5] = v;
      return;
    }
    const b = Math.floor(t / this.widthS);
    const o = (b % this.buckets) * F;
    this.curOffset = o;
    this.curStart = b * this.widthS;
    this.curEnd = (b + 1) * this.widthS;
    if (d[o] !== b) {
      d[o] = b;
      d[o + 1] = v;
      d[o + 2] = v;
      d[o + 3] = v;
      d[o + 4] = 1;
      d[o + 5] = v;
    } else {
      if (v < d[o + 1]!) d[o + 1] = v;
      if (v > d[o + 2]!) d[o + 2] = v;
      d[o + 3]! += v;
      d[o + 4]! += 1;
      d[o + 5] = v;
    }
    if (b > this.newest) this.newest = b;
    if (this.oldestEver < 0) this.oldestEver = b;
  }

  /** True when no bucket at or after the one holding time s has been overwritten. */
  covers(s: number): boolean {
    if (this.newest < 0) return true;
    const oldestKept = this.newest - this.buckets + 1;
    return oldestKept <= this.oldestEver || oldestKept * this.widthS <= s;
  }
}

export class TieredSeries {
  private readonly rawT: Float64Array;
  private readonly rawV: Float64Array;
  private rawHead = 0; // next write slot
  private rawSize = 0;
  private readonly tiers: Tier[];
  private firstT = NaN;
  private lastT = NaN;
  private lastValue = NaN;
  private count = 0;

  constructor(opts: SeriesOptions) {
    const rawSeconds = opts.rawSeconds ?? 300;
    const cap = Math.max(16, Math.ceil(rawSeconds * opts.rateHz * 1.05) + 1);
    this.rawT = new Float64Array(cap);
    this.rawV = new Float64Array(cap);
    this.tiers = (opts.tiers ?? DEFAULT_TIERS).map((s) => new Tier(s.widthS, s.buckets));
  }

  /** Appends a sample; t (seconds since start) must not go backwards. null/NaN marks a gap. */
  push(t: number, value: number | null): void {
    const v = value === null ? NaN : value;
    const h = this.rawHead;
    this.rawT[h] = t;
    this.rawV[h] = v;
    this.rawHead = h + 1 === this.rawT.length ? 0 : h + 1;
    if (this.rawSize < this.rawT.length) this.rawSize++;
    if (Number.isNaN(this.firstT)) this.firstT = t;
    this.lastT = t;
    if (Number.isNaN(v)) return;
    this.count++;
    this.lastValue = v;
    for (const tier of this.tiers) tier.add(t, v);
  }

  get samples(): number {
    return this.count;
  }
  get first(): number {
    return this.firstT;
  }
  get last(): number {
    return this.lastT;
  }
  get lastValueSeen(): number {
    return this.lastValue;
  }

  /** Bytes held by this series' buffers (constant after construction). */
  memoryBytes(): number {
    return this.rawT.byteLength + this.rawV.byteLength + this.tiers.reduce((n, t) => n + t.data.byteLength, 0);
  }

  /** Oldest time still held raw. */
  rawFrom(): number {
    if (this.rawSize === 0) return NaN;
    const oldest = this.rawSize < this.rawT.length ? 0 : this.rawHead;
    return this.rawT[oldest]!;
  }

  /** min/max/mean for `points` equal slices of [fromS, toS). */
  query(fromS: number, toS: number, points: number): WindowResult {
    const n = Math.max(1, Math.floor(points));
    const w = (toS - fromS) / n;
    const out: WindowResult = {
      t: new Float64Array(n),
      min: new Float64Array(n).fill(NaN),
      max: new Float64Array(n).fill(NaN),
      mean: new Float64Array(n).fill(NaN),
      source: 'raw',
      visited: 0,
    };
    for (let i = 0; i < n; i++) out.t[i] = fromS + i * w;
    if (!(w > 0) || this.rawSize === 0) return out;
    const sums = new Float64Array(n);
    const counts = new Float64Array(n);
    const tier = this.pickTier(fromS, w);
    if (tier === null) {
      out.visited = this.scanRaw(fromS, toS, w, out, sums, counts);
    } else {
      out.source = tier.widthS;
      out.visited = this.scanTier(tier, fromS, toS, w, out, sums, counts);
    }
    for (let i = 0; i < n; i++) if (counts[i]! > 0) out.mean[i] = sums[i]! / counts[i]!;
    return out;
  }

  /** null = raw. The coarsest resolution no coarser than w that still covers fromS. */
  private pickTier(fromS: number, w: number): Tier | null {
    const from = Math.max(fromS, this.firstT);
    const rawCovers = this.rawSize < this.rawT.length || this.rawFrom() <= from;
    let best: Tier | null | undefined = rawCovers ? null : undefined;
    for (const t of this.tiers) if (t.widthS <= w && t.covers(from)) best = t;
    if (best !== undefined) return best;
    // Nothing fine enough covers the window: take the finest one that does (fewer, wider points).
    for (const t of this.tiers) if (t.covers(from)) return t;
    return this.tiers[this.tiers.length - 1] ?? null;
  }

  private scanRaw(
    fromS: number,
    toS: number,
    w: number,
    out: WindowResult,
    sums: Float64Array,
    counts: Float64Array,
  ): number {
    const cap = this.rawT.length;
    const start = this.rawSize < cap ? 0 : this.rawHead;
    // Binary search the first sample >= fromS: the ring is sorted by time from `start`.
    let lo = 0;
    let hi = this.rawSize;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rawT[(start + mid) % cap]! < fromS) lo = mid + 1;
      else hi = mid;
    }
    let visited = 0;
    for (let i = lo; i < this.rawSize; i++) {
      const j = (start + i) % cap;
      const t = this.rawT[j]!;
      if (t >= toS) break;
      visited++;
      const v = this.rawV[j]!;
      if (Number.isNaN(v)) continue;
      accumulate(out, sums, counts, Math.min(out.t.length - 1, Math.floor((t - fromS) / w)), v, v, v, 1);
    }
    return visited;
  }

  private scanTier(
    tier: Tier,
    fromS: number,
    toS: number,
    w: number,
    out: WindowResult,
    sums: Float64Array,
    counts: Float64Array,
  ): number {
    const W = tier.widthS;
    const firstB = Math.ceil(fromS / W - 1e-9);
    const lastB = Math.min(tier.newest, Math.ceil(toS / W - 1e-9) - 1);
    const d = tier.data;
    let visited = 0;
    for (let b = Math.max(firstB, tier.newest - tier.buckets + 1); b <= lastB; b++) {
      const o = (b % tier.buckets) * F;
      visited++;
      if (d[o] !== b) continue;
      const p = Math.min(out.t.length - 1, Math.floor((b * W - fromS) / w + 1e-9));
      accumulate(out, sums, counts, p, d[o + 1]!, d[o + 2]!, d[o + 3]!, d[o + 4]!);
    }
    return visited;
  }
}

function accumulate(
  out: WindowResult,
  sums: Float64Array,
  counts: Float64Array,
  p: number,
  min: number,
  max: number,
  sum: number,
  count: number,
): void {
  if (!(out.min[p]! <= min)) out.min[p] = min;
  if (!(out.max[p]! >= max)) out.max[p] = max;
  sums[p]! += sum;
  counts[p]! += count;
}

/** A set of named signals sampled together. */
export class SeriesStore {
  private readonly byName = new Map<string, TieredSeries>();

  constructor(names: readonly string[], opts: SeriesOptions | ((name: string) => SeriesOptions)) {
    for (const name of names) this.byName.set(name, new TieredSeries(typeof opts === 'function' ? opts(name) : opts));
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): TieredSeries | undefined {
    return this.byName.get(name);
  }

  /** values[i] belongs to names[i]; undefined = not sampled this time (nothing stored). */
  pushRow(t: number, values: readonly (number | null | undefined)[]): void {
    let i = 0;
    for (const s of this.byName.values()) {
      const v = values[i++];
      if (v !== undefined) s.push(t, v);
    }
  }

  memoryBytes(): number {
    let n = 0;
    for (const s of this.byName.values()) n += s.memoryBytes();
    return n;
  }
}
