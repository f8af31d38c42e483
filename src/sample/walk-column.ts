// The heap's largest free block (and, when the allocator keeps no live total, its free bytes) as columns
// of the sampled rows, found by walking the allocator's free structures at a low rate (default 1 Hz).
//
// Why inside the sampler's tick, after the watches were read, and only in the time left before the next
// tick is due (a TickSidecar, src/sample/sampler.ts):
//  - one probe connection: GDB RSP and OpenOCD TCL are single-stream, so the walk must not race the
//    ticks from a timer of its own; in the tick it uses the very reader the watches used, and a probe
//    lost during a walk goes through the sampler's gap/reconnect logic like a lost tick;
//  - the counters keep their rate: a walk starts only when its expected duration (median of the
//    recent walks, so one slow read does not stop walking) fits before the next tick's due time, and
//    every read of a walk is checked against that deadline again (a walk that would run late is
//    abandoned, its cell left empty);
//  - an estimate can be stale (a probe slow only while the target boots): each tick a due walk is
//    deferred halves the estimate it is judged by, so walking resumes within a few ticks once reads
//    are fast again. A walk that still runs late doubles the ticks per halving, so a probe on which
//    walks never fit costs at most ~log2(ticks) late ticks in a whole run, and is reported once;
//  - one walk attempt per tick: the walker's own retries would sleep inside the tick; instead a torn
//    attempt is retried at the next tick (the firmware has had a whole period to finish its update),
//    and after `attempts` torn attempts the cell is a gap (null), never a made-up number;
//  - the row agrees with itself: the counters the row's verdicts pair with the walk (free bytes) are
//    read again inside the walk's own snapshot (WalkTuning.alsoRead); if they moved since the tick
//    read them, the heap changed in between and the attempt counts as torn, so a row never pairs a
//    largest block with free bytes of another moment (largest > free);
//  - slower when walks are long: the next walk is due at least `dutyFactor` walk durations later (the
//    shortest recent walk: a stall of the host is not the walk's cost), so walking takes about
//    1/dutyFactor of the probe's time at most.
import { ProbeError, TargetMemoryError } from '../errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../probe/types.js';
import type { WalkResult, WalkTuning } from '../heap/types.js';
import { realClock, type Clock } from './clock.js';
import type { SidecarTick, TickSidecar } from './sampler.js';
import type { ColumnValue } from './types.js';
import type { Watch } from '../watch/types.js';

/** heapWalker()'s function (src/heap/index.ts): one non-halting walk of the free structures. */
export type HeapWalkFn = (reader: MemoryReader, opts?: WalkTuning) => Promise<WalkResult>;

/** What a walk column holds. */
export type WalkQuantity = 'largestFree' | 'totalFree';

export interface WalkColumnSpec {
  name: string;
  quantity: WalkQuantity;
}

export interface WalkColumnsOptions {
  walk: HeapWalkFn;
  columns: readonly WalkColumnSpec[];
  /** Walks per second at most (default 1). */
  rateHz?: number;
  /** Scalar counters with a fixed address (the heap's free/used bytes) that the walk's snapshot must
   * agree with, as read in the same row; others are ignored. */
  anchors?: readonly Watch[];
  /** Torn attempts (one per tick) before the cell becomes a gap (default 4, as the walker's own). */
  attempts?: number;
  /** The next walk waits at least this many times the shortest recent walk (default 20: <= 5 %). */
  dutyFactor?: number;
  clock?: Clock;
  /** Said once when walks cannot fit between ticks, or when the walker fails for good. */
  onNotice?(message: string): void;
}

