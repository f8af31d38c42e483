// What newlib's two mallocs share: the sbrk top and the mallinfo struct.
import { findStatic, memberAt } from '../dwarf-layout.js';
import type { CounterRole, CounterSpec, HeapContext } from '../types.js';

/** The current sbrk top: `heap_end` static of _sbrk (libnosys, newlib's syscalls, most vendor code). */
export function findSbrkTop(ctx: HeapContext): { address: number; label: string } | null {
  for (const fn of ['_sbrk', '_sbrk_r', 'sbrk']) {
    const v = findStatic(ctx, 'heap_end', fn);
    if (v && v.address !== null) return { address: v.address, label: `${fn}()::heap_end` };
  }
  for (const name of ['heap_end', '__sbrk_heap_end', 'sbrk_heap_end', 'heap_top']) {
    const v = findStatic(ctx, name);
    if (v && v.address !== null) return { address: v.address, label: name };
  }
  return null;
}

/** __malloc_current_mallinfo members (arena, uordblks, fordblks); `stale` except those newlib keeps live. */
export function mallinfoCounters(ctx: HeapContext, allStale: boolean): CounterSpec[] {
  const mi = findStatic(ctx, '__malloc_current_mallinfo');
  if (!mi) return [];
  const out: CounterSpec[] = [];
  const add = (role: CounterRole, member: string, stale: boolean): void => {
    if (memberAt(mi.type, member)) out.push({ role, expr: `__malloc_current_mallinfo.${member}`, ...(stale ? { stale: true } : {}) });
  };
  // Full newlib's sbrked_mem *is* current_mallinfo.arena (a #define), so arena is live there.
  add('capacity', 'arena', allStale);
  add('used', 'uordblks', true);
  add('free', 'fordblks', true);
  return out;
}
