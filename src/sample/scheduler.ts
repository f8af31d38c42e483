// Fixed-rate sampling on an absolute schedule. Tick k of a group is due at t0 + k * period on a monotonic
// clock: lateness never accumulates (no setInterval drift). Several rates share one scheduler; every
// wake-up serves all groups due at that moment with ONE callback (the caller does one coalesced read).
// At most one callback runs at a time: ticks that come due while it runs are skipped and counted
// (overruns), never queued, so a slow probe lowers the achieved rate instead of building a backlog.
import type { CancelTimer, Clock } from './clock.js';
import { LatencyHistogram, type LatencySummary } from './latency.js';

export interface RateGroup {
  /** Label for stats and messages, e.g. "100 Hz". */
  id: string;
  rateHz: number;
}

export interface Tick {
  /** Due time (monotonic ms) the timer was armed for. */
  dueMs: number;
  /** When the callback started (monotonic ms). */
  startMs: number;
  /** Seconds since the scheduler started, at startMs. */
  t: number;
  /** Indices into the scheduler's groups that are due now. */
  groups: readonly number[];
}

export interface GroupStats {
  id: string;
  rateHz: number;
  served: number;
  /** Ticks skipped because a read was still in flight when they came due. */
  overruns: number;
  /** Ticks skipped because the process woke up more than a period late (event loop stall). */
  skippedLate: number;
  /** Ticks that fell inside a pause (probe down). */
  missedPaused: number;
  achievedHz: number;
}

export interface SchedulerStats {
  elapsedS: number;
  ticks: number;
  overruns: number;
  skippedLate: number;
  missedPaused: number;
  lateness: LatencySummary;
  groups: GroupStats[];
}

export interface SchedulerOptions {
  clock: Clock;
  groups: readonly RateGroup[];
  /** One coalesced read for the due groups. May be synchronous. A throw/rejection goes to onError. */
  onTick(tick: Tick): void | Promise<void>;
  /** Errors from onTick; the scheduler keeps running unless the handler stops it. */
  onError?(err: unknown): void;
  /** Stop by itself once no tick is due before t0 + durationMs. */
  durationMs?: number;
}

// Two groups whose ticks should coincide (100 Hz and 1 Hz at t = 1 s) can differ by float rounding.
const SAME_INSTANT_MS = 1e-6;

export class Scheduler {
  private readonly clock: Clock;
  private readonly periods: number[];
  private readonly next: number[];
  private readonly served: number[];
  private readonly overruns: number[];
  private readonly skippedLate: number[];
  private readonly missedPaused: number[];
  private readonly lateness = new LatencyHistogram();
  private t0 = 0;
  private ticks = 0;
  private cancel: CancelTimer | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private paused = false;
  private endMs = Infinity;
  private finishedAt: number | null = null;
  private resolveDone: () => void = () => {};
  /** Resolves when the scheduler stops (duration reached or stop()). */
  readonly done: Promise<void>;

