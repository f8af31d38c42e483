// `target.sample(exprs, opts)`: the CLI's Sampler (absolute schedule, reconnect with backoff, gaps)
// as an async iterable. Why an async iterator rather than an EventEmitter or a callback: `for await`
// reads like the test script it lives in, `break` (or a thrown assertion) stops the sampler through
// return(), errors arrive where the loop is, and a consumer that is slower than the rate is visible:
// samples wait in a bounded queue and, when it is full, the OLDEST is dropped and counted (the
// consumer always sees the latest state; memory never grows with the run).
import { ProbeError, UsageError } from '../errors.js';
import type { MemoryReader } from '../probe/types.js';
import { readWatches } from '../sample/read-watches.js';
import { Sampler, type ReconnectPolicy, type SamplerStats } from '../sample/sampler.js';
import type { SessionEvent } from '../sample/types.js';
import type { Watch, WatchValue } from '../watch/types.js';
import type { ProbeConnection } from './connection.js';
import { decodeAll } from './values.js';

export interface SampleOptions {
  /** Reads per second (default 10). */
  rateHz?: number;
  /** Stop after this many seconds (default: until break / stop()). */
  durationS?: number;
  /** Samples kept for a slow consumer before the oldest is dropped (default 1024). */
  bufferSize?: number;
  /** Reconnect backoff and give-up time when the probe drops (as `record --give-up-after`). */
  reconnect?: ReconnectPolicy;
  /** Gaps (probe lost) and reconnects, as they happen. */
  onEvent?(e: SessionEvent): void;
}

/** One tick: `values` has the same shape as `target.read(exprs)` (null: a null pointer on the way). */
export interface TargetSample<V extends Record<string, WatchValue> = Record<string, WatchValue>> {
  /** Seconds since the stream started (host monotonic clock, on the sampler's schedule). */
  t: number;
  /** Host wall clock, epoch ms. */
  wallMs: number;
  values: V;
}

export interface SampleStreamStats extends SamplerStats {
  /** Samples dropped because the consumer was slower than the rate and the buffer was full. */
  dropped: number;
  /** Samples waiting in the buffer now. */
  buffered: number;
}

export class SampleStream<V extends Record<string, WatchValue> = Record<string, WatchValue>>
  implements AsyncIterableIterator<TargetSample<V>>
{
  private readonly sampler: Sampler;
  private readonly queue: TargetSample<V>[] = [];
  private readonly capacity: number;
  private dropped = 0;
  private running: Promise<unknown> | null = null;
  private finished = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;
  private lastBytes: Uint8Array[] = [];

  /** @internal use target.sample() */
  constructor(
    private readonly watches: readonly Watch[],
    connection: ProbeConnection,
    opts: SampleOptions,
    private readonly onFinish: () => void,
  ) {
    const rateHz = opts.rateHz ?? 10;
    if (watches.length === 0) throw new UsageError('sample() needs at least one expression');
    if (!(rateHz > 0 && Number.isFinite(rateHz))) throw new UsageError(`rateHz must be a number > 0, not ${rateHz}`);
    if (opts.durationS !== undefined && !(opts.durationS > 0)) throw new UsageError(`durationS must be > 0, not ${opts.durationS}`);
    if (opts.bufferSize !== undefined && !(opts.bufferSize >= 1)) throw new UsageError(`bufferSize must be >= 1, not ${opts.bufferSize}`);
    this.capacity = Math.floor(opts.bufferSize ?? 1024);
    this.sampler = new Sampler({
      watches: watches.map((watch) => ({ watch, rateHz })),
      reader: connection.lease(),
      openReader: async (): Promise<MemoryReader> => {
        await connection.reopen();
        return connection.lease();
      },
      // The sampler hands out leaf columns; keeping the tick's raw bytes lets a sample carry the same
      // decoded values (structs, arrays) as read(). One rate group: every tick reads every watch.
      readWatches: async (reader, ws) => (this.lastBytes = await readWatches(reader, ws)),
      ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
      ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
      onSample: (s) => this.push({ t: s.t, wallMs: s.wallMs, values: decodeAll(this.watches, this.lastBytes) as V }),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<TargetSample<V>>> {
    this.start();
    for (;;) {
      const s = this.queue.shift();
      if (s) return { value: s, done: false };
      if (this.failure) {
        const err = this.failure;
        this.failure = null;
        throw err;
      }
      if (this.finished) return { value: undefined, done: true };
      await new Promise<void>((res) => (this.wake = res));
    }
  }

  /** Called by `break` / a throw in a for-await loop: stops sampling. */
  async return(): Promise<IteratorResult<TargetSample<V>>> {
    await this.stop();
    return { value: undefined, done: true };
  }

  /** Stops sampling; samples already buffered can still be read. Harmless when called again. */
  async stop(): Promise<void> {
    if (!this.running) {
      this.finished = true;
      this.onFinish();
      return;
    }
    await this.sampler.stop();
    await this.running;
  }

  stats(): SampleStreamStats {
    return { ...this.sampler.stats(), dropped: this.dropped, buffered: this.queue.length };
  }

  private start(): void {
    if (this.running || this.finished) return;
    this.running = this.sampler
      .run()
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new ProbeError(String(err));
      })
      .finally(() => {
        this.finished = true;
        this.onFinish();
        this.notify();
      });
  }

  private push(s: TargetSample<V>): void {
    if (this.queue.length >= this.capacity) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(s);
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
