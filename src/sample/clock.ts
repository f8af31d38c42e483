// Time sources for sampling. The scheduler only talks to a Clock, so tests and benchmarks can swap in
// SimulatedClock and run 24 virtual hours in seconds; the real clock is monotonic (performance.now is
// backed by the same monotonic source as process.hrtime), so NTP steps never bend the schedule.

export type CancelTimer = () => void;

export interface Clock {
  /** Monotonic milliseconds (fractional), arbitrary origin. */
  nowMs(): number;
  /** Wall-clock epoch milliseconds, for the `wall` column only (it may jump). */
  wallMs(): number;
  /** Runs fn once, not before monotonic time atMs. */
  at(atMs: number, fn: () => void): CancelTimer;
  /** Resolves after ms (on this clock's time). */
  sleep(ms: number): Promise<void>;
}

export interface RealClockOptions {
  /**
   * Busy-wait (setImmediate polling) for the last `spinMs` before a due time. setTimeout alone wakes
   * 0..1 ms late (libuv timers have 1 ms resolution); spinning buys sub-millisecond lateness at the cost
   * of CPU, so it is off unless asked for.
   */
  spinMs?: number;
}

export function realClock(opts: RealClockOptions = {}): Clock {
  const spinMs = Math.max(0, opts.spinMs ?? 0);
  return {
    nowMs: () => performance.now(),
    wallMs: () => Date.now(),
    at(atMs, fn) {
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      let cancelled = false;
      let first = true;
      const check = (): void => {
        timer = undefined;
        immediate = undefined;
        if (cancelled) return;
        const remaining = atMs - performance.now();
        // Never call back synchronously from at(): callers arm timers from inside callbacks.
        if (remaining <= 0 && !first) return fn();
        first = false;
        // A libuv timer may fire up to 1 ms early in real time (its clock is whole ms), so re-check.
        if (remaining <= spinMs || remaining < 1) immediate = setImmediate(check);
        else timer = setTimeout(check, Math.max(1, Math.ceil(remaining - spinMs)));
      };
      check();
      return () => {
        cancelled = true;
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      };
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  };
}

interface SimTimer {
  atMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Virtual time: nothing happens until run()/advance() moves time forward, firing timers in order. After
 * each timer it lets pending promise callbacks settle (a few microtask turns), so an async read that
 * completes "instantly" or on a virtual sleep finishes before the next timer, as it would in real time.
 */
export class SimulatedClock implements Clock {
  private now: number;
  private seq = 0;
  // A binary heap ordered by (atMs, seq): long simulations keep only a handful of timers alive.
  private heap: SimTimer[] = [];

  constructor(
    startMs = 0,
    private readonly wallOriginMs = Date.UTC(2026, 0, 1),
    /** Microtask turns to drain after each timer; raise it when callbacks chain many awaits. */
    private readonly drainTurns = 12,
  ) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wallOriginMs + this.now;
  }

  at(atMs: number, fn: () => void): CancelTimer {
    const t: SimTimer = { atMs: Math.max(atMs, this.now), seq: this.seq++, fn, cancelled: false };
    this.push(t);
    return () => {
      t.cancelled = true;
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.now + Math.max(0, ms), resolve));
  }

  /** Number of live timers (for tests). */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Fires every timer due up to untilMs (inclusive), in order, then sets time to untilMs. */
  async runUntil(untilMs: number): Promise<void> {
    await this.drain();
    for (;;) {
      const top = this.heap[0];
      if (!top || top.atMs > untilMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.now = top.atMs;
      top.fn();
      await this.drain();
    }
    if (untilMs > this.now) this.now = untilMs;
  }

  advance(ms: number): Promise<void> {
    return this.runUntil(this.now + ms);
  }

  private async drain(): Promise<void> {
    for (let i = 0; i < this.drainTurns; i++) await null;
  }

  private less(a: SimTimer, b: SimTimer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }

  private push(t: SimTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): SimTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
