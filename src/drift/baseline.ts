// The baseline of a saw-tooth: the trough of each time window. Windows start at `baseWindowS` and
// double (pairs of windows merge) whenever `maxPoints` are held, so memory stays bounded over any
// run length while early verdicts still get fine resolution. Each window also keeps its peak (for
// time-to-exhaustion: the heap runs out when the PEAKS reach the top) and its sample count (a window
// cut short by a probe gap may miss its trough, so sparse windows are not used as baseline points).

export interface BaselineWindow {
  /** trace seconds (time of first sample), window start and end */
  t0: number;
  t1: number;
  min: number;
  /** time of the minimum: the baseline point is placed there */
  tMin: number;
  max: number;
  count: number;
}

export class WindowMinima {
  readonly windows: BaselineWindow[] = [];
  windowS: number;
  private cur: BaselineWindow | null = null;
  private curStart = 0;

  constructor(
    baseWindowS = 60,
    private readonly maxPoints = 128,
  ) {
    this.windowS = baseWindowS;
  }

  /** Adds a sample; returns true when a window was closed (the moment to re-evaluate). */
  add(t: number, v: number): boolean {
    let closed = false;
    if (this.cur && t >= this.curStart + this.windowS) {
      this.windows.push(this.cur);
      this.cur = null;
      closed = true;
      if (this.windows.length >= this.maxPoints) this.mergePairs();
    }
    if (!this.cur) {
      // Align windows to multiples of the window length so merged pairs stay contiguous.
      this.curStart = Math.floor(t / this.windowS) * this.windowS;
      this.cur = { t0: this.curStart, t1: this.curStart + this.windowS, min: v, tMin: t, max: v, count: 1 };
      return closed;
    }
    const c = this.cur;
    if (v < c.min) {
      c.min = v;
      c.tMin = t;
    }
    if (v > c.max) c.max = v;
    c.count++;
    return closed;
  }

  /** Windows incl. the open one (for a final verdict). */
  all(): BaselineWindow[] {
    return this.cur ? [...this.windows, this.cur] : this.windows;
  }

  private mergePairs(): void {
    this.windowS *= 2;
    const out: BaselineWindow[] = [];
    const w = this.windows;
    for (let i = 0; i < w.length; ) {
      const a = w[i]!;
      const b = w[i + 1];
      const start = Math.floor(a.t0 / this.windowS) * this.windowS;
      if (b && b.t0 < start + this.windowS) {
        out.push({
          t0: start,
          t1: start + this.windowS,
          min: Math.min(a.min, b.min),
          tMin: a.min <= b.min ? a.tMin : b.tMin,
          max: Math.max(a.max, b.max),
          count: a.count + b.count,
        });
        i += 2;
      } else {
        out.push({ ...a, t0: start, t1: start + this.windowS });
        i += 1;
      }
    }
    this.windows.length = 0;
    this.windows.push(...out);
  }
}

/**
 * Repairs counter wrap-around like phase unwrapping: of raw + k * 2^bits (k = -1, 0, +1 around the
 * current offset) take the value nearest the previous one, so a step of more than half the range is
 * read as a wrap. `bits` 'auto' = 16 while every raw value fits 16 bits, else 32; 0 disables. A heap
 * whose capacity is known to fit the range cannot wrap, so then nothing is repaired.
 */
export class Unwrapper {
  private offset = 0;
  private prev: number | null = null;
  private maxRaw = 0;
  wraps = 0;
  constructor(
    private readonly bits: 'auto' | number = 'auto',
    private readonly capacity?: number,
  ) {}

  unwrap(raw: number): number {
    if (raw > this.maxRaw) this.maxRaw = raw;
    const bits = this.bits === 'auto' ? (this.maxRaw < 65536 ? 16 : 32) : this.bits;
    const range = 2 ** bits;
    if (bits === 0 || raw < 0 || raw >= range || (this.capacity !== undefined && this.capacity < range)) {
      this.prev = raw + this.offset;
      return this.prev;
    }
    let v = raw + this.offset;
    if (this.prev !== null) {
      if (v - this.prev > range / 2 && this.offset >= range) {
        this.offset -= range;
        this.wraps++;
      } else if (this.prev - v > range / 2) {
        this.offset += range;
        this.wraps++;
      }
      v = raw + this.offset;
    }
    this.prev = v;
    return v;
  }
}