export interface WalkColumnStats {
  /** Walks that gave numbers / that ended as gaps (torn `attempts` times, unreadable memory, or no
   * heap yet: newlib before its first sbrk). */
  walks: number;
  gaps: number;
  /** Attempts rejected as torn, or because the row's counters moved before the walk (each retried at
   * a later tick). */
  tornAttempts: number;
  /** Walks abandoned half-way because the next tick was coming due. */
  abandoned: number;
  /** Ticks at which a due walk was not started: it would not have ended before the next tick. */
  deferred: number;
  /** Walks that started in time but ended after the next tick was due (a read far slower than the
   * recent ones): that tick started late by the overshoot. */
  overran: number;
  /** Median of recent walk durations (ms), and the longest seen between ticks. */
  walkMs: number | null;
  maxWalkMs: number;
  /** Walks per second over the run so far. */
  achievedHz: number;
  /** Set when walking stopped for good (the walker threw something other than a probe error). */
  disabled: string | null;
}

/** Thrown by the deadline guard inside a walk: not a probe problem, the walk is just out of time. */
class OutOfTime extends Error {}

const RECENT = 5;
/** Due times on the scheduler's grid differ by float rounding only. */
const GRID_TOLERANCE_MS = 1e-3;
/** This many walks in a row ended as gaps -> tell the user why (once). */
const NOTICE_AFTER_GAPS = 5;
/** Deferred this long in a row (ms) -> tell the user walks do not fit between ticks. */
const NOTICE_AFTER_MS = 10_000;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export class WalkColumns implements TickSidecar {
  readonly columns: readonly string[];
  readonly rateHz: number;
  private readonly clock: Clock;
  private readonly periodMs: number;
  private readonly attempts: number;
  private readonly dutyFactor: number;
  private nextWalkMs = -Infinity;
  private attempt = 0;
  /** Recent walks: duration and longest single read. */
  private readonly recentWalks: { ms: number; readMs: number }[] = [];
  /** Consecutive ticks at which a due walk was deferred, and how many of them halve the estimate. */
  private deferredTicks = 0;
  private ticksPerHalving = 1;
  private deferredSinceMs: number | null = null;
  private noticeGiven = false;
  private firstRunMs: number | null = null;
  private gapsInARow = 0;
  private lastTornReason = '';
  private readonly s = { walks: 0, gaps: 0, tornAttempts: 0, abandoned: 0, deferred: 0, overran: 0, maxWalkMs: 0 };
  private disabled: string | null = null;
  private readonly anchors: Watch[];
  private anchorColumns: number[] = [];

  constructor(private readonly opts: WalkColumnsOptions) {
    const hz = opts.rateHz ?? 1;
    if (!(hz > 0) || !Number.isFinite(hz)) throw new Error(`bad walk rate ${hz}`);
    if (opts.columns.length === 0) throw new Error('no walk columns');
    this.columns = opts.columns.map((c) => c.name);
    this.clock = opts.clock ?? realClock();
    this.rateHz = hz;
    this.periodMs = 1000 / hz;
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.dutyFactor = Math.max(1, opts.dutyFactor ?? 20);
    this.anchors = (opts.anchors ?? []).filter((w) => w.hops.length === 0 && w.columns().length === 1);
  }

  bind(columns: readonly string[]): void {
    this.anchorColumns = this.anchors.map((w) => columns.indexOf(w.columns()[0]!.name));
  }

  /** Three walks before the schedule starts: the first in-schedule walk already knows its cost. */
  async prepare(reader: MemoryReader): Promise<void> {
    for (let i = 0; i < 3 && !this.disabled; i++) await this.timedWalk(reader, Infinity);
  }

  async run(reader: MemoryReader, tick: SidecarTick): Promise<readonly (ColumnValue | undefined)[] | null> {
    if (this.disabled) return null;
    const { dueMs, deadlineMs, row } = tick;
    const now = this.clock.nowMs();
    this.firstRunMs ??= now;
    // Walks are spaced on the ticks' own grid (due times), so a 1 Hz walk beside 10 Hz ticks lands on
    // every tenth tick instead of slipping one tick whenever a tick starts a little late.
    if (dueMs < this.nextWalkMs - GRID_TOLERANCE_MS) return null;
    const expected = this.expectedWalkMs();
    const trust = 1 / 2 ** Math.floor(this.deferredTicks / this.ticksPerHalving);
    const need = expected === null ? null : expected * trust;
    if (need !== null && now + need > deadlineMs) {
      this.defer(now, expected!, deadlineMs);
      return null;
    }
    const afterDeferring = this.deferredTicks > 0;
    this.deferredTicks = 0;
    this.deferredSinceMs = null;
    let r: WalkResult;
    try {
      const overranBefore = this.s.overran;
      r = await this.timedWalk(reader, deadlineMs, trust);
      // Late after a stale-estimate retry: wait twice as long before the next such retry.
      if (this.s.overran > overranBefore) {
        if (afterDeferring) this.ticksPerHalving = Math.min(this.ticksPerHalving * 2, 1 << 20);
        if (this.ticksPerHalving >= 8) this.tellOnce(this.doesNotFit(expected ?? 0, deadlineMs - now));
      } else this.ticksPerHalving = 1;
    } catch (err) {
      if (err instanceof OutOfTime) {
        // Still due: tried again at the next tick with room for it (and, like a deferral, with a
        // little less faith in the estimate that let it start).
        this.s.abandoned++;
        this.deferredTicks++;
        return null;
      }
      // Unreadable memory on the way is a failed walk, not a lost probe (the watches read fine).
      if (err instanceof TargetMemoryError) {
        this.lastTornReason = err.message;
        return this.finish(dueMs, null);
      }
      throw err; // ProbeError: the sampler's gap and reconnect; anything else was caught in timedWalk
    }
    if (this.disabled) return null;
    if (!r.consistent || this.movedSince(row, r)) {
      this.lastTornReason = r.consistent
        ? "the heap's counters changed between the tick and the walk"
        : (r.reason ?? 'torn').replace(/^inconsistent snapshot after \d+ attempts?: /, '');
      this.s.tornAttempts++;
      this.attempt++;
      // Torn: try again at the next tick; after `attempts` tries the cell is a gap.
      return this.attempt >= this.attempts ? this.finish(dueMs, null) : null;
    }
    return this.finish(dueMs, r);
  }

  stats(): WalkColumnStats {
    const elapsedS = this.firstRunMs === null ? 0 : (this.clock.nowMs() - this.firstRunMs) / 1000;
    return {
      ...this.s,
      walkMs: this.expectedWalkMs(),
      achievedHz: elapsedS > 0 ? this.s.walks / elapsedS : 0,
      disabled: this.disabled,
    };
  }

  /** True when an anchor counter in the walk's snapshot differs from the row's value. */
  private movedSince(row: readonly (ColumnValue | undefined)[], r: WalkResult): boolean {
    // A walker that cannot carry extra reads (newlib's bins) returns none: nothing to compare.
    if (!r.alsoRead || r.alsoRead.length !== this.anchors.length) return false;
    return this.anchors.some((w, k) => {
      const col = this.anchorColumns[k] ?? -1;
      const inRow = col >= 0 ? row[col] : undefined;
      if (inRow === undefined || inRow === null) return false; // not read in this tick
      return String(w.columns()[0]!.decode(r.alsoRead![k]!)) !== String(inRow);
    });
  }

  /** Median duration of the last RECENT walks (null before the first: walk and see). An estimate
   * that is too high is worn down by deferring (see run()), so old walks need no expiry. */
  private expectedWalkMs(what: 'ms' | 'readMs' = 'ms'): number | null {
    return this.recentWalks.length ? median(this.recentWalks.map((w) => w[what])) : null;
  }

  private finish(dueMs: number, r: WalkResult | null): (ColumnValue | undefined)[] {
    this.attempt = 0;
    // Spaced by what a walk costs at least (the fastest recent one): a probe on which every walk is
    // slow walks less often, while one walk stalled by a busy host does not stop walking for long.
    const leastMs = Math.min(...this.recentWalks.map((w) => w.ms));
    this.nextWalkMs = dueMs + Math.max(this.periodMs, this.dutyFactor * (Number.isFinite(leastMs) ? leastMs : 0));
    if (!r) {
      this.s.gaps++;
      if (++this.gapsInARow >= NOTICE_AFTER_GAPS) {
        this.tellOnce(
          `${this.gapsInARow} heap walks in a row saw no consistent heap (last: ${this.lastTornReason}): ` +
            `no values for ${this.columns.join(', ')} until one does`,
        );
      }
      return this.opts.columns.map(() => null);
    }
    this.gapsInARow = 0;
    // No heap yet (newlib before its first sbrk): nothing to measure, a gap rather than a 0 that would
    // read as "the largest free block shrank to nothing" at boot.
    if (r.regionBytes === 0) {
      this.s.gaps++;
      return this.opts.columns.map(() => null);
    }
    this.s.walks++;
    // A consistent walk of an empty free list in a heap has no largest block: 0 bytes, not a gap.
    const empty = r.freeBlocks === 0;
    return this.opts.columns.map((c) => {
      const v = c.quantity === 'largestFree' ? r.largestFree : r.totalFree;
      return v ?? (empty ? 0 : null);
    });
  }

  private defer(now: number, expectedMs: number, deadlineMs: number): void {
    this.s.deferred++;
    this.deferredTicks++;
    this.deferredSinceMs ??= now;
    if (now - this.deferredSinceMs >= NOTICE_AFTER_MS) this.tellOnce(this.doesNotFit(expectedMs, deadlineMs - now));
  }

  private doesNotFit(walkMs: number, spareMs: number): string {
    return (
      `a heap walk takes ~${walkMs.toFixed(1)} ms but only ~${Math.max(0, spareMs).toFixed(1)} ms are free between ticks: ` +
      `${this.columns.join(', ')} will be sparse or empty (lower --rate, or --walk-hz 0 to stop walking)`
    );
  }

  private tellOnce(message: string): void {
    if (this.noticeGiven) return;
    this.noticeGiven = true;
    this.opts.onNotice?.(message);
  }

  /** One walk attempt through a reader that refuses to start a read that would end after deadlineMs
   * (by the recent reads' median duration, times `trust`). */
  private async timedWalk(reader: MemoryReader, deadlineMs: number, trust = 1): Promise<WalkResult> {
    const clock = this.clock;
    const readEstimate = (this.expectedWalkMs('readMs') ?? 0) * trust;
    let longestRead = 0;
    const guarded: MemoryReader = {
      description: reader.description,
      nonHalting: reader.nonHalting,
      maxBlockBytes: reader.maxBlockBytes,
      readBlocks: async (blocks: readonly MemoryBlock[]) => {
        const t = clock.nowMs();
        if (t + readEstimate > deadlineMs) throw new OutOfTime();
        const out = await reader.readBlocks(blocks);
        longestRead = Math.max(longestRead, clock.nowMs() - t);
        return out;
      },
      info: (): Promise<ProbeInfo> => reader.info(),
      close: async () => {}, // the sampler owns the connection
    };
    const t0 = clock.nowMs();
    let r: WalkResult;
    try {
      const alsoRead = this.anchors.map((w) => ({ address: w.address, length: w.byteSize }));
      r = await this.opts.walk(guarded, { attempts: 1, ...(alsoRead.length ? { alsoRead } : {}) });
    } catch (err) {
      if (err instanceof OutOfTime || err instanceof ProbeError) throw err;
      // A walker bug must not end a 24 h recording: stop walking, say why once.
      this.disabled = `heap walk failed: ${(err as Error).message}`;
      this.opts.onNotice?.(`${this.disabled}; ${this.columns.join(', ')} stay empty`);
      return { consistent: false, attempts: 1, reads: 0, bytesRead: 0 };
    }
    const end = clock.nowMs();
    const ms = end - t0;
    if (end > deadlineMs) this.s.overran++;
    this.recentWalks.push({ ms, readMs: longestRead });
    if (this.recentWalks.length > RECENT) this.recentWalks.shift();
    if (deadlineMs !== Infinity) this.s.maxWalkMs = Math.max(this.s.maxWalkMs, ms); // not prepare()'s
    return r;
  }
}
