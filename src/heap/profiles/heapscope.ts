// heapscope's own demo allocator (firmware/src/heap.c): every statistic in one struct, g_heap, and an
// address-ordered free list g_free_list of struct heap_block {size; union {next; magic} u;} over
// g_heap_arena. Byte counts are gross (headers included).
import { pointee, describeType, findStatic, memberAt, memberBlock, pointerSize, sizeOfType } from '../dwarf-layout.js';
import type { AllocatorProfile, CounterPlan, CounterRole, Detection, FreeListLayout, HeapContext } from '../types.js';

const STATS: ReadonlyArray<[CounterRole, string]> = [
  ['capacity', 'capacity'],
  ['used', 'used'],
  ['free', 'free'],
  ['minEverFree', 'min_ever_free'],
  ['allocCount', 'alloc_count'],
  ['freeCount', 'free_count'],
  ['largestFree', 'largest_free'],
  ['fragments', 'fragments'],
  ['failedAllocs', 'failed_allocs'],
];

function nextPath(ctx: HeapContext): string | null {
  const head = findStatic(ctx, 'g_free_list');
  if (!head) return null;
  for (const p of ['u.next', 'next']) if (memberAt(pointee(head.type), p)) return p;
  return null;
}

export const heapscopeProfile: AllocatorProfile = {
  name: 'heapscope',
  title: "heapscope demo allocator (g_heap stats struct + g_free_list)",
  looksFor: 'g_heap (struct with capacity, used, free, largest_free) and g_free_list',
  detect(ctx: HeapContext): Detection | null {
    const stats = findStatic(ctx, 'g_heap');
    if (!stats || !['capacity', 'used', 'free', 'largest_free'].every((m) => memberAt(stats.type, m))) return null;
    const why = [`g_heap: ${describeType(stats.type)} with capacity, used, free, largest_free`];
    const head = findStatic(ctx, 'g_free_list');
    if (head) why.push(`g_free_list: pointer to ${describeType(head.type)}`);
    return { profile: this.name, why };
  },
  counters(ctx: HeapContext): CounterPlan {
    const stats = findStatic(ctx, 'g_heap')!;
    const arena = findStatic(ctx, 'g_heap_arena');
    const arenaBytes = arena ? sizeOfType(arena.type) : null;
    return {
      ...(arenaBytes ? { capacityBytes: arenaBytes } : {}),
      counters: STATS.filter(([, m]) => memberAt(stats.type, m)).map(([role, m]) => ({ role, expr: `g_heap.${m}` })),
      notes: ['byte counts include the 8-byte block headers; the largest request that fits is largest free - header'],
    };
  },
  freeList(ctx: HeapContext): FreeListLayout | null {
    const head = findStatic(ctx, 'g_free_list');
    const arena = findStatic(ctx, 'g_heap_arena');
    const next = nextPath(ctx);
    if (!head || head.address === null || !arena || arena.address === null || !next) return null;
    const block = pointee(head.type);
    const size = memberAt(block, 'size');
    const link = memberAt(block, next)!;
    const arenaBytes = sizeOfType(arena.type);
    const headerBytes = sizeOfType(block);
    if (!size || arenaBytes === null || headerBytes === null) return null;
    const stamps = [memberBlock(ctx, 'g_heap', 'alloc_count'), memberBlock(ctx, 'g_heap', 'free_count')].filter((b) => b !== null);
    const freeTotal = memberBlock(ctx, 'g_heap', 'free');
    const freeCount = memberBlock(ctx, 'g_heap', 'fragments');
    return {
      headAddress: head.address,
      pointerSize: pointerSize(ctx, head.type),
      littleEndian: ctx.elf.littleEndian,
      nextOffset: link.offset,
      sizeOffset: size.offset,
      sizeBytes: size.size,
      headerBytes,
      regions: [{ start: arena.address, end: arena.address + arenaBytes }],
      alignment: pointerSize(ctx, head.type),
      addressOrdered: true,
      stamps,
      ...(freeTotal ? { freeTotal, freeTotalCountsHeaders: true } : {}),
      ...(freeCount ? { freeCount } : {}),
    };
  },
};
