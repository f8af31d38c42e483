// Walk of a dlmalloc-style bin array (full newlib's __malloc_av_): NBINS circular doubly linked lists
// of free chunks {prev_size; size|flags; fd; bk}, bin i's header sitting at &av[2i] minus the offset of
// fd, and bin 0's fd being the top chunk. Same rules as walk.ts: one coalesced read of the bin array
// and the whole sbrk region, bounded, and torn snapshots rejected. dlmalloc keeps more redundancy than a
// singly linked list, and every bit of it is checked: each chunk's bk must point at the chunk before it,
// and the chunk after a free chunk must carry its size in prev_size with PREV_INUSE clear.
import type { MemoryReader } from '../probe/types.js';
import type { MemoryView } from './memory-view.js';
import type { Region, WalkResult } from './types.js';
import { DEFAULT_PREFETCH_BYTES, histogram, readLiveRegion, regionBytes, retryWalk, Torn, type WalkNumbers, type WalkOptions } from './walk.js';

export interface BinLayout {
  /** Address of bin 0's fd in the bin array (fd/bk pairs follow, one per bin) and the number of bins. */
  binsAddress: number;
  binCount: number;
  pointerSize: number;
  littleEndian: boolean;
  prevSizeOffset: number;
  sizeOffset: number;
  sizeBytes: number;
  fdOffset: number;
  bkOffset: number;
  /** Low size bits used as flags (PREV_INUSE, IS_MMAPPED): cleared from sizes. */
  flagBits: number;
  minChunk: number;
  alignment: number;
  /** The sbrk'ed region: [*start, *end). */
  regionPointers: { start: number; end: number };
}

export async function walkBins(reader: MemoryReader, layout: BinLayout, opts: WalkOptions = {}): Promise<WalkResult> {
  return retryWalk(reader, layout.littleEndian, opts, (view) => walkBinsOnce(view, layout, opts));
}

async function walkBinsOnce(view: MemoryView, L: BinLayout, opts: WalkOptions): Promise<WalkNumbers> {
  const ps = L.pointerSize;
  const regions = await readLiveRegion(view, ps, L.regionPointers);
  const binsBytes = L.binCount * 2 * ps;
  const whole = opts.mode !== 'node-by-node' && regionBytes(regions) <= (opts.maxPrefetchBytes ?? DEFAULT_PREFETCH_BYTES);
  const page = opts.mode === 'node-by-node' ? 0 : 1024;
  const maxNodes = opts.maxNodes ?? 100_000;
  // Bins and heap in one call, so that on a snapshotting probe they describe the same instant.
  await view.read([{ address: L.binsAddress, length: binsBytes }, ...(whole ? regions.map((r) => ({ address: r.start, length: r.end - r.start })) : [])]);
  const mask = L.flagBits;
  const region = (a: number, len: number): Region | undefined => regions.find((r) => a >= r.start && a + len <= r.end);
  const word = async (a: number, size: number): Promise<number> => {
    await view.ensure(a, size, page, region(a, size));
    return view.uint(a, size)!;
  };
  const chunkSize = async (c: number): Promise<number> => {
    const raw = await word(c + L.sizeOffset, L.sizeBytes);
    return raw - (raw % (mask + 1));
  };
  const binHeader = (i: number): number => L.binsAddress + 2 * i * ps - L.fdOffset;

  const sizes: number[] = [];
  const headerBytes = L.fdOffset; // prev_size + size
  // Top chunk: free memory at the end of the heap; counted like mallinfo does (when >= MINSIZE).
  const top = view.uint(L.binsAddress, ps)!;
  if (top !== binHeader(0)) {
    if (!region(top, headerBytes)) throw new Torn(`top chunk 0x${top.toString(16)} lies outside the heap`);
    const size = await chunkSize(top);
    if (top + size > regions[0]!.end + L.minChunk) throw new Torn(`top chunk of ${size} bytes runs past the sbrk top`);
    if (size >= L.minChunk) sizes.push(size);
  }
  const seen = new Set<number>();
  for (let i = 1; i < L.binCount; i++) {
    const bin = binHeader(i);
    let prev = bin;
    let c = view.uint(L.binsAddress + 2 * i * ps, ps)!;
    while (c !== bin) {
      const at = `chunk 0x${c.toString(16)} in bin ${i}`;
      if (c % L.alignment !== 0 || !region(c, L.fdOffset + 2 * ps)) throw new Torn(`${at} lies outside the heap`);
      if (seen.has(c)) throw new Torn(`${at} seen twice (cycle)`);
      if (sizes.length >= maxNodes) throw new Torn(`more than ${maxNodes} free chunks`);
      seen.add(c);
      const size = await chunkSize(c);
      if (size < L.minChunk || size % L.alignment !== 0 || !region(c, size)) throw new Torn(`${at} has an impossible size ${size}`);
      if ((await word(c + L.bkOffset, ps)) !== prev) throw new Torn(`${at}: its back link does not point at the chunk before it`);
      const next = c + size;
      if (region(next, headerBytes)) {
        const nextSizeRaw = await word(next + L.sizeOffset, L.sizeBytes);
        if (nextSizeRaw % 2 !== 0) throw new Torn(`${at} is free but the next chunk says it is in use`);
        if ((await word(next + L.prevSizeOffset, L.sizeBytes)) !== size) throw new Torn(`${at}: the next chunk's prev_size disagrees`);
      }
      sizes.push(size);
      prev = c;
      c = await word(c + L.fdOffset, ps);
    }
  }
  const totalFree = sizes.reduce((a, b) => a + b, 0);
  return { freeBlocks: sizes.length, totalFree, largestFree: sizes.reduce((a, b) => Math.max(a, b), 0), histogram: histogram(sizes), regionBytes: regionBytes(regions) };
}
