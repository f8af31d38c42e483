// FreeRTOS heap_4 and heap_5 (portable/MemMang): the free list runs from the static xStart through
// BlockLink_t {pxNextFreeBlock; xBlockSize} in address order to the block pxEnd points at; sizes include
// the header; the top bit of xBlockSize marks allocated blocks. Counters are the file-statics
// xFreeBytesRemaining, xMinimumEverFreeBytesRemaining, xNumberOfSuccessfulAllocations/Frees.
// heap_4 has one static array ucHeap; heap_5 has user regions (not recorded anywhere), each ending in a
// zero-size marker that stays on the list. With configENABLE_HEAP_PROTECTOR links are XOR xHeapCanary.
import { findStatic, memberAt, memberBlock, pointerSize, sizeOfType } from '../dwarf-layout.js';
import type { AllocatorProfile, CounterPlan, CounterRole, Detection, FreeListLayout, HeapContext, Region } from '../types.js';
import type { TypeInfo } from '../../elf/dwarf/model.js';

const PF_W = 2;
const PT_LOAD = 1;

const COUNTERS: ReadonlyArray<[CounterRole, string]> = [
  ['free', 'xFreeBytesRemaining'],
  ['minEverFree', 'xMinimumEverFreeBytesRemaining'],
  ['allocCount', 'xNumberOfSuccessfulAllocations'],
  ['freeCount', 'xNumberOfSuccessfulFrees'],
];

type Flavor = 'heap4' | 'heap5';

function flavorOf(ctx: HeapContext): Flavor | null {
  const start = findStatic(ctx, 'xStart');
  const end = findStatic(ctx, 'pxEnd');
  if (!start || !end || !findStatic(ctx, 'xFreeBytesRemaining')) return null;
  if (!memberAt(start.type, 'pxNextFreeBlock') || !memberAt(start.type, 'xBlockSize')) return null;
  return findStatic(ctx, 'ucHeap') ? 'heap4' : 'heap5';
}

function counterList(ctx: HeapContext): { role: CounterRole; expr: string }[] {
  return COUNTERS.filter(([, v]) => findStatic(ctx, v)).map(([role, v]) => ({ role, expr: v }));
}

/** Writable loadable segments: the only bounds heap_5's regions have in the ELF. */
function ramRegions(ctx: HeapContext): Region[] {
  return ctx.elf.segments
    .filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0 && s.memsz > 0)
    .map((s) => ({ start: s.vaddr, end: s.vaddr + s.memsz }));
}

function makeProfile(flavor: Flavor): AllocatorProfile {
  const isHeap4 = flavor === 'heap4';
  return {
    name: isHeap4 ? 'freertos-heap4' : 'freertos-heap5',
    title: isHeap4 ? 'FreeRTOS heap_4 (one ucHeap array, coalescing free list)' : 'FreeRTOS heap_5 (several regions, coalescing free list)',
    looksFor: isHeap4
      ? 'xStart (BlockLink_t), pxEnd, xFreeBytesRemaining and ucHeap'
      : 'xStart (BlockLink_t), pxEnd and xFreeBytesRemaining without ucHeap',
    detect(ctx: HeapContext): Detection | null {
      if (flavorOf(ctx) !== flavor) return null;
      const why = ['xStart: BlockLink_t with pxNextFreeBlock, xBlockSize', 'pxEnd', 'xFreeBytesRemaining'];
      why.push(isHeap4 ? 'ucHeap' : 'no ucHeap: heap_5 regions');
      if (findStatic(ctx, 'xHeapCanary')) why.push('xHeapCanary: configENABLE_HEAP_PROTECTOR (links XOR-encoded)');
      return { profile: this.name, why };
    },
    counters(ctx: HeapContext): CounterPlan {
      const heap = findStatic(ctx, 'ucHeap');
      const capacity = heap ? sizeOfType(heap.type) : null;
      const notes = ['byte counts include the BlockLink_t header of each block'];
      if (!isHeap4) notes.push('heap_5 does not record its region sizes: capacity and used are unknown (pass --capacity to watch)');
      return {
        counters: counterList(ctx),
        ...(capacity ? { capacityBytes: capacity } : {}),
        notes,
      };
    },
    freeList(ctx: HeapContext): FreeListLayout | null {
      const start = findStatic(ctx, 'xStart');
      const end = findStatic(ctx, 'pxEnd');
      if (!start || start.address === null || !end || end.address === null) return null;
      const link = blockLinkFields(ctx, start);
      if (!link) return null;
      const heap = findStatic(ctx, 'ucHeap');
      const heapBytes = heap ? sizeOfType(heap.type) : null;
      const regions = heap && heap.address !== null && heapBytes ? [{ start: heap.address, end: heap.address + heapBytes }] : ramRegions(ctx);
      const canary = findStatic(ctx, 'xHeapCanary');
      return {
        ...link,
        regions,
        addressOrdered: true,
        endPointerAddress: end.address,
        zeroSizeMarkers: !isHeap4,
        ...(canary && canary.address !== null ? { xorKeyAddress: canary.address } : {}),
      };
    },
  };
}