  constructor(private readonly opts: SchedulerOptions) {
    if (opts.groups.length === 0) throw new Error('scheduler needs at least one rate group');
    for (const g of opts.groups) {
      if (!(g.rateHz > 0) || !Number.isFinite(g.rateHz)) throw new Error(`bad rate ${g.rateHz} for ${g.id}`);
    }
    this.clock = opts.clock;
    this.periods = opts.groups.map((g) => 1000 / g.rateHz);
    const zeros = (): number[] => opts.groups.map(() => 0);
    this.next = zeros();
    this.served = zeros();
    this.overruns = zeros();
    this.skippedLate = zeros();
    this.missedPaused = zeros();
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  get startMs(): number {
    return this.t0;
  }

  /** False before start() and after the run ended. */
  get isRunning(): boolean {
    return this.running;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** When the next tick of any group is due (monotonic ms). Read inside onTick, it is the deadline by
   * which extra work in that tick must be done for the next tick to start on time. */
  nextDueMs(): number {
    let nextDue = Infinity;
    for (let g = 0; g < this.periods.length; g++) nextDue = Math.min(nextDue, this.due(g, this.next[g]!));
    return Math.min(nextDue, this.endMs);
  }

  /** Starts the schedule now: tick 0 of every group is due immediately. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = this.clock.nowMs();
    if (this.opts.durationMs !== undefined) this.endMs = this.t0 + this.opts.durationMs;
    this.arm();
  }

  /** Stops ticking (the absolute schedule continues in the background: resume() skips what was missed). */
  pause(): void {
    this.paused = true;
    this.cancel?.();
    this.cancel = null;
    // The run still ends on time while paused (probe down at the end of --duration).
    if (this.running && Number.isFinite(this.endMs)) this.cancel = this.clock.at(this.endMs, () => this.finish());
  }

  resume(): void {
    if (!this.paused || !this.running) return;
    this.paused = false;
    this.cancel?.();
    this.cancel = null;
    const now = this.clock.nowMs();
    for (let g = 0; g < this.periods.length; g++) {
      const first = this.firstIndexAtOrAfter(g, now);
      if (first > this.next[g]!) {
        this.missedPaused[g]! += first - this.next[g]!;
        this.next[g] = first;
      }
    }
    if (!this.inFlight) this.arm();
  }

  /** Stops after the read in flight (if any) completes. */
  async stop(): Promise<void> {
    if (!this.running) {
      this.resolveDone();
      return;
    }
    this.running = false;
    this.cancel?.();
    this.cancel = null;
    if (this.inFlight) await this.inFlight;
    this.finish();
  }

  stats(): SchedulerStats {
    const end = this.finishedAt ?? this.clock.nowMs();
    const elapsedS = Math.max(0, (end - this.t0) / 1000);
    const groups = this.opts.groups.map((g, i) => ({
      id: g.id,
      rateHz: g.rateHz,
      served: this.served[i]!,
      overruns: this.overruns[i]!,
      skippedLate: this.skippedLate[i]!,
      missedPaused: this.missedPaused[i]!,
      achievedHz: elapsedS > 0 ? this.served[i]! / elapsedS : 0,
    }));
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    return {
      elapsedS,
      ticks: this.ticks,
      overruns: sum(this.overruns),
      skippedLate: sum(this.skippedLate),
      missedPaused: sum(this.missedPaused),
      lateness: this.lateness.summary(),
      groups,
    };
  }

  private due(g: number, k: number): number {
    return this.t0 + k * this.periods[g]!;
  }

  /** Smallest k with due(g,k) >= ms (within float tolerance). */
  private firstIndexAtOrAfter(g: number, ms: number): number {
    return Math.max(0, Math.ceil((ms - this.t0 - SAME_INSTANT_MS) / this.periods[g]!));
  }

  private finish(): void {
    this.running = false;
    if (this.finishedAt === null) this.finishedAt = Math.min(this.clock.nowMs(), this.endMs);
    this.resolveDone();
  }

  private arm(): void {
    if (!this.running || this.paused) return;
    let nextDue = Infinity;
    for (let g = 0; g < this.periods.length; g++) nextDue = Math.min(nextDue, this.due(g, this.next[g]!));
    if (nextDue >= this.endMs) {
      // Nothing left to do before the end: finish at the end of the duration, not earlier.
      this.cancel = this.clock.at(this.endMs, () => this.finish());
      return;
    }
    this.cancel = this.clock.at(nextDue, () => this.fire(nextDue));
  }

  private fire(dueMs: number): void {
    this.cancel = null;
    if (!this.running || this.paused) return;
    const now = this.clock.nowMs();
    const groups: number[] = [];
    for (let g = 0; g < this.periods.length; g++) {
      const k = this.next[g]!;
      if (this.due(g, k) > now + SAME_INSTANT_MS) continue;
      // Serve the latest tick that is due; older ones were lost to a late wake-up.
      const kLatest = Math.max(k, Math.floor((now + SAME_INSTANT_MS - this.t0) / this.periods[g]!));
      this.skippedLate[g]! += kLatest - k;
      this.next[g] = kLatest + 1;
      this.served[g]!++;
      groups.push(g);
    }
    if (groups.length === 0) return this.arm();
    this.ticks++;
    this.lateness.add(now - dueMs);
    const tick: Tick = { dueMs, startMs: now, t: (now - this.t0) / 1000, groups };
    let result: void | Promise<void>;
    try {
      result = this.opts.onTick(tick);
    } catch (err) {
      this.report(err);
      return this.afterRead();
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      this.inFlight = (result as Promise<void>).then(
        () => this.afterRead(),
        (err: unknown) => {
          this.report(err);
          this.afterRead();
        },
      );
    } else {
      this.afterRead();
    }
  }

  private report(err: unknown): void {
    if (this.opts.onError) this.opts.onError(err);
  }

  private afterRead(): void {
    this.inFlight = null;
    if (!this.running) return;
    const end = this.clock.nowMs();
    // Every tick that came due while the read ran is skipped, not queued.
    for (let g = 0; g < this.periods.length; g++) {
      const first = this.firstIndexAtOrAfter(g, end);
      if (first > this.next[g]!) {
        // Ticks past the end of the run were never owed.
        const owed = Math.min(first, this.firstIndexAtOrAfter(g, this.endMs));
        this.overruns[g]! += Math.max(0, owed - this.next[g]!);
        this.next[g] = first;
      }
    }
    this.arm();
  }
}
