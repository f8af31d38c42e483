// TLSF on the sim. TLSF is not built here: firmware/alloc-variants/src/tlsf.c is written from TLSF's
// documented data layout (Matthew Conte's control_t / block_header_t, same type and member names), and,
// as in typical code, the application holds only a `void *` tlsf_t handle. heapscope must find the
// control structure through the DWARF type and the handle, walk the segregated lists, and agree with the
// firmware's own truth, which comes from walking the blocks in PHYSICAL order (a different path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryBlock, MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWalker, inspectHeap } from '../../src/heap/index.js';
import { tlsfLayout, tlsfProfile } from '../../src/heap/profiles/tlsf.js';
import { tlsfListOf } from '../../src/heap/profiles/tlsf-walk.js';
import { bracketed, contextFor, variantElf } from './helpers.js';

const elfPath = variantElf('tlsf');
const ctx = contextFor(elfPath);

/** Fault injection over the real sim's bytes (a mock only for a fault the sim cannot produce on cue):
 * flips bit 9 of fl_bitmap (a first-level list the 16 KiB pool can never use) in the first copy of the
 * control structure of the next `calls` reads that carry it, as if the firmware changed it mid-read;
 * `bothCopies` flips it in every copy, i.e. a heap that stays inconsistent. */
class FlBitmapFlipper implements MemoryReader {
  readonly nonHalting = true;
  constructor(
    private readonly inner: MemoryReader,
    private readonly flBitmapAt: () => number,
    private calls: number,
    private readonly bothCopies: boolean,
  ) {}
  get description(): string {
    return this.inner.description;
  }
  get maxBlockBytes(): number {
    return this.inner.maxBlockBytes;
  }
  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const got = await this.inner.readBlocks(blocks);
    const at = this.flBitmapAt();
    if (this.calls > 0) {
      const hits = blocks.map((b, i) => (at >= b.address && at + 4 <= b.address + b.length ? i : -1)).filter((i) => i >= 0);
      if (hits.length >= 2) {
        this.calls--;
        for (const i of this.bothCopies ? hits : hits.slice(0, 1)) got[i]![at - blocks[i]!.address + 1]! ^= 0x02; // bit 9, little-endian
      }
    }
    return got;
  }
  info(): ReturnType<MemoryReader['info']> {
    return this.inner.info();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('tlsf', () => {
  let reader: MemoryReader;
  beforeAll(async () => {
    reader = await openSim({ elfPath, speed: 2 });
  });
  afterAll(async () => {
    await reader?.close();
  });

  it('is detected through the control_t DWARF type and the tlsf_t handle g_tlsf', () => {
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('tlsf');
    expect(found!.detection.why[0]).toMatch(/struct control_t .*fl_bitmap, sl_bitmap, blocks\[10\]\[32\]/);
    expect(found!.detection.why[1]).toMatch(/^g_tlsf: tlsf_t handle/);
    const layout = tlsfLayout(ctx)!;
    expect(layout.control).toEqual({ pointerAt: ctx.symbols.get('g_tlsf')!.value });
    expect([layout.flCount, layout.slCount, layout.headerBytes, layout.minBlock]).toEqual([10, 32, 16, 12]);
  });

  it("walks the segregated lists to the firmware's own free bytes, block count and largest block", async () => {
    const found = detectAllocator(ctx)!;
    for (const minOps of [60, 240]) {
      const { truth, result } = await bracketed(reader, ctx, minOps, () => inspectHeap(reader, ctx, found));
      expect(result.walk?.consistent, result.walk?.reason).toBe(true);
      expect(truth.free_blocks).toBeGreaterThan(1); // the workload has made holes
      expect(result.walk!.freeBlocks).toBe(truth.free_blocks);
      expect(result.walk!.totalFree).toBe(truth.walk_free);
      expect(result.largestFree).toBe(truth.largest_free);
      expect(result.largestFreeSource).toBe('walk');
      expect(result.values.capacity).toBe(truth.arena);
      expect(result.values.used).toBe(truth.used);
      expect(result.values.fragments).toBe(truth.free_blocks);
      expect(Object.values(result.walk!.histogram!).reduce((a, b) => a + b, 0)).toBe(truth.free_blocks);
    }
  });

  it('a node-by-node walk finds the same blocks with more reads than the coalesced one', async () => {
    const walk = heapWalker(ctx.debug, ctx.elf)!;
    const { result } = await bracketed(reader, ctx, 30, async () => [await walk(reader), await walk(reader, { mode: 'node-by-node' })]);
    const [coalesced, naive] = result;
    expect(coalesced!.consistent && naive!.consistent, `${coalesced!.reason} / ${naive!.reason}`).toBe(true);
    expect({ ...naive, reads: 0, bytesRead: 0, attempts: 0, reason: '' }).toEqual({ ...coalesced, reads: 0, bytesRead: 0, attempts: 0, reason: '' });
    expect(coalesced!.reads).toBe(2); // the handle, then control + pool + control in one call
    expect(naive!.reads).toBeGreaterThan(coalesced!.reads);
  });

  it('a control structure that changes during the read is retried, and never counted when it stays torn', async () => {
    const layout = tlsfLayout(ctx)!;
    const handle = 'pointerAt' in layout.control ? layout.control.pointerAt : 0;
    const [h] = await reader.readBlocks([{ address: handle, length: 4 }]);
    const flBitmapAt = new DataView(h!.buffer, h!.byteOffset, 4).getUint32(0, true) + layout.flBitmap.offset;
    const walk = tlsfProfile.walk!(ctx)!;

    const once = await bracketed(reader, ctx, 30, () => walk(new FlBitmapFlipper(reader, () => flBitmapAt, 1, false), { retryDelayMs: 0 }));
    expect(once.result.consistent).toBe(true);
    expect(once.result.attempts).toBe(2);
    expect(once.result.reason).toMatch(/retried: the TLSF control structure changed while it was read/);
    expect(once.result.largestFree).toBe(once.truth.largest_free);

    const always = await walk(new FlBitmapFlipper(reader, () => flBitmapAt, 1000, true), { retryDelayMs: 0 });
    expect(always.consistent).toBe(false);
    expect(always.reason).toMatch(/inconsistent snapshot after 4 attempts: fl_bitmap bit 9 disagrees with sl_bitmap\[9\]/);
    // The same rejection every time is flagged as such (`heap` then says "not a race", not "the firmware kept changing").
    expect(always.sameEachTime).toBe(true);
    expect(once.result.sameEachTime).toBeUndefined();
    expect(always.largestFree).toBeUndefined();
    expect(always.totalFree).toBeUndefined();
  });

  it("maps block sizes to TLSF's (fl, sl) lists: linear below 128 bytes, 32 steps per power of two above", () => {
    expect(tlsfListOf(12, 5, 2)).toEqual([0, 3]);
    expect(tlsfListOf(124, 5, 2)).toEqual([0, 31]);
    expect(tlsfListOf(128, 5, 2)).toEqual([1, 0]);
    expect(tlsfListOf(252, 5, 2)).toEqual([1, 31]);
    expect(tlsfListOf(256, 5, 2)).toEqual([2, 0]);
    expect(tlsfListOf(4224, 5, 2)).toEqual([6, 1]);
    expect(tlsfListOf(15000, 5, 2)).toEqual([7, 26]);
  });

  it('is not detected in firmware of other allocators', () => {
    for (const other of ['freertos-heap4', 'newlib-nano', 'layout-threadx', 'churn-heapscope']) {
      expect(tlsfProfile.detect(contextFor(variantElf(other))), other).toBeNull();
    }
  });
});

describe('tlsf, another configuration (16 second-level lists)', () => {
  const sl16 = variantElf('tlsf-sl16');
  const ctx16 = contextFor(sl16);
  let reader: MemoryReader;
  beforeAll(async () => {
    reader = await openSim({ elfPath: sl16, speed: 2 });
  });
  afterAll(async () => {
    await reader?.close();
  });

  it('takes the list matrix and the size classes from the DWARF, and still matches the firmware', async () => {
    const layout = tlsfLayout(ctx16)!;
    expect([layout.flCount, layout.slCount, layout.slLog2]).toEqual([10, 16, 4]);
    const found = detectAllocator(ctx16)!;
    expect(found.detection.why[0]).toContain('blocks[10][16]');
    const { truth, result } = await bracketed(reader, ctx16, 120, () => inspectHeap(reader, ctx16, found));
    expect(result.walk?.consistent, result.walk?.reason).toBe(true);
    expect([result.walk!.freeBlocks, result.walk!.totalFree, result.largestFree]).toEqual([truth.free_blocks, truth.walk_free, truth.largest_free]);
    expect(truth.free_blocks).toBeGreaterThan(1);
  });
});

// A walk racing a full-speed churn (firmware/alloc-variants/src/tlsf_churn.c: the same allocator, never
// sleeping, with a seqlock and a ring of the true largest free block after each operation). On the sim
// one readBlocks call is one snapshot, which can land inside tlsf_malloc / tlsf_free; a walk reported
// consistent must carry the largest free block after one of the operations its reads overlapped.
describe('tlsf torn-walk detection against a full-speed churn (sim)', () => {
  const churnElf = variantElf('churn-tlsf');
  const cctx = contextFor(churnElf);
  const churn = cctx.symbols.get('g_churn')!.value;
  const RING = 16384;
  let reader: MemoryReader;
  beforeAll(async () => {
    reader = await openSim({ elfPath: churnElf, speed: Infinity });
  });
  afterAll(async () => {
    await reader?.close();
  });

  /** Reads g_churn.seq/.ops before and after the caller's blocks in every call (pass-through). */
  const tagged = (inner: MemoryReader) => {
    const u32 = (b: Uint8Array, o = 0): number => new DataView(b.buffer, b.byteOffset, b.length).getUint32(o, true);
    const tags = { first: null as null | { seq: number; ops: number }, last: { seq: 0, ops: 0 } };
    const r: MemoryReader = {
      description: inner.description,
      nonHalting: true,
      maxBlockBytes: inner.maxBlockBytes,
      info: () => inner.info(),
      close: () => Promise.resolve(),
      async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
        const tag = { address: churn, length: 8 };
        const got = await inner.readBlocks([tag, ...blocks, tag]);
        tags.first ??= { seq: u32(got[0]!), ops: u32(got[0]!, 4) };
        tags.last = { seq: u32(got[got.length - 1]!), ops: u32(got[got.length - 1]!, 4) };
        return got.slice(1, -1);
      },
    };
    return { r, tags };
  };

  /** True largest-free values after each operation from `first` to `last` (+1 when one was in flight). */
  async function validLargest(first: { ops: number }, last: { seq: number; ops: number }): Promise<number[] | null> {
    const upTo = last.ops + (last.seq % 2 === 1 ? 1 : 0);
    const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
    // The operation in flight at the last read may have finished its heap changes already but not yet
    // written its ring entry: wait until it is done, else its entry is still the old one.
    for (let i = 0; i < 500; i++) {
      const [ops] = await reader.readBlocks([{ address: churn + 4, length: 4 }]);
      if (u32(ops!) >= upTo) break;
      await new Promise((res) => setTimeout(res, 1));
    }
    const ns: number[] = [];
    for (let n = first.ops; n <= upTo; n++) ns.push(n);
    const got = await reader.readBlocks([...ns.map((n) => ({ address: churn + 8 + 4 * (n % RING), length: 4 })), { address: churn + 4, length: 4 }]);
    if (u32(got[got.length - 1]!) - first.ops >= RING - 1) return null; // lapped the ring: cannot judge
    return got.slice(0, -1).map(u32);
  }

  it('sees torn snapshots, and every consistent walk has a true largest free block', async () => {
    const walk = tlsfProfile.walk!(cctx)!;
    let torn = 0;
    let judged = 0;
    for (let i = 0; i < 150; i++) {
      const { r, tags } = tagged(reader);
      const w = await walk(r, { attempts: 1 });
      if (!w.consistent) {
        torn++;
        expect(w.largestFree).toBeUndefined();
        continue;
      }
      const valid = await validLargest(tags.first!, tags.last);
      if (!valid) continue;
      judged++;
      expect(valid, `walk over ops ${tags.first!.ops}..${tags.last.ops}`).toContain(w.largestFree);
    }
    expect(torn, 'the churn should produce torn snapshots').toBeGreaterThan(0);
    expect(judged).toBeGreaterThan(0);
  });
});
