// One probe connection shared by everything a Target does (one-shot reads, heap walks, sample
// streams). Requests run one at a time: probe transports answer one request per round trip, and a
// walk must not interleave with a sampler tick. A connection that broke (lost, timed out) is re-opened
// by the next request, so a script that retries a failed read() just works, as the CLI sampler does.
import { HaltingProbeError, ProbeError, TargetMemoryError } from '../errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../probe/types.js';

/** A dead connection may never answer close(): do not wait for it longer than this. */
const CLOSE_GRACE_MS = 2000;

export class ProbeConnection {
  private reader: MemoryReader | null;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly open: () => Promise<MemoryReader>,
    first: MemoryReader,
  ) {
    this.reader = first;
    this.description = first.description;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The live reader's description, or the last one while re-opening. */
  description: string;

  /** Runs fn with the live reader, after every earlier request; re-opens a broken connection first. */
  use<T>(fn: (reader: MemoryReader) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new ProbeError('this target is closed: connect() again');
      const reader = this.reader ?? (await this.reopenNow());
      try {
        return await fn(reader);
      } catch (err) {
        // A bad address is the firmware's answer, not a broken link; anything else from the probe is.
        if (err instanceof ProbeError && !(err instanceof TargetMemoryError) && !(err instanceof HaltingProbeError)) this.drop();
        throw err;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the current connection and opens a new one (the sampler's reconnect). */
  reopen(): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new ProbeError('this target is closed: connect() again');
      this.drop();
      await this.reopenNow();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * A MemoryReader view for the Sampler: reads go through use(); close() does nothing, because the
   * Target owns the connection and keeps it after a stream ends.
   */
  lease(): MemoryReader {
    // Getters: after a re-open the view describes the new connection (same URL, so the same limits).
    const self = this;
    const first = this.reader;
    return {
      get description() {
        return self.description;
      },
      get nonHalting() {
        return (self.reader ?? first)?.nonHalting ?? true;
      },
      get maxBlockBytes() {
        return (self.reader ?? first)?.maxBlockBytes ?? 1024;
      },
      readBlocks: (blocks: readonly MemoryBlock[]) => this.use((r) => r.readBlocks(blocks)),
      info: (): Promise<ProbeInfo> => this.use((r) => r.info()),
      close: async () => {},
    };
  }

  /** Closes for good; harmless when called again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const r = this.reader;
    this.reader = null;
    if (r) await closeWithin(r);
  }

  private drop(): void {
    const r = this.reader;
    this.reader = null;
    if (r) void closeWithin(r);
  }

  private async reopenNow(): Promise<MemoryReader> {
    this.reader = await this.open();
    this.description = this.reader.description;
    return this.reader;
  }
}

async function closeWithin(r: MemoryReader): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    r.close().catch(() => undefined),
    new Promise<void>((res) => {
      timer = setTimeout(res, CLOSE_GRACE_MS);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
