// Non-halting free-list walk. The firmware keeps allocating while we read, so a walk can see half an
// update. Rules that keep the answer honest:
//  - bounded: every block and link must lie in the allocator's regions, aligned; at most maxNodes
//    blocks; a visited set stops cycles; an address-ordered list must only move forward;
//  - coalesced: the whole arena is read in the same readBlocks call as the head pointer and the
//    allocator's counters (a few large blocks instead of one round trip per node), so on a probe
//    whose block read is one snapshot (the sim) the walk sees one instant;
//  - torn-walk detection: counters read at the start and at the end of that call must match, and the
//    walk must agree with the allocator's own free total / block count when it keeps them;
//  - a rejected attempt is retried; after `attempts` the result says "inconsistent snapshot" and
//    carries no numbers, rather than a wrong largest-free block.
import type { MemoryBlock, MemoryReader } from '../probe/types.js';
import { MemoryView, sameBytes } from './memory-view.js';
import type { FreeListLayout, Region, WalkResult, WalkTuning } from './types.js';

export type WalkOptions = WalkTuning;

const PAGE_BYTES = 1024;
const MAX_SPAN_BYTES = 16 * 1024;
/** Regions up to this size are read whole in one call (measured in bench/heap-walk.ts: a 64 KiB read
 * costs ~30 ms over GDB RSP, about as much as 150 node-by-node round trips; pages win above that). */
export const DEFAULT_PREFETCH_BYTES = 32 * 1024;

/** Thrown inside a walk attempt when the snapshot cannot be one the firmware was ever in. */
export class Torn extends Error {}

export async function walkFreeList(reader: MemoryReader, layout: FreeListLayout, opts: WalkOptions = {}): Promise<WalkResult> {
  return retryWalk(reader, layout.littleEndian, opts, async (view) => {
    const L = layout.regionPointers ? await withLiveRegion(view, layout) : layout;
    return { ...(await walkOnce(view, L, opts)), regionBytes: regionBytes(L.regions) };
  });
}

export type WalkNumbers = Pick<WalkResult, 'freeBlocks' | 'totalFree' | 'largestFree' | 'histogram' | 'regionBytes' | 'alsoRead'>;

/** Runs `attempt` until it returns without finding a torn snapshot, at most opts.attempts times. */
export async function retryWalk(
  reader: MemoryReader,
  littleEndian: boolean,
  opts: WalkOptions,
  attempt: (view: MemoryView) => Promise<WalkNumbers>,
): Promise<WalkResult> {
  const attempts = Math.max(1, opts.attempts ?? 4);
  let reads = 0;
  let bytesRead = 0;
  let reason = '';
  let sameEachTime = true;
  for (let i = 1; i <= attempts; i++) {
    const view = new MemoryView(reader, littleEndian);
    try {
      const r = await attempt(view);
      return { consistent: true, attempts: i, ...r, ...(reason ? { reason: `retried: ${reason}` } : {}), reads: reads + view.reads, bytesRead: bytesRead + view.bytesRead };
    } catch (e) {
      if (!(e instanceof Torn)) throw e;
      if (reason && e.message !== reason) sameEachTime = false;
      reason = e.message;
    }
    reads += view.reads;
    bytesRead += view.bytesRead;
    if (i < attempts) await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 2 * i));
  }
  return {
    consistent: false,
    reason: `inconsistent snapshot after ${attempts} attempts: ${reason}`,
    ...(attempts > 1 && sameEachTime ? { sameEachTime: true } : {}),
    attempts,
    reads,
    bytesRead,
  };
}

/** Reads the start/end pointers of a growing heap: the region for this attempt. */
export async function withLiveRegion(view: MemoryView, L: FreeListLayout): Promise<FreeListLayout> {
  return { ...L, regions: await readLiveRegion(view, L.pointerSize, L.regionPointers!) };
}

/** [*start, *end) of a heap that grows by sbrk; no region while nothing was allocated yet. */
export async function readLiveRegion(view: MemoryView, ps: number, at: { start: number; end: number }): Promise<Region[]> {
  await view.read([{ address: at.start, length: ps }, { address: at.end, length: ps }]);
  const s = view.uint(at.start, ps)!;
  const e = view.uint(at.end, ps)!;
  // newlib full starts __malloc_sbrk_base at (char *)-1
  if (s === 0 || e === 0 || s === 2 ** (8 * ps) - 1) return [];
  if (e < s) throw new Torn(`heap end 0x${e.toString(16)} below its start 0x${s.toString(16)}`);
  return [{ start: s, end: e }];
}

export function regionBytes(regions: readonly Region[]): number {
  return regions.reduce((n, r) => n + (r.end - r.start), 0);
}

