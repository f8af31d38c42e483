// FreeRTOS heap_2 / heap_1 and the counter layouts of Zephyr sys_heap, ThreadX byte pools, Mbed OS
// heap stats and lwIP mem stats, each on the sim. None of these allocators is built here: the firmware
// (firmware/alloc-variants/src/freertos_heap2.c, layouts.c) is written from each one's documented data
// layout — same variable, struct and member names — and mirrors its counters into g_alloc_truth.
// The profiles find the variables by DWARF and must read the same numbers; the ThreadX layout firmware
// also implements the byte pool's block list, which heapscope walks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWatchExpressions, inspectHeap } from '../../src/heap/index.js';
import type { HeapReport } from '../../src/heap/inspect.js';
import { hasFreeRtosTasks, hasZephyrThreads, zephyrThreadStacks } from '../../src/heap/stacks.js';
import { bracketed, contextFor, readExprs, variantElf, type AllocTruth } from './helpers.js';

type Extra = (reader: MemoryReader, ctx: ReturnType<typeof contextFor>) => Promise<void>;

function suite(
  variant: string,
  profile: string,
  check: (r: HeapReport, t: AllocTruth) => void,
  roles?: object,
  extra?: [string, Extra],
  inspect: { walk?: false } = {},
): void {
  describe(variant, () => {
    const ctx = contextFor(variantElf(variant));
    let reader: MemoryReader;
    beforeAll(async () => {
      reader = await openSim({ elfPath: variantElf(variant), speed: 2 });
    });
    afterAll(async () => {
      await reader?.close();
    });
    it(`is detected as ${profile} and its counters match the firmware's at a quiet moment`, async () => {
      const found = detectAllocator(ctx);
      expect(found?.profile.name).toBe(profile);
      const { truth, result } = await bracketed(reader, ctx, 90, () => inspectHeap(reader, ctx, found!, inspect));
      expect(truth.used).toBeGreaterThan(0);
      check(result, truth);
      if (roles) expect(heapWatchExpressions(ctx.debug, ctx.elf)!.roles).toEqual(roles);
    });
    if (extra) it(extra[0], () => extra[1](reader, ctx));
  });
}

suite('freertos-heap2', 'freertos-heap2', (r, t) => {
  expect(r.walk?.consistent, r.walk?.reason).toBe(true);
  expect(r.values.free).toBe(t.free);
  expect(r.values.used).toBe(t.used);
  expect(r.walk!.totalFree).toBe(t.walk_free);
  expect(r.walk!.freeBlocks).toBe(t.free_blocks);
  expect(r.largestFree).toBe(t.largest_free);
});

suite(
  'freertos-heap1',
  'freertos-heap1',
  (r, t) => {
    expect(r.values.used).toBe(t.used);
    expect(r.values.capacity).toBe(t.arena);
    expect(r.walk).toBeUndefined();
  },
  { used: 'xNextFreeByte', capacityBytes: 12288 },
);

suite(
  'layout-zephyr',
  'zephyr-sys-heap',
  (r, t) => {
    expect(r.exprs.free).toBe('_system_heap.heap.heap->free_bytes');
    expect(r.values.free).toBe(t.free);
    expect(r.values.used).toBe(t.used);
    expect(r.values.peakUsed).toBe(t.largest_free); // the layout firmware reuses largest_free for the peak
    expect(r.values.capacity).toBe(t.arena);
  },
  { used: '_system_heap.heap.heap->allocated_bytes', free: '_system_heap.heap.heap->free_bytes' },
  [
    "thread stacks from _kernel.threads (fill 0xAA) match the firmware's own scans",
    async (reader, ctx) => {
      expect(hasZephyrThreads(ctx)).toBe(true);
      for (const minOps of [30, 150]) {
        const { result } = await bracketed(reader, ctx, minOps, async () => {
          const stacks = await zephyrThreadStacks(reader, ctx);
          const [truth] = await readExprs(reader, ctx, ['g_stack_truth']);
          return { stacks, truth: truth as unknown as { task_unused: number[] } };
        });
        expect(result.stacks.map((t) => [t.name, t.sizeBytes, t.source])).toEqual([
          ['main', 768, 'zephyr-thread'],
          ['sysworkq', 768, 'zephyr-thread'],
        ]);
        expect(result.stacks.map((t) => t.unusedBytes)).toEqual(result.truth.task_unused.slice(0, 2));
        expect(result.stacks[0]!.current).toBe(true);
      }
      expect(hasFreeRtosTasks(ctx)).toBe(false);
    },
  ],
  // Counters only: this layout firmware keeps z_heap outside its heap memory, so the chunk walk is rejected
  // on every attempt (4 attempts + retry delays make each look long, and a quiet moment rare under load).
  // The chunk walk is tested on zephyr-chunks, which lays the heap out as Zephyr does (tests/heap/zephyr-chunks.test.ts).
  { walk: false },
);

suite('layout-threadx', 'threadx-byte-pool', (r, t) => {
  expect(r.values.capacity).toBe(t.arena);
  expect(r.values.free).toBe(t.free); // tx_byte_pool_available
  expect(r.values.used).toBe(t.used);
  expect(r.values.fragments).toBe(t.live); // every block, end marker included
  // the block-list walk (ThreadX's header: next pointer + owner word)
  expect(r.walk?.consistent, r.walk?.reason).toBe(true);
  expect(r.walk!.totalFree).toBe(t.walk_free);
  expect(r.walk!.freeBlocks).toBe(t.free_blocks);
  expect(r.largestFree).toBe(t.largest_free); // largest run of adjacent free blocks - one header
  expect(r.largestFreeSource).toBe('walk');
});

suite('layout-mbed', 'mbed-heap-stats', (r, t) => {
  expect(r.values.capacity).toBe(t.arena);
  expect(r.values.used).toBe(t.used);
  expect(r.values.peakUsed).toBe(t.largest_free);
  expect(r.values.allocCount).toBe(t.alloc_count);
  expect(r.values.failedAllocs).toBe(t.failed);
});

suite('layout-lwip', 'lwip-mem', (r, t) => {
  expect(r.values.capacity).toBe(t.arena);
  expect(r.values.used).toBe(t.used);
  expect(r.values.peakUsed).toBe(t.largest_free);
  expect(r.values.failedAllocs).toBe(t.failed);
});
