// The heap-walk sidecar in the sampler's ticks, on virtual time: a real free-list walk (walkFreeList)
// over an in-process RAM image that holds a counter and a two-block free list. The probe's speed is
// the one thing set by hand: each read takes a fixed virtual time (a stand-in for a slow link, which
// no in-process peer produces deterministically), and one test pulls the cable during a walk.
import { describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../src/elf/dwarf/model.js';
import { ProbeDisconnectedError } from '../../src/errors.js';
import { walkFreeList } from '../../src/heap/walk.js';
import type { FreeListLayout } from '../../src/heap/types.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../../src/probe/types.js';
import { SimulatedClock } from '../../src/sample/clock.js';
import { Sampler } from '../../src/sample/sampler.js';
import type { Sample, SessionEvent } from '../../src/sample/types.js';
import { WalkColumns } from '../../src/sample/walk-column.js';
import { intReader } from '../../src/watch/decode.js';
import { buildWatch } from '../../src/watch/resolve.js';

const BASE = 0x20000000;
const HEAD = BASE; // pointer to the first free block
const COUNTER = BASE + 0x10;
const HEAP = { start: BASE + 0x100, end: BASE + 0x1000 };

/** RAM: counter = 1000; free list HEAD -> 64-byte block at 0x100 -> 256-byte block at 0x200 -> NULL. */
function ram(): Uint8Array {
  const m = new Uint8Array(0x1000);
  const dv = new DataView(m.buffer);
  dv.setUint32(HEAD - BASE, BASE + 0x100, true);
  dv.setUint32(COUNTER - BASE, 1000, true);
  dv.setUint32(0x100, 64, true);
  dv.setUint32(0x104, BASE + 0x200, true);
  dv.setUint32(0x200, 256, true);
  dv.setUint32(0x204, 0, true);
  return m;
}

const LAYOUT: FreeListLayout = {
  headAddress: HEAD,
  pointerSize: 4,
  littleEndian: true,
  sizeOffset: 0,
  sizeBytes: 4,
  nextOffset: 4,
  headerBytes: 8,
  regions: [HEAP],
  alignment: 8,
  addressOrdered: true,
  stamps: [],
};

class RamReader implements MemoryReader {
  readonly description = 'ram image';
  readonly nonHalting = true;
  readonly maxBlockBytes = 8192;
  reads = 0;
  constructor(
    private readonly clock: SimulatedClock,
    private readonly image: Uint8Array,
    /** Virtual ms per read (the slow link). */
    private readonly readMs = 0,
    /** Read numbers that fail as a pulled cable (fault injection). */
    private readonly failAt: ReadonlySet<number> = new Set(),
    /** Read number -> virtual ms, for single slow reads. */
    private readonly slowReads: Readonly<Record<number, number>> = {},
    /** The firmware's writes: called with the image after read n. */
    private readonly afterRead: (n: number, image: Uint8Array) => void = () => {},
  ) {}
  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const n = ++this.reads;
    const ms = this.slowReads[n] ?? this.readMs;
    if (ms > 0) await this.clock.sleep(ms);
    if (this.failAt.has(n)) throw new ProbeDisconnectedError('connection reset by peer');
    const out = blocks.map((b) => this.image.slice(b.address - BASE, b.address - BASE + b.length));
    this.afterRead(n, this.image);
    return out;
  }
  async info(): Promise<ProbeInfo> {
    return { kind: 'ram', server: 'test' };
  }
  async close(): Promise<void> {}
}

const U32: TypeInfo = { kind: 'base', name: 'uint32_t', byteSize: 4, encoding: 'unsigned' };
const counter = buildWatch({
  expr: 'g_free',
  address: COUNTER,
  hops: [],
  byteSize: 4,
  type: U32,
  typeName: 'uint32_t',
  littleEndian: true,
  read: intReader(4, false, true),
});

async function run(o: {
  rateHz: number;
  readMs: number;
  seconds: number;
  failAt?: number[];
  slowReads?: Record<number, number>;
  afterRead?: (n: number, image: Uint8Array) => void;
}) {
  const clock = new SimulatedClock(0, Date.UTC(2026, 0, 1), 200);
  const notices: string[] = [];
  const walk = new WalkColumns({
    walk: (r, t) => walkFreeList(r, LAYOUT, t),
    columns: [
      { name: 'heap.largest_free', quantity: 'largestFree' },
      { name: 'heap.walk_free', quantity: 'totalFree' },
    ],
    anchors: [counter],
    clock,
    onNotice: (m) => notices.push(m),
  });
  const samples: Sample[] = [];
  const events: SessionEvent[] = [];
  const readers: RamReader[] = [];
  const sampler = new Sampler({
    watches: [{ watch: counter, rateHz: o.rateHz }],
    openReader: async () => {
      const first = readers.length === 0;
      const r = new RamReader(clock, ram(), o.readMs, new Set(first ? (o.failAt ?? []) : []), first ? (o.slowReads ?? {}) : {}, o.afterRead);
      readers.push(r);
      return r;
    },
    sidecar: walk,
    clock,
    durationS: o.seconds,
    reconnect: { initialMs: 100 },
    onSample: (s) => samples.push(s),
    onEvent: (e) => events.push(e),
  });
  const done = sampler.run();
  await clock.runUntil(o.seconds * 1000 + 1000);
  const stats = await done;
  return { sampler, stats, samples, events, walk: walk.stats(), notices, readers };
}