async function walkOnce(
  view: MemoryView,
  L: FreeListLayout,
  opts: WalkOptions,
): Promise<WalkNumbers> {
  const mode = opts.mode ?? 'coalesced';
  const maxNodes = opts.maxNodes ?? 100_000;
  const ps = L.pointerSize;
  const readsBefore = view.reads;
  const whole = mode === 'coalesced' && regionBytes(L.regions) <= (opts.maxPrefetchBytes ?? DEFAULT_PREFETCH_BYTES);

  // One call: stamps, head, the words the walk checks against, [the regions], stamps again.
  const words: MemoryBlock[] = [{ address: L.headAddress, length: ps }];
  if (L.endPointerAddress !== undefined) words.push({ address: L.endPointerAddress, length: ps });
  if (L.xorKeyAddress !== undefined) words.push({ address: L.xorKeyAddress, length: ps });
  if (L.freeTotal) words.push(L.freeTotal);
  if (L.freeCount) words.push(L.freeCount);
  const regions: MemoryBlock[] = whole ? L.regions.map((r) => ({ address: r.start, length: r.end - r.start })) : [];
  const also = opts.alsoRead ?? [];
  const got = await view.read([...L.stamps, ...words, ...also, ...regions, ...L.stamps]);
  const n = L.stamps.length;
  const alsoRead = got.slice(n + words.length, n + words.length + also.length);
  const stampsBefore = got.slice(0, n);
  const stampsAfterFirst = got.slice(got.length - n);
  if (!sameBytes(stampsBefore, stampsAfterFirst)) throw new Torn('allocation counters changed while the heap was read');

  const word = (b: MemoryBlock): number => view.uint(b.address, b.length)!;
  const key = L.xorKeyAddress !== undefined ? view.uint(L.xorKeyAddress, ps)! : 0;
  const unprotect = (v: number): number => (key === 0 ? v : xor(v, key, ps));
  const endAddr = L.endPointerAddress !== undefined ? view.uint(L.endPointerAddress, ps)! : (L.endAddress ?? null);
  const mask = L.allocatedBit ?? 0;

  const inRegion = (a: number, len: number): Region | undefined => L.regions.find((r) => a >= r.start && a + len <= r.end);
  // Paged reads grow as the walk goes on (1, 2, 4 ... 16 KiB): a long list costs a handful of reads,
  // a short one little more than its first page.
  let span = mode === 'node-by-node' ? 0 : PAGE_BYTES;
  const header = async (a: number): Promise<void> => {
    if (view.has(a, L.headerBytes)) return;
    await view.ensure(a, L.headerBytes, span, inRegion(a, L.headerBytes), PAGE_BYTES);
    if (span > 0) span = Math.min(span * 2, MAX_SPAN_BYTES);
  };

  const sizes: number[] = [];
  const seen = new Set<number>();
  let prevEnd = 0;
  let link = unprotect(view.uint(L.headAddress, ps)!);
  for (;;) {
    if (link === 0) {
      if (endAddr !== null) throw new Torn('free list ended before the end marker');
      break;
    }
    if (endAddr !== null && link === endAddr) break;
    const at = `block 0x${link.toString(16)}`;
    if (link % L.alignment !== 0) throw new Torn(`${at} is misaligned`);
    if (!inRegion(link, L.headerBytes)) throw new Torn(`${at} lies outside the heap`);
    if (seen.has(link)) throw new Torn(`${at} seen twice (cycle)`);
    if (L.addressOrdered && link < prevEnd) throw new Torn(`${at} goes backwards in an address-ordered list`);
    if (sizes.length >= maxNodes) throw new Torn(`more than ${maxNodes} free blocks`);
    seen.add(link);
    await header(link);
    const raw = view.uint(link + L.sizeOffset, L.sizeBytes)!;
    if (mask !== 0 && raw >= mask && Math.floor(raw / mask) % 2 === 1) throw new Torn(`${at} on the free list is marked allocated`);
    const size = mask !== 0 ? raw % mask : raw;
    if (size === 0 && L.zeroSizeMarkers) {
      prevEnd = link + L.headerBytes;
      link = unprotect(view.uint(link + L.nextOffset, ps)!);
      continue;
    }
    if (size < L.headerBytes) throw new Torn(`${at} has size ${size}, smaller than its header`);
    if (!inRegion(link, size)) throw new Torn(`${at} of ${size} bytes runs past the end of the heap`);
    sizes.push(size);
    prevEnd = link + size;
    link = unprotect(view.uint(link + L.nextOffset, ps)!);
  }
  // Node-by-node and paged walks took several calls: the counters must still be where they were.
  if (view.reads - readsBefore > 1 && L.stamps.length > 0) {
    const after = await view.read(L.stamps);
    if (!sameBytes(stampsBefore, after)) throw new Torn('allocation counters changed during the walk');
  }
  const totalFree = sizes.reduce((a, b) => a + b, 0);
  if (L.freeTotal) {
    const expected = word(L.freeTotal);
    const walked = L.freeTotalCountsHeaders === false ? totalFree - sizes.length * L.headerBytes : totalFree;
    if (walked !== expected) throw new Torn(`the walk found ${walked} free bytes, the allocator's counter says ${expected}`);
  }
  if (L.freeCount) {
    const expected = word(L.freeCount);
    if (sizes.length !== expected) throw new Torn(`the walk found ${sizes.length} free blocks, the allocator's counter says ${expected}`);
  }
  return {
    freeBlocks: sizes.length,
    totalFree,
    largestFree: sizes.reduce((a, b) => Math.max(a, b), 0),
    histogram: histogram(sizes),
    ...(also.length ? { alsoRead } : {}),
  };
}

function xor(a: number, b: number, size: number): number {
  if (size <= 4) return (a ^ b) >>> 0;
  return Number(BigInt(a) ^ BigInt(b));
}

/** Counts by power-of-two bucket: key 2^k holds sizes in [2^k, 2^(k+1)). */
export function histogram(sizes: readonly number[]): Record<number, number> {
  const h: Record<number, number> = {};
  for (const s of sizes) {
    const k = s > 0 ? 2 ** Math.floor(Math.log2(s)) : 0;
    h[k] = (h[k] ?? 0) + 1;
  }
  return h;
}