/**
 * What heap_2, heap_4 and heap_5 share: the free list is BlockLink_t nodes from the static xStart (the top bit
 * of xBlockSize marks a block allocated), and the kernel's allocation/free counts stamp a snapshot.
 */
function blockLinkFields(
  ctx: HeapContext,
  start: { address: number | null; type: TypeInfo },
): Omit<FreeListLayout, 'regions' | 'addressOrdered'> | null {
  const next = memberAt(start.type, 'pxNextFreeBlock');
  const size = memberAt(start.type, 'xBlockSize');
  const headerBytes = sizeOfType(start.type);
  if (start.address === null || !next || !size || headerBytes === null) return null;
  const ps = pointerSize(ctx, next.member.type);
  const stamps = [memberBlock(ctx, 'xNumberOfSuccessfulAllocations'), memberBlock(ctx, 'xNumberOfSuccessfulFrees')].filter((b) => b !== null);
  const freeTotal = memberBlock(ctx, 'xFreeBytesRemaining');
  return {
    headAddress: start.address + next.offset,
    pointerSize: ps,
    littleEndian: ctx.elf.littleEndian,
    nextOffset: next.offset,
    sizeOffset: size.offset,
    sizeBytes: size.size,
    headerBytes,
    allocatedBit: 2 ** (8 * size.size - 1),
    alignment: ps,
    stamps,
    ...(freeTotal ? { freeTotal, freeTotalCountsHeaders: true } : {}),
  };
}

export const freertosHeap4Profile = makeProfile('heap4');
export const freertosHeap5Profile = makeProfile('heap5');

/** heap_2: best fit, no coalescing; the free list is ordered by SIZE from xStart to the static xEnd. */
export const freertosHeap2Profile: AllocatorProfile = {
  name: 'freertos-heap2',
  title: 'FreeRTOS heap_2 (best fit, size-ordered free list, no coalescing)',
  looksFor: 'xStart and xEnd (BlockLink_t statics), xFreeBytesRemaining, ucHeap',
  detect(ctx: HeapContext): Detection | null {
    const start = findStatic(ctx, 'xStart');
    const end = findStatic(ctx, 'xEnd');
    if (!start || !end || findStatic(ctx, 'pxEnd') || !findStatic(ctx, 'xFreeBytesRemaining')) return null;
    if (!memberAt(start.type, 'pxNextFreeBlock') || !memberAt(end.type, 'xBlockSize')) return null;
    return { profile: this.name, why: ['xStart, xEnd: BlockLink_t', 'xFreeBytesRemaining', 'no pxEnd: heap_2'] };
  },
  counters(ctx: HeapContext): CounterPlan {
    const heap = findStatic(ctx, 'ucHeap');
    const capacity = heap ? sizeOfType(heap.type) : null;
    return { counters: counterList(ctx), ...(capacity ? { capacityBytes: capacity } : {}), notes: ['heap_2 never merges free blocks: many small free blocks are fragmentation for good'] };
  },
  freeList(ctx: HeapContext): FreeListLayout | null {
    const start = findStatic(ctx, 'xStart');
    const end = findStatic(ctx, 'xEnd');
    const heap = findStatic(ctx, 'ucHeap');
    const heapBytes = heap ? sizeOfType(heap.type) : null;
    if (!start || start.address === null || !end || end.address === null || !heap || heap.address === null || !heapBytes) return null;
    const link = blockLinkFields(ctx, start);
    if (!link) return null;
    return {
      ...link,
      regions: [{ start: heap.address, end: heap.address + heapBytes }],
      addressOrdered: false,
      endAddress: end.address,
    };
  },
};

/** heap_1: allocate only, never free: used = xNextFreeByte. */
export const freertosHeap1Profile: AllocatorProfile = {
  name: 'freertos-heap1',
  title: 'FreeRTOS heap_1 (allocate only)',
  looksFor: 'xNextFreeByte and ucHeap (and no xStart)',
  detect(ctx: HeapContext): Detection | null {
    if (!findStatic(ctx, 'xNextFreeByte') || !findStatic(ctx, 'ucHeap') || findStatic(ctx, 'xStart')) return null;
    return { profile: this.name, why: ['xNextFreeByte', 'ucHeap', 'no free list: heap_1'] };
  },
  counters(ctx: HeapContext): CounterPlan {
    const heap = findStatic(ctx, 'ucHeap');
    const capacity = heap ? sizeOfType(heap.type) : null;
    return {
      counters: [{ role: 'used', expr: 'xNextFreeByte' }],
      ...(capacity ? { capacityBytes: capacity } : {}),
      notes: ['heap_1 never frees: free memory is one block, so largest free = free (minus the alignment FreeRTOS keeps back)'],
    };
  },
};
