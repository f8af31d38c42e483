// A sampling session: watches grouped by rate, one scheduler, one probe connection that is re-opened
// with capped backoff when it drops. Every sample that was read is handed to onSample before anything
// else happens, so a disconnect right after a read never loses it. A drop becomes a `gap` event, a
// successful re-open a `reconnect` event; the run ends at its duration or on stop(), and fails only
// if the probe stays away longer than giveUpAfterS.
import { ProbeDisconnectedError, ProbeError, ProbeTimeoutError, TargetMemoryError } from '../errors.js';
import type { MemoryReader } from '../probe/types.js';
import type { Watch } from '../watch/types.js';
import { realClock, type Clock } from './clock.js';
import { readWatches } from './read-watches.js';
import { Scheduler, type SchedulerStats } from './scheduler.js';
import type { ColumnValue, Sample, SessionEvent } from './types.js';

/** Bytes per watch for one tick (src/sample/read-watches.ts; injectable for tests and benchmarks). */
export type ReadWatchesFn = (reader: MemoryReader, watches: readonly Watch[]) => Promise<Uint8Array[]>;

export interface SampledWatch {
  watch: Watch;
  rateHz: number;
  label?: string;
}

/**
 * Extra probe work that shares the connection and the schedule with the watches (the heap walk of
 * src/sample/walk-column.ts). It runs inside a tick, after the watches were read, and must be done by
 * `deadlineMs` (when the next tick is due), so the watches keep their rate. Its values fill its own
 * columns of the same row.
 */
export interface TickSidecar {
  readonly columns: readonly string[];
  /** How often to tick when there are no watches (an allocator with nothing but a walk: TLSF). */
  readonly rateHz: number;
  /** The session's columns, once they are known (to find its anchors in `row`). */
  bind?(columns: readonly string[]): void;
  /** Once before the schedule starts (to learn how long the work takes); errors are ignored. */
  prepare?(reader: MemoryReader): Promise<void>;
  /** Values for its columns, or null when it did nothing this tick. A ProbeError = the probe was lost. */
  run(reader: MemoryReader, tick: SidecarTick): Promise<readonly (ColumnValue | undefined)[] | null>;
}

export interface SidecarTick {
  /** When this tick was due, and when the next one is (monotonic ms, on the scheduler's grid). */
  dueMs: number;
  deadlineMs: number;
  /** What the watches read in this tick (the session's columns). */
  row: readonly (ColumnValue | undefined)[];
}

export interface ReconnectPolicy {
  /** First retry delay (default 250 ms), doubled per failure up to maxMs (default 10 s). */
  initialMs?: number;
  maxMs?: number;
  /** Fail the run when the probe has been down this long (default: never). */
  giveUpAfterS?: number;
}

export interface SamplerOptions {
  watches: readonly SampledWatch[];
  /** Opens (and re-opens) the probe. */
  openReader(): Promise<MemoryReader>;
  /** An already-open first connection (otherwise start() calls openReader). */
  reader?: MemoryReader;
  /** The target's clock, read with every tick (its value goes to Sample.target). */
  targetClock?: Watch;
  /** The coalescing reader (src/sample/read-watches.ts); defaults to one readBlocks per tick. */
  readWatches?: ReadWatchesFn;
  clock?: Clock;
  /** Extra columns filled by more reads in the spare time of a tick (the heap walk). */
  sidecar?: TickSidecar;
  durationS?: number;
  reconnect?: ReconnectPolicy;
  onSample(s: Sample): void;
  onEvent?(e: SessionEvent): void;
}

export interface SamplerStats {
  samples: number;
  gaps: number;
  reconnects: number;
  probeUp: boolean;
  /** Seconds spent with the probe down. */
  downS: number;
  /** Seconds of the current outage (0 while the probe is up). */
  outageS: number;
  scheduler: SchedulerStats;
}

/** The probe could not be opened at the start (exit code 3). */
export class ProbeUnreachableError extends ProbeError {
  override readonly exitCode = 3;
}

/** The probe stayed away longer than --give-up-after (exit code 4). */
export class ProbeGaveUpError extends ProbeError {
  override readonly exitCode = 4;
}

export class Sampler {
  /** Column names in order: every watch's columns, the sidecar's, then the target clock's (if any). */
  readonly columns: string[];
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly groupWatches: number[][]; // group -> watch indices
  private readonly columnIndex: number[][]; // watch -> column per leaf
  private readonly targetColumn: number;
  private readonly sidecarColumn: number;
  private readonly readFn: ReadWatchesFn;
  private reader: MemoryReader | null;
  private samples = 0;
  private gaps = 0;
  private reconnects = 0;
  private downSinceMs: number | null = null;
  private downTotalMs = 0;
  private fatal: unknown = null;
  private stopping = false;
  private rejectRun: (err: unknown) => void = () => {};
  private reconnecting: Promise<void> | null = null;

