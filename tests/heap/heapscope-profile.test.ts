// heapscope's own allocator on the bundled M0+ firmware, running on the sim: detection, counters, and
// the non-halting free-list walk compared with the allocator's own bookkeeping (g_heap).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim, bundledFirmware } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { detectAllocator, heapWalker, heapWatchExpressions, inspectHeap, notDetectedMessage, walkFreeList } from '../../src/heap/index.js';
import { contextFor, readExprs } from './helpers.js';
import { join } from 'node:path';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';

const elfPath = bundledFirmware('fragmentation', 'm0plus');
const ctx = contextFor(elfPath);
let reader: MemoryReader;

beforeAll(async () => {
  reader = await openSim({ elfPath, speed: 4 });
});
afterAll(async () => {
  await reader?.close();
});

interface Stats {
  alloc_count: number;
  free_count: number;
  free: number;
  largest_free: number;
  fragments: number;
  capacity: number;
  used: number;
}
const stats = async (): Promise<Stats> => (await readExprs(reader, ctx, ['g_heap']))[0] as unknown as Stats;

describe('heapscope allocator profile', () => {
  it('is detected from g_heap and g_free_list, and says so', () => {
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('heapscope');
    expect(found?.detection.why.join('\n')).toMatch(/g_heap: struct heap_stats/);
    expect(found?.detection.why.join('\n')).toMatch(/g_free_list: pointer to struct heap_block/);
  });

  it('takes the free-list layout from DWARF (size at 0, next at 4, 8-byte header, arena bounds)', () => {
    const layout = detectAllocator(ctx)!.profile.freeList!(ctx)!;
    expect(layout).toMatchObject({ sizeOffset: 0, nextOffset: 4, headerBytes: 8, pointerSize: 4, addressOrdered: true });
    const arena = ctx.symbols.get('g_heap_arena')!;
    expect(layout.regions).toEqual([{ start: arena.value, end: arena.value + 16384 }]);
  });

  it('walks the free list in one block read and agrees with the allocator at a quiet moment', async () => {
    const found = detectAllocator(ctx)!;
    const layout = found.profile.freeList!(ctx)!;
    let matched = 0;
    for (let i = 0; i < 200 && matched < 5; i++) {
      const before = await stats();
      const walk = await walkFreeList(reader, layout);
      const after = await stats();
      if (before.alloc_count + before.free_count !== after.alloc_count + after.free_count) continue;
      expect(walk.consistent).toBe(true);
      expect(walk.reads).toBe(1);
      expect(walk.totalFree).toBe(after.free);
      expect(walk.largestFree).toBe(after.largest_free);
      expect(walk.freeBlocks).toBe(after.fragments);
      matched++;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(matched).toBe(5);
  });

  it('paged and node-by-node walks find the same blocks as the whole-arena walk, in more reads', async () => {
    const layout = detectAllocator(ctx)!.profile.freeList!(ctx)!;
    for (let i = 0; i < 200; i++) {
      const before = await stats();
      const whole = await walkFreeList(reader, layout);
      const paged = await walkFreeList(reader, layout, { maxPrefetchBytes: 0 });
      const nodes = await walkFreeList(reader, layout, { mode: 'node-by-node' });
      const after = await stats();
      if (before.alloc_count + before.free_count !== after.alloc_count + after.free_count) continue;
      for (const w of [paged, nodes]) {
        expect(w.consistent).toBe(true);
        expect([w.freeBlocks, w.totalFree, w.largestFree, w.histogram]).toEqual([whole.freeBlocks, whole.totalFree, whole.largestFree, whole.histogram]);
      }
      expect(nodes.reads).toBe(1 + whole.freeBlocks! + 1); // head+counters, one per block, counters again
      expect(paged.reads).toBeGreaterThan(1);
      return;
    }
    throw new Error('no quiet moment in 200 tries');
  });

  it('reports capacity, used, free, counts, largest free and a histogram that sums to the block count', async () => {
    const report = await inspectHeap(reader, ctx, detectAllocator(ctx)!);
    expect(report.allocator).toBe('heapscope');
    expect(report.values.capacity).toBe(16384);
    expect(report.values.used! + report.values.free!).toBe(16384);
    expect(report.values.allocCount).toBeGreaterThan(0);
    expect(report.walk?.consistent).toBe(true);
    expect(report.largestFreeSource).toBe('walk');
    // counters ride along in the walk's read: one instant (on the sim, one atomic snapshot)
    expect(report.walk!.reads).toBe(1);
    expect(report.values.free).toBe(report.walk!.totalFree);
    expect(report.values.fragments).toBe(report.walk!.freeBlocks);
    expect(report.values.largestFree).toBe(report.largestFree);
    const hist = Object.values(report.walk!.histogram!).reduce((a, b) => a + b, 0);
    expect(hist).toBe(report.walk!.freeBlocks);
    expect(report.fragmentation).toBeGreaterThanOrEqual(0);
    expect(report.fragmentation).toBeLessThan(1);
  });

  it('gives watch/record the counters to watch and their drift roles', () => {
    const set = heapWatchExpressions(ctx.debug, ctx.elf)!;
    expect(set.allocator).toBe('heapscope');
    expect(set.exprs).toEqual(expect.arrayContaining(['g_heap.used', 'g_heap.free', 'g_heap.largest_free', 'g_heap.capacity']));
    expect(set.roles).toEqual({ used: 'g_heap.used', free: 'g_heap.free', largest: 'g_heap.largest_free', capacityBytes: 16384 });
  });

  it('gives a sampler the walk as one function (largest free block at a low rate)', async () => {
    const walk = heapWalker(ctx.debug, ctx.elf)!;
    const r = await walk(reader);
    expect(r.consistent).toBe(true);
    expect(r.largestFree).toBeGreaterThan(0);
    expect(r.largestFree).toBeLessThanOrEqual(r.totalFree!);
  });

  it('finds nothing in a firmware without an allocator, and says what it looked for', () => {
    const plain = contextFor(join(heapscopeRoot(), 'tests', 'fixtures', 'elf-unit', 'arm-gcc-dwarf4-Os.elf'));
    expect(detectAllocator(plain)).toBeNull();
    expect(heapWatchExpressions(plain.debug, plain.elf)).toBeNull();
    expect(heapWalker(plain.debug, plain.elf)).toBeNull();
    const msg = notDetectedMessage('fw.elf');
    expect(msg).toMatch(/g_heap/);
    expect(msg).toMatch(/__malloc_free_list/);
    expect(msg).toMatch(/by hand/);
  });
});
