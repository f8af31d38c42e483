// Streaming lateness statistics with constant memory: a 24 h run at 1 kHz is 86 M values, too many to
// keep and sort. A log-linear histogram (32 linear 1 µs bins, then 16 bins per power of two) answers
// p50/p99 within ~3 % relative error; the maximum is kept exactly.

const LINEAR = 32; // bins 0..31 are 1 µs wide
const SUB = 16; // bins per octave above 32 µs
const OCTAVES = 40; // up to 2^45 µs, i.e. far beyond any run

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export class LatencyHistogram {
  private readonly bins = new Float64Array(LINEAR + OCTAVES * SUB);
  private n = 0;
  private sum = 0;
  private max = 0;

  /** Adds one lateness in milliseconds (negative values count as 0: never early by design). */
  add(ms: number): void {
    const us = ms > 0 ? ms * 1000 : 0;
    this.bins[binOf(us)]!++;
    this.n++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  get count(): number {
    return this.n;
  }

  /** q in [0,1]; the midpoint of the bin holding that rank, capped at the exact maximum. */
  quantileMs(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.min(this.n, Math.max(1, Math.ceil(q * this.n)));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return Math.min(binMid(i), this.max) / 1000;
    }
    return this.max / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      p50Ms: this.quantileMs(0.5),
      p99Ms: this.quantileMs(0.99),
      maxMs: this.max / 1000,
      meanMs: this.n ? this.sum / this.n / 1000 : 0,
    };
  }
}

function binOf(us: number): number {
  if (us < LINEAR) return Math.floor(us);
  const octave = Math.floor(Math.log2(us)); // >= 5
  const sub = Math.floor(us / 2 ** (octave - 4)) - SUB; // 0..15
  const i = LINEAR + (octave - 5) * SUB + Math.min(SUB - 1, Math.max(0, sub));
  return Math.min(i, LINEAR + OCTAVES * SUB - 1);
}

function binMid(i: number): number {
  if (i < LINEAR) return i + 0.5;
  const octave = Math.floor((i - LINEAR) / SUB) + 5;
  const sub = (i - LINEAR) % SUB;
  const width = 2 ** (octave - 4);
  return (SUB + sub) * width + width / 2;
}
