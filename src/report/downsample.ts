// Bounded min/max buckets for charts: a 24 h x 100 Hz signal becomes <= 2 x maxBuckets points, and a
// bucket with no samples stays missing so the chart shows the probe gap as a gap.
export interface Bucket {
  t0: number;
  min: number;
  max: number;
  count: number;
}

export class MinMaxDownsampler {
  readonly buckets: Bucket[] = [];
  constructor(
    public widthS = 10,
    private readonly maxBuckets = 1500,
  ) {}

  add(t: number, v: number): void {
    if (!Number.isFinite(v)) return;
    const start = Math.floor(t / this.widthS) * this.widthS;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.t0 === start) {
      if (v < last.min) last.min = v;
      if (v > last.max) last.max = v;
      last.count++;
      return;
    }
    this.buckets.push({ t0: start, min: v, max: v, count: 1 });
    if (this.buckets.length > this.maxBuckets) this.halve();
  }

  private halve(): void {
    this.widthS *= 2;
    const out: Bucket[] = [];
    for (const b of this.buckets) {
      const start = Math.floor(b.t0 / this.widthS) * this.widthS;
      const last = out[out.length - 1];
      if (last && last.t0 === start) {
        last.min = Math.min(last.min, b.min);
        last.max = Math.max(last.max, b.max);
        last.count += b.count;
      } else out.push({ ...b, t0: start });
    }
    this.buckets.length = 0;
    this.buckets.push(...out);
  }
}
