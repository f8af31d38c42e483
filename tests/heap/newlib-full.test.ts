// Full newlib malloc (Debian's libnewlib-arm-none-eabi, default specs: dlmalloc bins) on the sim: the
// firmware (firmware/alloc-variants/src/newlib-full.c) calls mallinfo() and walks its own bins into
// g_alloc_truth after every batch; heapscope walks __malloc_av_ from outside while the core runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWatchExpressions, inspectHeap } from '../../src/heap/index.js';
import { bracketed, contextFor, variantElf } from './helpers.js';

const elfPath = variantElf('newlib-full');
const ctx = contextFor(elfPath);
let reader: MemoryReader;

beforeAll(async () => {
  reader = await openSim({ elfPath, speed: 2 });
});
afterAll(async () => {
  await reader?.close();
});

describe('newlib (full) profile (real newlib)', () => {
  it('is detected from __malloc_av_ and __malloc_sbrk_base, not mistaken for newlib-nano', () => {
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('newlib');
    expect(found?.detection.why).toEqual(['__malloc_av_: struct malloc_chunk bins', '__malloc_sbrk_base', 'sbrk top: _sbrk()::heap_end']);
  });

  it("the bin walk matches mallinfo() and the firmware's own walk at quiet moments", async () => {
    const found = detectAllocator(ctx)!;
    for (const minOps of [60, 150, 300]) {
      const { truth, result: report } = await bracketed(reader, ctx, minOps, () => inspectHeap(reader, ctx, found));
      expect(report.walk?.consistent, report.walk?.reason).toBe(true);
      expect(truth.free_blocks).toBeGreaterThan(1);
      expect(report.walk!.totalFree).toBe(truth.walk_free);
      expect(report.values.free).toBe(truth.free); // mallinfo().fordblks (top chunk included)
      expect(report.walk!.freeBlocks).toBe(truth.free_blocks);
      expect(report.largestFree).toBe(truth.largest_free);
      expect(report.values.capacity).toBe(truth.arena); // live __malloc_current_mallinfo.arena == sbrked_mem
      expect(report.values.used).toBe(truth.used); // mallinfo().uordblks
      expect(report.walk!.reads).toBe(2); // sbrk bounds, then bins + heap in one call
    }
  });

  it('watches the live arena counter and keeps uordblks/fordblks out of the drift roles', () => {
    const set = heapWatchExpressions(ctx.debug, ctx.elf)!;
    expect(set.allocator).toBe('newlib');
    expect(set.exprs).toEqual(['__malloc_current_mallinfo.arena', '__malloc_current_mallinfo.uordblks', '__malloc_current_mallinfo.fordblks']);
    expect(set.roles).toEqual({});
  });
});
