// Zephyr sys_heap chunk walk on the sim. Zephyr is not built here: firmware/alloc-variants/src/
// zephyr_chunks.c is written from Zephyr's documented heap layout (z_heap in chunk 0 of the heap memory,
// 16-bit LEFT_SIZE / SIZE_AND_USED chunk headers, buckets + avail_buckets, runtime stats), with the same
// type, variable and member names. heapscope walks the chunks for the largest free block and must agree
// with the firmware's own chunk walk; the runtime-stats counters must match the firmware's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryBlock, MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWalker, inspectHeap } from '../../src/heap/index.js';
import { zephyrHeapLayout } from '../../src/heap/profiles/zephyr-chunks.js';
import { bracketed, contextFor, variantElf } from './helpers.js';

/** Fault injection over the real sim's bytes (a mock only for a fault the sim cannot produce on cue):
 * every copy of the word at `at` comes back with bit 31 set, a bucket no 12 KiB heap can use. */
function flipBit31(inner: MemoryReader, at: number): MemoryReader {
  return {
    description: inner.description,
    nonHalting: true,
    maxBlockBytes: inner.maxBlockBytes,
    info: () => inner.info(),
    close: () => Promise.resolve(),
    async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
      const got = await inner.readBlocks(blocks);
      blocks.forEach((b, i) => {
        if (at >= b.address && at + 4 <= b.address + b.length) got[i]![at - b.address + 3]! |= 0x80;
      });
      return got;
    },
  };
}

const elfPath = variantElf('zephyr-chunks');
const ctx = contextFor(elfPath);

describe('zephyr sys_heap chunks', () => {
  let reader: MemoryReader;
  beforeAll(async () => {
    reader = await openSim({ elfPath, speed: 2 });
  });
  afterAll(async () => {
    await reader?.close();
  });

  it("walks the chunks to the firmware's own free blocks and largest free block, beside the runtime stats", async () => {
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('zephyr-sys-heap');
    for (const minOps of [60, 240]) {
      const { truth, result } = await bracketed(reader, ctx, minOps, () => inspectHeap(reader, ctx, found!));
      expect(result.walk?.consistent, result.walk?.reason).toBe(true);
      expect(truth.free_blocks).toBeGreaterThan(1);
      expect(result.walk!.freeBlocks).toBe(truth.free_blocks);
      expect(result.walk!.totalFree).toBe(truth.walk_free);
      expect(result.largestFree).toBe(truth.largest_free);
      expect(result.largestFreeSource).toBe('walk');
      expect(result.values.free).toBe(truth.free);
      expect(result.values.used).toBe(truth.used);
      expect(result.values.capacity).toBe(truth.arena);
    }
  });

  it('a node-by-node walk agrees with the coalesced one and costs more reads', async () => {
    const walk = heapWalker(ctx.debug, ctx.elf)!;
    const { result } = await bracketed(reader, ctx, 30, async () => [await walk(reader), await walk(reader, { mode: 'node-by-node' })]);
    const [coalesced, naive] = result;
    expect(coalesced!.consistent && naive!.consistent, `${coalesced!.reason} / ${naive!.reason}`).toBe(true);
    expect([naive!.freeBlocks, naive!.totalFree, naive!.largestFree]).toEqual([coalesced!.freeBlocks, coalesced!.totalFree, coalesced!.largestFree]);
    expect(coalesced!.reads).toBe(2);
    expect(naive!.reads).toBeGreaterThan(coalesced!.reads);
  });

  it('a heap whose avail_buckets disagrees with its free chunks is reported inconsistent, with no numbers', async () => {
    const layout = zephyrHeapLayout(ctx)!;
    const [p] = await reader.readBlocks([layout.heapPtr]);
    const h = new DataView(p!.buffer, p!.byteOffset, 4).getUint32(0, true);
    const walk = heapWalker(ctx.debug, ctx.elf)!;
    const r = await walk(flipBit31(reader, h + layout.availBuckets.offset), { retryDelayMs: 0 });
    expect(r.consistent).toBe(false);
    expect(r.reason).toMatch(/inconsistent snapshot after 4 attempts: free chunks fill buckets 0x[0-9a-f]+, avail_buckets says 0x8/);
    expect(r.largestFree).toBeUndefined();
  });
});
