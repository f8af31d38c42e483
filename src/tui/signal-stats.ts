// Running statistics of one signal since the last reset: current, min, max, mean and a
// least-squares rate of change per hour. O(1) per sample and memory.
import type { SignalStats } from './model.js';

export class RunningStats {
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private current: number | null = null;
  private t0 = NaN;
  // Sums for the least-squares slope, with x = t - t0 so that large times keep their precision.
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;

  push(t: number, v: number): void {
    if (Number.isNaN(this.t0)) this.t0 = t;
    const x = t - this.t0;
    this.n++;
    this.current = v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sx += x;
    this.sy += v;
    this.sxx += x * x;
    this.sxy += x * v;
  }

  reset(): void {
    this.n = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.t0 = NaN;
    this.sx = this.sy = this.sxx = this.sxy = 0;
  }

  view(): SignalStats {
    if (this.n === 0) return { current: this.current, min: null, max: null, mean: null, ratePerHour: null, samples: 0 };
    const denom = this.n * this.sxx - this.sx * this.sx;
    const slope = this.n >= 3 && denom > 0 ? (this.n * this.sxy - this.sx * this.sy) / denom : null;
    return {
      current: this.current,
      min: this.min,
      max: this.max,
      mean: this.sy / this.n,
      ratePerHour: slope === null ? null : slope * 3600,
      samples: this.n,
    };
  }
}