  constructor(private readonly opts: SamplerOptions) {
    if (opts.watches.length === 0 && !opts.sidecar) throw new Error('nothing to sample');
    this.clock = opts.clock ?? realClock();
    this.reader = opts.reader ?? null;
    this.readFn = opts.readWatches ?? ((r, w) => readWatches(r, w));
    // One column per distinct leaf name: `g_heap.used@100 g_heap@1` share the g_heap.used column (it
    // gets a value at 100 Hz), so a recording never has two columns with the same header.
    this.columns = [];
    const byName = new Map<string, number>();
    const columnOf = (name: string): number => {
      let i = byName.get(name);
      if (i === undefined) {
        i = this.columns.length;
        this.columns.push(name);
        byName.set(name, i);
      }
      return i;
    };
    this.columnIndex = opts.watches.map((w) => w.watch.columns().map((c) => columnOf(c.name)));
    this.sidecarColumn = this.columns.length;
    for (const name of opts.sidecar?.columns ?? []) {
      // A derived column must never be merged with a watched one (it would get two writers).
      if (byName.has(name)) throw new Error(`column ${name} is both watched and derived`);
      columnOf(name);
    }
    this.targetColumn = opts.targetClock ? columnOf(opts.targetClock.expr) : -1;
    opts.sidecar?.bind?.(this.columns);
    const rates = [...new Set(opts.watches.map((w) => w.rateHz))].sort((a, b) => b - a);
    if (rates.length === 0) rates.push(opts.sidecar!.rateHz);
    this.groupWatches = rates.map((r) => opts.watches.flatMap((w, i) => (w.rateHz === r ? [i] : [])));
    this.scheduler = new Scheduler({
      clock: this.clock,
      groups: rates.map((r) => ({ id: `${r} Hz`, rateHz: r })),
      durationMs: opts.durationS !== undefined ? opts.durationS * 1000 : undefined,
      onTick: (tick) => this.tick(tick.groups, tick.startMs, tick.dueMs),
      onError: (err) => this.fail(err),
    });
  }

  /** The probe's description ("sim rp2040js ...") while connected, else null. */
  get probeDescription(): string | null {
    return this.reader?.description ?? null;
  }

  /** Distinct rates, fastest first (the scheduler's groups). */
  get rates(): number[] {
    return this.scheduler.stats().groups.map((g) => g.rateHz);
  }

