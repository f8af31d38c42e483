import { describe, expect, it } from 'vitest';
import { heapRoleOf, leafName } from '../../src/drift/roles.js';

describe('heap roles from column names', () => {
  it('reads the last part of an expression', () => {
    expect(leafName('g_heap.used')).toBe('used');
    expect(leafName('p->stats.free')).toBe('free');
    expect(leafName('pools[2].largest_free')).toBe('largest_free');
  });
  it('knows the common allocators’ counters', () => {
    expect(heapRoleOf('g_heap.used')).toBe('used');
    expect(heapRoleOf('g_heap.free')).toBe('free');
    expect(heapRoleOf('g_heap.largest_free')).toBe('largest');
    expect(heapRoleOf('g_heap.min_ever_free')).toBe('minfree');
    expect(heapRoleOf('g_heap.capacity')).toBe('capacity');
    expect(heapRoleOf('xFreeBytesRemaining')).toBe('free');
    expect(heapRoleOf('xMinimumEverFreeBytesRemaining')).toBe('minfree');
    expect(heapRoleOf('__malloc_current_mallinfo.uordblks')).toBe('used');
    expect(heapRoleOf('__malloc_current_mallinfo.fordblks')).toBe('free');
  });
  it('never takes a counter for a byte amount', () => {
    for (const c of ['g_heap.free_count', 'g_heap.alloc_count', 'g_heap.fragments', 'g_heap.failed_allocs', 'xNumberOfSuccessfulFrees'])
      expect(heapRoleOf(c)).toBeUndefined();
  });
});
