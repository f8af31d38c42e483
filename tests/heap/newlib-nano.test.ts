// newlib-nano's real malloc (Debian's libnewlib-arm-none-eabi, --specs=nano.specs) on the sim: the
// firmware (firmware/alloc-variants/src/newlib-nano.c) calls mallinfo() and walks its own free list
// into g_alloc_truth after every batch of malloc/free; heapscope must find the same numbers by walking
// __malloc_free_list from outside while the core runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWatchExpressions, inspectHeap } from '../../src/heap/index.js';
import { bracketed, contextFor, variantElf } from './helpers.js';

const elfPath = variantElf('newlib-nano');
const ctx = contextFor(elfPath);
let reader: MemoryReader;

beforeAll(async () => {
  reader = await openSim({ elfPath, speed: 2 });
});
afterAll(async () => {
  await reader?.close();
});

describe('newlib-nano profile (real newlib)', () => {
  it('is detected from __malloc_free_list, __malloc_sbrk_start and _sbrk\'s heap_end', () => {
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('newlib-nano');
    expect(found?.detection.why).toEqual(['__malloc_free_list: pointer to struct malloc_chunk', '__malloc_sbrk_start', 'sbrk top: _sbrk()::heap_end']);
  });

  it('the walk matches mallinfo() and the firmware\'s own walk at quiet moments', async () => {
    const found = detectAllocator(ctx)!;
    for (const minOps of [60, 150, 300]) {
      const { truth, result: report } = await bracketed(reader, ctx, minOps, () => inspectHeap(reader, ctx, found));
      expect(report.walk?.consistent).toBe(true);
      expect(truth.free_blocks).toBeGreaterThan(0);
      expect(report.walk!.totalFree).toBe(truth.walk_free);
      expect(report.values.free).toBe(truth.free); // mallinfo().fordblks
      expect(report.walk!.freeBlocks).toBe(truth.free_blocks);
      expect(report.largestFree).toBe(truth.largest_free);
      expect(report.values.capacity).toBe(truth.arena); // sbrk top - sbrk start == mallinfo().arena
      expect(report.values.used).toBe(truth.used);
    }
  });

  it('shows __malloc_current_mallinfo as stale, never as a live value', async () => {
    const report = await inspectHeap(reader, ctx, detectAllocator(ctx)!);
    expect(Object.keys(report.stale ?? {})).toEqual(['capacity', 'used', 'free']);
    expect(report.exprs.free).toBeUndefined();
    expect(report.notes.join(' ')).toMatch(/only changes when the firmware calls mallinfo/);
  });

  it('watch/record get the mallinfo counters but no drift roles (nothing live to judge)', () => {
    const set = heapWatchExpressions(ctx.debug, ctx.elf)!;
    expect(set.allocator).toBe('newlib-nano');
    expect(set.exprs).toContain('__malloc_current_mallinfo.uordblks');
    expect(set.roles.used).toBeUndefined();
  });
});
