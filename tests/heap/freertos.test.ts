// FreeRTOS heap_4 / heap_5 on the sim. FreeRTOS itself is not built here: the firmware
// (firmware/alloc-variants/src/freertos_heap4.c) is written from FreeRTOS's documented data layout —
// same variable names and types (xStart, pxEnd, BlockLink_t, xFreeBytesRemaining, ucHeap, the allocated
// top bit, heap_5 region-end markers, heap protector XOR with xHeapCanary). It walks its own list into
// g_alloc_truth; heapscope must find the same numbers from outside while the core runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWatchExpressions, inspectHeap } from '../../src/heap/index.js';
import { freeRtosTaskStacks, parseStackSpec, scanRegions } from '../../src/heap/stacks.js';
import { bracketed, contextFor, readExprs, variantElf } from './helpers.js';

function variantSuite(variant: string, profile: string, extra: (ctx: ReturnType<typeof contextFor>) => void): void {
  describe(`${variant} (FreeRTOS layout)`, () => {
    const ctx = contextFor(variantElf(variant));
    let reader: MemoryReader;
    beforeAll(async () => {
      reader = await openSim({ elfPath: variantElf(variant), speed: 2 });
    });
    afterAll(async () => {
      await reader?.close();
    });

    it(`is detected as ${profile}`, () => {
      expect(detectAllocator(ctx)?.profile.name).toBe(profile);
      extra(ctx);
    });

    it("walk and counters match the firmware's own walk at quiet moments", async () => {
      const found = detectAllocator(ctx)!;
      for (const minOps of [60, 200]) {
        const { truth, result: report } = await bracketed(reader, ctx, minOps, () => inspectHeap(reader, ctx, found));
        expect(report.walk?.consistent, report.walk?.reason).toBe(true);
        expect(truth.free_blocks).toBeGreaterThan(1);
        expect(report.values.free).toBe(truth.free); // xFreeBytesRemaining
        expect(report.walk!.totalFree).toBe(truth.walk_free);
        expect(report.walk!.freeBlocks).toBe(truth.free_blocks);
        expect(report.largestFree).toBe(truth.largest_free);
        expect(report.values.allocCount).toBe(truth.alloc_count);
        expect(report.values.freeCount).toBe(truth.free_count);
        expect(report.values.minEverFree).toBeLessThanOrEqual(truth.free);
        if (profile === 'freertos-heap4') expect(report.values.used).toBe(truth.used);
      }
    });

    it("task stacks (from the FreeRTOS task lists) and the main stack region match the firmware's own scans", async () => {
      const hasEnd = variant !== 'freertos-heap5'; // heap5 build: TCB without pxEndOfStack
      const msp = parseStackSpec(ctx, '0x20040000..__stack_top');
      for (const minOps of [30, 300]) {
        const { result } = await bracketed(reader, ctx, minOps, async () => {
          const tasks = await freeRtosTaskStacks(reader, ctx);
          const [main] = await scanRegions(reader, [{ name: 'msp', region: msp }], 0xa5);
          const [truth] = await readExprs(reader, ctx, ['g_stack_truth']);
          return { tasks, main: main!, truth: truth as unknown as { msp_unused: number; task_unused: number[] } };
        });
        const { tasks, main, truth } = result;
        expect(tasks.map((t) => t.name)).toEqual(['IDLE', 'net', 'ui']);
        expect(tasks.map((t) => t.unusedBytes)).toEqual(truth.task_unused);
        expect(tasks.map((t) => t.sizeBytes)).toEqual(hasEnd ? [512, 768, 1024] : [null, null, null]);
        if (hasEnd) expect(tasks.map((t) => t.usedBytes! + t.unusedBytes)).toEqual([512, 768, 1024]);
        expect(tasks.find((t) => t.current)?.name).toBe('IDLE');
        expect(main.sizeBytes).toBe(8192);
        expect(main.unusedBytes).toBe(truth.msp_unused);
      }
    });
  });
}

variantSuite('freertos-heap4', 'freertos-heap4', (ctx) => {
  const set = heapWatchExpressions(ctx.debug, ctx.elf)!;
  expect(set.exprs).toEqual(['xFreeBytesRemaining', 'xMinimumEverFreeBytesRemaining', 'xNumberOfSuccessfulAllocations', 'xNumberOfSuccessfulFrees']);
  expect(set.roles).toEqual({ free: 'xFreeBytesRemaining', capacityBytes: 12288 });
  const layout = detectAllocator(ctx)!.profile.freeList!(ctx)!;
  expect(layout).toMatchObject({ nextOffset: 0, sizeOffset: 4, headerBytes: 8, allocatedBit: 0x80000000 });
  expect(layout.xorKeyAddress).toBeUndefined();
});

variantSuite('freertos-heap4-protector', 'freertos-heap4', (ctx) => {
  expect(detectAllocator(ctx)!.detection.why.join('\n')).toMatch(/xHeapCanary/);
  expect(detectAllocator(ctx)!.profile.freeList!(ctx)!.xorKeyAddress).toBe(ctx.symbols.get('xHeapCanary')!.value);
});

variantSuite('freertos-heap5', 'freertos-heap5', (ctx) => {
  const plan = detectAllocator(ctx)!.profile.counters(ctx);
  expect(plan.capacityBytes).toBeUndefined();
  expect(plan.notes.join(' ')).toMatch(/heap_5 does not record its region sizes/);
});
