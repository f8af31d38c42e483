// `connect(fw, url)`: a running target behind a probe URL, opened by the CLI's own code
// (src/probe/url.ts) with the CLI's halting policy: a server that halts the core to read is refused
// (HaltingProbeError) unless `allowHalt: true`. Nothing here ever writes target memory.
import { defaultProbeFor } from '../cli/read.js';
import { inspectHeap, type HeapReport } from '../heap/index.js';
import type { ProbeInfo } from '../probe/types.js';
import { openProbe } from '../probe/url.js';
import { readWatches } from '../sample/read-watches.js';
import type { Watch, WatchValue } from '../watch/types.js';
import { ProbeConnection } from './connection.js';
import { Firmware } from './firmware.js';
import { SampleStream, type SampleOptions } from './sample-stream.js';
import { decodeAll } from './values.js';

export interface ConnectOptions {
  /** Allow a server that halts the core to read (QEMU gdbstub, Black Magic Probe); default false. */
  allowHalt?: boolean;
  /** Per-request probe timeout in ms (default 3000): connecting and every read fail within it. */
  timeoutMs?: number;
}

export interface HeapOptions {
  /** Walk the free list for the largest free block and fragmentation (default true). */
  walk?: boolean;
  /** Use this allocator profile instead of detecting one (`heapscope heap --list-allocators`). */
  allocator?: string;
}

/** Resolved watch arrays are kept per expression list: readWatches caches its read plan per array. */
const MAX_CACHED_WATCH_SETS = 64;

export class Target {
  private readonly watchSets = new Map<string, Watch[]>();
  private readonly streams = new Set<SampleStream<never>>();

  /** @internal use connect() */
  constructor(
    readonly firmware: Firmware,
    /** The probe URL as given (or the default `sim:` of a bundled M0+ ELF). */
    readonly url: string,
    private readonly connection: ProbeConnection,
  ) {}

  /** "sim rp2040js ...", "openocd tcl 127.0.0.1:6666", ... */
  get description(): string {
    return this.connection.description;
  }

  /** Server and target identity and state (what `heapscope probe` prints). */
  info(): Promise<ProbeInfo> {
    return this.connection.use((r) => r.info());
  }

  /** One coalesced read of every expression: `{ 'g_heap.used': 120, g_config: { id: 7, ... } }`. */
  read<V extends Record<string, WatchValue> = Record<string, WatchValue>>(exprs: readonly string[]): Promise<V>;
  /** One expression's value. */
  read<T extends WatchValue = WatchValue>(expr: string): Promise<T>;
  async read(exprs: string | readonly string[]): Promise<unknown> {
    const list = typeof exprs === 'string' ? [exprs] : exprs;
    const watches = this.watchesFor(list);
    if (watches.length === 0) return {};
    const bytes = await this.connection.use((r) => readWatches(r, watches));
    const values = decodeAll(watches, bytes);
    return typeof exprs === 'string' ? values[exprs] : values;
  }

  /** The allocator's counters and a free-list walk, as `heapscope heap --json` reports them. */
  async heap(opts: HeapOptions = {}): Promise<HeapReport> {
    const { ctx, found, watches } = this.firmware.heapPlan(opts.allocator);
    return this.connection.use((r) => inspectHeap(r, ctx, found, { walk: opts.walk ?? true }, watches));
  }

  /** Samples `exprs` on a fixed schedule: `for await (const s of target.sample([...], { rateHz: 50 }))`. */
  sample<V extends Record<string, WatchValue> = Record<string, WatchValue>>(
    exprs: readonly string[],
    opts: SampleOptions = {},
  ): SampleStream<V> {
    const watches = exprs.map((e) => this.firmware.watch(e));
    const stream: SampleStream<V> = new SampleStream<V>(watches, this.connection, opts, () => this.streams.delete(stream as SampleStream<never>));
    this.streams.add(stream as SampleStream<never>);
    return stream;
  }

  /** Stops every sample stream and releases the probe (the target keeps running). Harmless twice. */
  async close(): Promise<void> {
    await Promise.all([...this.streams].map((s) => s.stop()));
    await this.connection.close();
  }

  private watchesFor(exprs: readonly string[]): Watch[] {
    const key = exprs.join('\u0000');
    let ws = this.watchSets.get(key);
    if (!ws) {
      ws = exprs.map((e) => this.firmware.watch(e));
      if (this.watchSets.size >= MAX_CACHED_WATCH_SETS) this.watchSets.clear();
      this.watchSets.set(key, ws);
    }
    return ws;
  }
}

/**
 * Opens the probe at `url` for `fw` (a Firmware or an ELF path). Without a URL, the bundled M0+ demo
 * ELFs run in the built-in `sim:`; anything else throws UsageError naming the URL forms. Fails within
 * `timeoutMs` with a ProbeError subclass: ProbeDisconnectedError (refused, unreachable),
 * ProbeTimeoutError, HaltingProbeError (halting server without allowHalt), UsageError (bad URL).
 */
export async function connect(fw: Firmware | string, url?: string, opts: ConnectOptions = {}): Promise<Target> {
  const firmware = typeof fw === 'string' ? new Firmware(fw) : fw;
  const probeUrl = url ?? defaultProbeFor(firmware.path);
  const open = () =>
    openProbe(probeUrl, { allowHalt: opts.allowHalt ?? false, timeoutMs: opts.timeoutMs ?? 3000, elfPath: firmware.path });
  const first = await open();
  return new Target(firmware, probeUrl, new ProbeConnection(open, first));
}