  /** Opens the probe if needed; ProbeUnreachableError (exit 3) when it cannot be reached. */
  async open(): Promise<void> {
    if (this.reader) return;
    try {
      this.reader = await this.opts.openReader();
    } catch (err) {
      throw new ProbeUnreachableError(`cannot reach the probe: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Samples until the duration ends or stop() is called. */
  async run(): Promise<SamplerStats> {
    await this.open();
    if (this.opts.sidecar?.prepare && this.reader) await this.opts.sidecar.prepare(this.reader).catch(() => {});
    const failed = new Promise<never>((_, reject) => (this.rejectRun = reject));
    this.scheduler.start();
    try {
      await Promise.race([this.scheduler.done, failed]);
    } finally {
      await this.scheduler.stop();
      if (this.reconnecting) await this.reconnecting.catch(() => {});
      await this.closeReader();
    }
    if (this.fatal) throw this.fatal;
    return this.stats();
  }

  /** Releases the probe if run() never did (an error between open() and run()). */
  async close(): Promise<void> {
    await this.scheduler.stop();
    await this.closeReader();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.scheduler.stop();
  }

  mark(text: string): void {
    const now = this.clock.nowMs();
    this.opts.onEvent?.({ event: 'mark', t: this.tOf(now), wallMs: this.clock.wallMs(), text });
  }

  stats(): SamplerStats {
    const now = this.clock.nowMs();
    return {
      samples: this.samples,
      gaps: this.gaps,
      reconnects: this.reconnects,
      probeUp: this.downSinceMs === null && this.reader !== null,
      downS: (this.downTotalMs + (this.downSinceMs !== null ? now - this.downSinceMs : 0)) / 1000,
      outageS: this.downSinceMs !== null ? (now - this.downSinceMs) / 1000 : 0,
      scheduler: this.scheduler.stats(),
    };
  }

  private tOf(ms: number): number {
    return (ms - this.scheduler.startMs) / 1000;
  }

  private async tick(groups: readonly number[], startMs: number, dueMs: number): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    const { watchIdx, toRead } = this.readSet(groups);
    const wallMs = this.clock.wallMs();
    let bytes: Uint8Array[];
    try {
      bytes = toRead.length > 0 ? await this.readFn(reader, toRead) : [];
    } catch (err) {
      // A fault on the very first read is a wrong address, not a lost probe: say so instead of
      // reconnecting forever.
      if (err instanceof TargetMemoryError && this.samples === 0) throw err;
      if (err instanceof ProbeError) return this.lost(err, startMs);
      throw err;
    }
    const values: (ColumnValue | undefined)[] = new Array(this.columns.length);
    watchIdx.forEach((wi, k) => {
      const cols = this.opts.watches[wi]!.watch.columns();
      const at = this.columnIndex[wi]!;
      const b = bytes[k]!;
      // An empty result is a null pointer on the way (p->x with p == 0): no value this tick.
      for (let c = 0; c < cols.length; c++) values[at[c]!] = b.length === 0 ? null : cols[c]!.decode(b);
    });
    // The sidecar reads after the watches: a probe lost during it still leaves this row's values.
    let lostInSidecar: ProbeError | null = null;
    if (this.opts.sidecar) {
      try {
        const extra = await this.opts.sidecar.run(reader, { dueMs, deadlineMs: this.scheduler.nextDueMs(), row: values });
        extra?.forEach((v, k) => (values[this.sidecarColumn + k] = v));
      } catch (err) {
        if (!(err instanceof ProbeError)) throw err;
        lostInSidecar = err;
      }
    }
    const sample: Sample = { t: this.tOf(startMs), wallMs, values };
    if (this.opts.targetClock) {
      const tb = bytes[bytes.length - 1]!;
      const v = tb.length === 0 ? null : this.opts.targetClock.columns()[0]!.decode(tb);
      values[this.targetColumn] = v;
      if (typeof v === 'number') sample.target = v;
      else if (typeof v === 'bigint') sample.target = Number(v);
    }
    // With nothing but a sidecar, a tick it did nothing in is no row.
    const emptyRow = toRead.length === 0 && values.every((v) => v === undefined);
    if (!emptyRow) {
      this.samples++;
      this.opts.onSample(sample);
    }
    if (lostInSidecar) this.lost(lostInSidecar, this.clock.nowMs());
  }

  // The same watch array object for the same set of due groups: readWatches caches its read plan per
  // array, so a fresh array every tick would re-plan every tick.
  private readonly readSets = new Map<string, { watchIdx: number[]; toRead: Watch[] }>();

  private readSet(groups: readonly number[]): { watchIdx: number[]; toRead: Watch[] } {
    const key = groups.join(',');
    let set = this.readSets.get(key);
    if (!set) {
      const watchIdx: number[] = [];
      for (const g of groups) for (const i of this.groupWatches[g]!) watchIdx.push(i);
      const toRead = watchIdx.map((i) => this.opts.watches[i]!.watch);
      if (this.opts.targetClock) toRead.push(this.opts.targetClock);
      set = { watchIdx, toRead };
      this.readSets.set(key, set);
    }
    return set;
  }

  private lost(err: ProbeError, startMs: number): void {
    if (this.stopping) return;
    this.scheduler.pause();
    this.gaps++;
    this.downSinceMs = startMs;
    const kind = err instanceof ProbeDisconnectedError || err instanceof ProbeTimeoutError ? '' : 'probe error: ';
    this.opts.onEvent?.({ event: 'gap', t: this.tOf(startMs), wallMs: this.clock.wallMs(), reason: kind + err.message });
    this.reconnecting = this.reconnectLoop().finally(() => (this.reconnecting = null));
  }

  private async closeReader(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    if (!r) return;
    // A dead connection may never answer close(): do not wait for it forever.
    await Promise.race([r.close().catch(() => {}), new Promise((res) => setTimeout(res, 2000).unref())]);
  }

  private async reconnectLoop(): Promise<void> {
    await this.closeReader();
    const policy = this.opts.reconnect ?? {};
    let delay = policy.initialMs ?? 250;
    const maxDelay = policy.maxMs ?? 10_000;
    let attempts = 0;
    const downSince = this.downSinceMs ?? this.clock.nowMs();
    for (;;) {
      await this.clock.sleep(delay);
      if (this.stopping || !this.schedulerAlive()) return;
      attempts++;
      try {
        this.reader = await this.opts.openReader();
      } catch (err) {
        const downS = (this.clock.nowMs() - downSince) / 1000;
        if (policy.giveUpAfterS !== undefined && downS >= policy.giveUpAfterS) {
          this.fail(
            new ProbeGaveUpError(
              `gave up after the probe was unreachable for ${Math.round(downS)} s ` +
                `(${attempts} attempts; last error: ${(err as Error).message})`,
            ),
          );
          return;
        }
        delay = Math.min(maxDelay, delay * 2);
        continue;
      }
      const now = this.clock.nowMs();
      this.downTotalMs += now - downSince;
      this.downSinceMs = null;
      this.reconnects++;
      this.opts.onEvent?.({
        event: 'reconnect',
        t: this.tOf(now),
        wallMs: this.clock.wallMs(),
        downS: (now - downSince) / 1000,
        attempts,
      });
      this.scheduler.resume();
      return;
    }
  }

  private schedulerAlive(): boolean {
    return this.scheduler.isRunning;
  }

  private fail(err: unknown): void {
    if (this.fatal) return;
    this.fatal = err;
    this.rejectRun(err);
  }
}
