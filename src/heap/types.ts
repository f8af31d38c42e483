// The allocator-profile boundary: what a profile says about an allocator (how to recognise it, which
// counters it keeps, how its free list is laid out) and what a heap inspection reports. Profiles only
// describe; reading and walking is done by walk.ts / inspect.ts for every profile alike.
import type { DebugInfo } from '../elf/dwarf/index.js';
import type { ElfFile, ElfSymbol } from '../elf/elf.js';
import type { MemoryBlock, MemoryReader } from '../probe/types.js';

/** What a heap counter means. Byte counts are whatever the allocator counts (see CounterPlan.notes). */
export type CounterRole =
  | 'capacity'
  | 'used'
  | 'free'
  | 'minEverFree'
  | 'allocCount'
  | 'freeCount'
  | 'largestFree'
  | 'fragments'
  | 'failedAllocs'
  | 'peakUsed';

export const COUNTER_ROLES: readonly CounterRole[] = [
  'capacity',
  'used',
  'free',
  'minEverFree',
  'allocCount',
  'freeCount',
  'largestFree',
  'fragments',
  'failedAllocs',
  'peakUsed',
];

/** ELF + DWARF of the firmware, with the symbol table indexed once for all profiles. */
export interface HeapContext {
  readonly elf: ElfFile;
  readonly debug: DebugInfo;
  /** Data and function symbols by name (first definition wins). */
  readonly symbols: ReadonlyMap<string, ElfSymbol>;
}

export interface Detection {
  profile: string;
  /** Which symbols / types matched, e.g. "g_heap: struct heap_stats", for the user. */
  why: string[];
}

/** One counter: a watch expression (resolved with src/watch) and its role. */
export interface CounterSpec {
  role: CounterRole;
  expr: string;
  /** Only refreshed when the firmware calls a function (newlib's mallinfo()): shown apart, never
   * used as a live value. */
  stale?: boolean;
}

export interface CounterPlan {
  counters: CounterSpec[];
  /** Heap size when it is fixed at link time (an arena array) and no counter holds it. */
  capacityBytes?: number;
  /** Caveats the user should see ("mallinfo is stale until the firmware calls mallinfo()"). */
  notes: string[];
}

/** A contiguous address range [start, end) that free blocks must lie in. */
export interface Region {
  start: number;
  end: number;
}

/**
 * A singly linked free list, described by DWARF-derived offsets. The walker reads the word at
 * `headAddress` (a pointer to the first free block), then for each block its size and next link.
 */
export interface FreeListLayout {
  /** Address of the pointer that holds the first free block (g_free_list, &xStart.pxNextFreeBlock). */
  headAddress: number;
  pointerSize: number;
  littleEndian: boolean;
  /** Offsets inside a block header. */
  nextOffset: number;
  sizeOffset: number;
  sizeBytes: number;
  /** Bytes of the header (size + link), for payload sizes. */
  headerBytes: number;
  /** Value of a flag bit at the TOP of the size word that marks a block allocated (FreeRTOS keeps it
   * in the top bit of xBlockSize): cleared from sizes; a free-list block with it set is a torn read. */
  allocatedBit?: number;
  /** Where blocks may lie; every link and every block end must stay inside one of them. */
  regions: Region[];
  /** Heaps that grow (sbrk): the region is [*start, *end), two pointer variables read before each walk
   * attempt (then `regions` is ignored). */
  regionPointers?: { start: number; end: number };
  /** Blocks and links are multiples of this. */
  alignment: number;
  /** The list is kept in address order (heapscope, FreeRTOS heap_4/5, newlib-nano): a link that goes
   * backwards, or lands inside the previous block, is a torn read. */
  addressOrdered: boolean;
  /** Blocks of size 0 are markers, not free memory (FreeRTOS heap_5 region ends): passed over. */
  zeroSizeMarkers?: boolean;
  /** The list ends at the block this pointer variable holds (FreeRTOS pxEnd), not only at NULL. */
  endPointerAddress?: number;
  /** The list ends at this fixed address (FreeRTOS heap_2's static xEnd). */
  endAddress?: number;
  /** Links are stored XOR this key (FreeRTOS configENABLE_HEAP_PROTECTOR: xHeapCanary's address). */
  xorKeyAddress?: number;
  /** Counters that change with every allocation: read before and after the walk; a change = torn. */
  stamps: MemoryBlock[];
  /** The allocator's own total of free bytes / free blocks, to cross-check the walk when present. */
  freeTotal?: MemoryBlock;
  freeCount?: MemoryBlock;
  /** How free bytes are counted by `freeTotal`: whole blocks (header included) or payload only. */
  freeTotalCountsHeaders?: boolean;
}

export interface AllocatorProfile {
  /** Short name for --allocator, e.g. "freertos-heap4". */
  readonly name: string;
  /** One line for --list-allocators. */
  readonly title: string;
  /** What detect() looks for, for the "not detected" message. */
  readonly looksFor: string;
  detect(ctx: HeapContext): Detection | null;
  counters(ctx: HeapContext): CounterPlan;
  /** The free list to walk for the largest free block and the histogram, when walkable. */
  freeList?(ctx: HeapContext): FreeListLayout | null;
  /** For free structures that are not one list (dlmalloc bins, TLSF matrices): walks them itself.
   * Null when the layout is not in the ELF. */
  walk?(ctx: HeapContext): ((reader: MemoryReader, opts?: WalkTuning) => Promise<WalkResult>) | null;
}

/** How a walk reads and how hard it tries. */
export interface WalkTuning {
  /** 'coalesced' (default): regions up to maxPrefetchBytes are read whole in one call, larger ones in
   * 1 KiB pages along the list; 'node-by-node': one read per block header (the naive way, kept for
   * the benchmark). */
  mode?: 'coalesced' | 'node-by-node';
  /** Give up on a list longer than this (a corrupt heap, or a cycle the visited set missed). */
  maxNodes?: number;
  /** Attempts before reporting "inconsistent snapshot" (default 4). */
  attempts?: number;
  /** Regions larger than this in total are read in pages on demand (default 32 KiB). */
  maxPrefetchBytes?: number;
  /** Pause between attempts, so the firmware can finish what it was doing (default 2 ms x attempt). */
  retryDelayMs?: number;
  /** More blocks (the allocator's counters) to read in the walk's first call, so that the counters and
   * the walk describe the same instant; their bytes come back in WalkResult.alsoRead. */
  alsoRead?: readonly MemoryBlock[];
}

/** Result of one non-halting walk. */
export interface WalkResult {
  /** False: every attempt saw a list the firmware was changing; numbers below are then absent. */
  consistent: boolean;
  /** Why the last attempt was rejected (consistent === false), or why a retry was needed. */
  reason?: string;
  /** Every attempt was rejected for the very same reason: the memory does not hold this allocator's
   *  structures as heapscope expects them (a layout or detection problem), rather than a race. */
  sameEachTime?: boolean;
  attempts: number;
  freeBlocks?: number;
  totalFree?: number;
  largestFree?: number;
  /** Free block sizes by power of two: key = lower bound in bytes (16 means 16..31). */
  histogram?: Record<number, number>;
  /** Bytes of the heap region(s) walked (the sbrk'ed size for growing heaps). */
  regionBytes?: number;
  /** Bytes of WalkTuning.alsoRead from the accepted attempt (not serialised). */
  alsoRead?: Uint8Array[];
  /** readBlocks calls and bytes read over all attempts (for the benchmark and --json). */
  reads: number;
  bytesRead: number;
}