describe('heap walk columns in the sampler', () => {
  it('puts the walk in the row of the tick it ran in, about once a second, beside every counter tick', async () => {
    const r = await run({ rateHz: 10, readMs: 1, seconds: 10 });
    expect(r.sampler.columns).toEqual(['g_free', 'heap.largest_free', 'heap.walk_free']);
    expect(r.stats.scheduler.overruns).toBe(0);
    expect(r.samples).toHaveLength(100);
    const walked = r.samples.filter((s) => s.values[1] !== undefined);
    expect(walked.length).toBe(10);
    for (const s of walked) expect(s.values).toEqual([1000, 256, 320]);
    expect(walked.map((s) => Math.round(s.t))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.walk.overran).toBe(0);
  });

  it('defers a walk that would make the next tick late to the next tick with room for it', async () => {
    // 50 Hz = 20 ms ticks, 2 ms reads. Reads 1-3 are prepare()'s walks, 4-5 tick 0 (counter, walk),
    // 6-54 ticks 1-49; read 55, the counter read of tick 50 (t = 1 s, a walk is due), takes 19 ms:
    // no room for a 2 ms walk before tick 51, so it waits for tick 51.
    const r = await run({ rateHz: 50, readMs: 2, seconds: 3, slowReads: { 55: 19 } });
    expect(r.stats.scheduler.overruns).toBe(0);
    expect(r.stats.scheduler.lateness.maxMs).toBe(0);
    expect(r.walk.deferred).toBe(1);
    const walkedAt = r.samples.filter((s) => s.values[1] !== undefined).map((s) => Number(s.t.toFixed(2)));
    expect(walkedAt).toEqual([0, 1.02, 2.02]);
    expect(r.walk.overran).toBe(0);
  });

  it('when no walk fits between ticks: late ticks stay logarithmic in the run length, and the user is told', async () => {
    // 50 Hz, 15 ms reads: counters 15 ms + walk 15 ms never fit in 20 ms.
    const r = await run({ rateHz: 50, readMs: 15, seconds: 60 });
    const ticks = r.samples.length + r.stats.scheduler.overruns;
    expect(ticks).toBe(3000);
    expect(r.walk.overran).toBeLessThanOrEqual(Math.ceil(Math.log2(ticks)) + 1);
    expect(r.walk.overran, JSON.stringify(r.walk)).toBeGreaterThan(0);
    expect(r.stats.scheduler.overruns).toBe(r.walk.overran);
    expect(r.notices.join('\n')).toMatch(/heap walk takes ~15\.0 ms but only ~5\.0 ms are free between ticks/);
  });

  it('a counter that moved between the tick read and the walk sends the walk to the next tick', async () => {
    // Read 4 is tick 0's counter read; right after it the "firmware" frees 1 byte's worth (the counter
    // moves) before the walk's read 5: the walk's snapshot disagrees with the row, so tick 1 walks.
    const r = await run({
      rateHz: 10,
      readMs: 1,
      seconds: 2,
      afterRead: (n, image) => {
        if (n === 4) new DataView(image.buffer).setUint32(COUNTER - BASE, 999, true);
      },
    });
    const walked = r.samples.filter((s) => s.values[1] !== undefined);
    expect(walked.map((s) => Number(s.t.toFixed(2)))).toEqual([0.1, 1.1]);
    expect(walked[0]!.values).toEqual([999, 256, 320]);
    expect(r.walk.tornAttempts).toBe(1);
  });

  it('a probe lost during a walk keeps the row read before it, and reconnects through the sampler', async () => {
    // Reads: 1-3 prepare() walks, 4 counters of tick 0, 5 the walk of tick 0 -> cable pulled.
    const r = await run({ rateHz: 10, readMs: 1, seconds: 3, failAt: [5] });
    expect(r.samples[0]!.t).toBe(0);
    expect(r.samples[0]!.values).toEqual([1000, undefined, undefined]);
    expect(r.events.map((e) => e.event)).toEqual(['gap', 'reconnect']);
    expect(r.readers).toHaveLength(2);
    // After the reconnect the walk fills its columns again, on the new connection.
    expect(r.samples.some((s) => s.values[1] === 256)).toBe(true);
    expect(r.stats.gaps).toBe(1);
  });
});
