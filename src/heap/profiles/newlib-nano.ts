// newlib-nano malloc (--specs=nano.specs): an address-ordered free list of chunks {long size; chunk
// *next;} headed by __malloc_free_list, over memory from _sbrk starting at __malloc_sbrk_start. It keeps
// no live counters: __malloc_current_mallinfo is only filled when the firmware calls mallinfo(). So the
// live numbers come from walking the list, and the heap size from the sbrk top (the `heap_end`
// static of _sbrk, as in libnosys and most vendor startups).
import { pointee, describeType, findStatic, memberAt, pointerSize, sizeOfType } from '../dwarf-layout.js';
import type { TypeInfo } from '../../elf/dwarf/model.js';
import type { AllocatorProfile, CounterPlan, Detection, FreeListLayout, HeapContext } from '../types.js';
import { findSbrkTop, mallinfoCounters } from './newlib-common.js';

export const newlibNanoProfile: AllocatorProfile = {
  name: 'newlib-nano',
  title: 'newlib-nano malloc (--specs=nano.specs): free list walk, sbrk top',
  looksFor: '__malloc_free_list and __malloc_sbrk_start (and _sbrk\'s heap_end for the heap size)',
  detect(ctx: HeapContext): Detection | null {
    const list = findStatic(ctx, '__malloc_free_list');
    const start = findStatic(ctx, '__malloc_sbrk_start');
    if (!list || !start) return null;
    const why = [`__malloc_free_list: pointer to ${describeType(list.type)}`, '__malloc_sbrk_start'];
    const top = findSbrkTop(ctx);
    if (top) why.push(`sbrk top: ${top.label}`);
    return { profile: this.name, why };
  },
  counters(ctx: HeapContext): CounterPlan {
    const notes = [
      "newlib-nano keeps no live counters: free and largest free come from walking its free list; " +
        '__malloc_current_mallinfo (shown as stale) only changes when the firmware calls mallinfo()',
    ];
    if (!findSbrkTop(ctx)) notes.push("no sbrk top variable found (_sbrk's heap_end): capacity and used are unknown");
    return { counters: mallinfoCounters(ctx, true), notes };
  },
  freeList(ctx: HeapContext): FreeListLayout | null {
    const list = findStatic(ctx, '__malloc_free_list');
    const start = findStatic(ctx, '__malloc_sbrk_start');
    const top = findSbrkTop(ctx);
    if (!list || list.address === null || !start || start.address === null || !top) return null;
    const chunk: TypeInfo = pointee(list.type);
    const size = memberAt(chunk, 'size');
    const next = memberAt(chunk, 'next');
    const headerBytes = sizeOfType(chunk);
    if (!size || !next || headerBytes === null) return null;
    const ps = pointerSize(ctx, list.type);
    return {
      headAddress: list.address,
      pointerSize: ps,
      littleEndian: ctx.elf.littleEndian,
      nextOffset: next.offset,
      sizeOffset: size.offset,
      sizeBytes: size.size,
      headerBytes,
      regions: [],
      regionPointers: { start: start.address, end: top.address },
      alignment: ps,
      addressOrdered: true,
      stamps: [],
    };
  },
};
