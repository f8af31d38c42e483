// Non-halting walk of TLSF's segregated free lists, with walk.ts's conventions (retryWalk, Torn,
// MemoryView, histogram): the control structure and, when it is known, the whole pool array are read in
// ONE call, the control structure read again at the end of that call (and once more if the walk had to
// page in more headers) must not have changed, and every bit of TLSF's redundancy is checked, so that a
// list the firmware was changing is rejected rather than counted:
//  - fl_bitmap bit i  <=> sl_bitmap[i] != 0;  sl_bitmap[i] bit j <=> blocks[i][j] != &block_null;
//  - each block: aligned, inside RAM, seen once, at most maxNodes, marked free with its previous block
//    in use (TLSF merges neighbours at once), its size in the size class of the list it is on, its
//    prev_free pointing at the block before it on the list;
//  - the block physically after it names it in prev_phys_block, carries PREV_FREE and is not free;
//  - when the pool lies in the array that holds the control structure, a physical walk of the pool
//    finds exactly the listed blocks marked free (else the pool is not known and this is skipped).
import type { MemoryBlock, MemoryReader } from '../../probe/types.js';
import { sameBytes, type MemoryView } from '../memory-view.js';
import type { Region, WalkResult } from '../types.js';
import { DEFAULT_PREFETCH_BYTES, histogram, retryWalk, Torn, type WalkNumbers, type WalkOptions } from '../walk.js';

export interface TlsfLayout {
  littleEndian: boolean;
  pointerSize: number;
  /** The control structure is a static variable (address), or a handle variable holds its address. */
  control: { address: number } | { pointerAt: number };
  controlBytes: number;
  blockNullOffset: number;
  flBitmap: { offset: number; size: number };
  slBitmap: { offset: number; elementSize: number };
  blocksOffset: number;
  /** FL_INDEX_COUNT, SL_INDEX_COUNT (= 2^slLog2): the dimensions of blocks[][]. */
  flCount: number;
  slCount: number;
  slLog2: number;
  /** log2 of TLSF's ALIGN_SIZE, which is sizeof(size_t): 2 on 32-bit, 3 on 64-bit builds. */
  alignLog2: number;
  prevPhysOffset: number;
  sizeOffset: number;
  sizeBytes: number;
  nextFreeOffset: number;
  prevFreeOffset: number;
  headerBytes: number;
  minBlock: number;
  /** Static arrays that could hold control + pool (tlsf_create_with_pool(arr, sizeof arr)). */
  poolArrays: Region[];
  /** Writable RAM: bounds for every block. */
  ramRegions: Region[];
}

const FREE_BIT = 1;
const PREV_FREE_BIT = 2;
const PAGE_BYTES = 1024;
const MAX_SPAN_BYTES = 16 * 1024;

export async function walkTlsf(reader: MemoryReader, layout: TlsfLayout, opts: WalkOptions = {}): Promise<WalkResult> {
  return retryWalk(reader, layout.littleEndian, opts, (view) => walkOnce(view, layout, opts));
}

const bit = (v: number, i: number): boolean => Math.floor(v / 2 ** i) % 2 === 1;

function floorLog2(n: number): number {
  let f = 0;
  while (2 ** (f + 1) <= n) f++;
  return f;
}

/** TLSF's size -> (fl, sl) mapping: linear below SMALL_BLOCK_SIZE, else the top set bit picks fl and
 * the next slLog2 bits pick sl. */
export function tlsfListOf(size: number, slLog2: number, alignLog2: number): [number, number] {
  const shift = slLog2 + alignLog2;
  const small = 2 ** shift;
  if (size < small) return [0, Math.floor(size / (small / 2 ** slLog2))];
  const f = floorLog2(size);
  return [f - (shift - 1), Math.floor(size / 2 ** (f - slLog2)) - 2 ** slLog2];
}

async function walkOnce(view: MemoryView, L: TlsfLayout, opts: WalkOptions): Promise<WalkNumbers> {
  const ps = L.pointerSize;
  const mode = opts.mode ?? 'coalesced';
  const maxNodes = opts.maxNodes ?? 100_000;
  const handle: MemoryBlock[] = 'pointerAt' in L.control ? [{ address: L.control.pointerAt, length: ps }] : [];
  let controlAt: number;
  if ('pointerAt' in L.control) {
    await view.read(handle);
    controlAt = view.uint(L.control.pointerAt, ps)!;
    if (controlAt === 0) throw new Torn('the TLSF handle is NULL: tlsf_create() has not run yet');
  } else {
    controlAt = L.control.address;
  }
  const inRam = (a: number, len: number): Region | undefined => L.ramRegions.find((r) => a >= r.start && a + len <= r.end);
  if (controlAt % ps !== 0 || !inRam(controlAt, L.controlBytes)) {
    throw new Torn(`the TLSF control structure at 0x${controlAt.toString(16)} is not aligned inside RAM`);
  }
  const pool = L.poolArrays.find((r) => controlAt >= r.start && controlAt + L.controlBytes <= r.end) ?? null;
  const whole = mode === 'coalesced' && pool !== null && pool.end - pool.start <= (opts.maxPrefetchBytes ?? DEFAULT_PREFETCH_BYTES);

  // One call: control (+ handle), the caller's counters, the pool, control (+ handle) again.
  const stamps: MemoryBlock[] = [{ address: controlAt, length: L.controlBytes }, ...handle];
  const also = opts.alsoRead ?? [];
  const got = await view.read([...stamps, ...also, ...(whole ? [{ address: pool!.start, length: pool!.end - pool!.start }] : []), ...stamps]);
  const before = got.slice(0, stamps.length);
  if (!sameBytes(before, got.slice(got.length - stamps.length))) throw new Torn('the TLSF control structure changed while it was read');
  const alsoRead = got.slice(stamps.length, stamps.length + also.length);
  const readsAfterSnapshot = view.reads;

  let span = mode === 'node-by-node' ? 0 : PAGE_BYTES;
  const word = async (a: number, len: number): Promise<number> => {
    if (!view.has(a, len)) {
      await view.ensure(a, len, span, inRam(a, len), PAGE_BYTES);
      if (span > 0) span = Math.min(span * 2, MAX_SPAN_BYTES);
    }
    return view.uint(a, len)!;
  };
  const ctl = (offset: number, len: number): number => view.uint(controlAt + offset, len)!;
  const blockNull = controlAt + L.blockNullOffset;
  const flBits = ctl(L.flBitmap.offset, L.flBitmap.size);
  const sizes: number[] = [];
  const seen = new Set<number>();
  let outsidePool = false;

  for (let fl = 0; fl < L.flCount; fl++) {
    const slBits = ctl(L.slBitmap.offset + fl * L.slBitmap.elementSize, L.slBitmap.elementSize);
    if (bit(flBits, fl) !== (slBits !== 0)) throw new Torn(`fl_bitmap bit ${fl} disagrees with sl_bitmap[${fl}]`);
    for (let sl = 0; sl < L.slCount; sl++) {
      const head = ctl(L.blocksOffset + (fl * L.slCount + sl) * ps, ps);
      const empty = head === blockNull;
      if (bit(slBits, sl) === empty) {
        throw new Torn(`list [${fl}][${sl}] ${empty ? 'is empty but its sl_bitmap bit is set' : 'has blocks but its sl_bitmap bit is clear'}`);
      }
      let prev = blockNull;
      for (let b = head; b !== blockNull; ) {
        const at = `block 0x${b.toString(16)} on list [${fl}][${sl}]`;
        if (b % ps !== 0) throw new Torn(`${at} is misaligned`);
        if (!inRam(b, L.headerBytes)) throw new Torn(`${at} lies outside RAM`);
        if (seen.has(b)) throw new Torn(`${at} seen twice (cycle)`);
        if (sizes.length >= maxNodes) throw new Torn(`more than ${maxNodes} free blocks`);
        seen.add(b);
        const raw = await word(b + L.sizeOffset, L.sizeBytes);
        if (raw % 2 !== FREE_BIT) throw new Torn(`${at} is not marked free`);
        if (Math.floor(raw / PREV_FREE_BIT) % 2 === 1) throw new Torn(`${at} follows a free block (TLSF would have merged them)`);
        const size = raw - (raw % 4);
        if (size < L.minBlock || size % 2 ** L.alignLog2 !== 0) throw new Torn(`${at} has an impossible size ${size}`);
        const [wantFl, wantSl] = tlsfListOf(size, L.slLog2, L.alignLog2);
        if (wantFl !== fl || wantSl !== sl) throw new Torn(`${at} has size ${size}, which belongs on list [${wantFl}][${wantSl}]`);
        if ((await word(b + L.prevFreeOffset, ps)) !== prev) throw new Torn(`${at}: prev_free does not point at the block before it`);
        // The next physical block starts where this one's payload ends, minus its size word.
        const next = b + L.sizeOffset + size;
        const nextHead = L.sizeOffset + L.sizeBytes;
        if (!inRam(next, nextHead)) throw new Torn(`${at} of ${size} bytes runs past the end of RAM`);
        if ((await word(next + L.prevPhysOffset, ps)) !== b) throw new Torn(`${at}: the next block's prev_phys_block does not point back`);
        const nextRaw = await word(next + L.sizeOffset, L.sizeBytes);
        if (Math.floor(nextRaw / PREV_FREE_BIT) % 2 !== 1) throw new Torn(`${at}: the next block does not know it is free`);
        if (nextRaw % 2 === FREE_BIT) throw new Torn(`${at}: the next block is free too (TLSF would have merged them)`);
        if (pool && (b < pool.start || next + nextHead > pool.end)) outsidePool = true;
        sizes.push(size);
        prev = b;
        b = await word(b + L.nextFreeOffset, ps);
      }
    }
  }
  // A pool in the control's array (tlsf_create_with_pool): walk it in physical order too. Mid-operation
  // TLSF takes a block off its list before it marks it used (and merges before relinking): a free-marked
  // block on no list is a torn snapshot that the lists alone would count short.
  if (pool && !outsidePool) await physicalCheck(controlAt + L.controlBytes - L.sizeOffset, pool, seen, word, L, maxNodes);
  // Headers paged in after the snapshot: the control structure must still be what it was.
  if (view.reads > readsAfterSnapshot && !sameBytes(before, await view.read(stamps))) {
    throw new Torn('the TLSF control structure changed during the walk');
  }
  return {
    freeBlocks: sizes.length,
    totalFree: sizes.reduce((a, s) => a + s, 0),
    largestFree: sizes.reduce((a, s) => Math.max(a, s), 0),
    histogram: histogram(sizes),
    // Pool bytes (what tlsf_create_with_pool gives add_pool) only when every free block lies in the array.
    ...(pool && !outsidePool ? { regionBytes: pool.end - pool.start - L.controlBytes } : {}),
    ...(also.length ? { alsoRead } : {}),
  };
}

/** Every free-marked block from the pool's first block to its zero-size sentinel must be on a list. */
async function physicalCheck(
  first: number,
  pool: Region,
  listed: ReadonlySet<number>,
  word: (a: number, len: number) => Promise<number>,
  L: TlsfLayout,
  maxNodes: number,
): Promise<void> {
  let free = 0;
  let b = first;
  for (let n = 0; ; n++) {
    if (n > 4 * maxNodes) throw new Torn(`more than ${4 * maxNodes} blocks in the pool`);
    if (b % 2 ** L.alignLog2 !== 0 || b < pool.start || b + L.sizeOffset + L.sizeBytes > pool.end) {
      throw new Torn(`physical block 0x${b.toString(16)} lies outside the pool`);
    }
    const raw = await word(b + L.sizeOffset, L.sizeBytes);
    const size = raw - (raw % 4);
    if (size === 0) break; // the sentinel
    if (raw % 2 === FREE_BIT) {
      if (!listed.has(b)) throw new Torn(`block 0x${b.toString(16)} is marked free but is on no free list`);
      free++;
    }
    b += L.sizeOffset + size;
  }
  if (free !== listed.size) throw new Torn(`${listed.size} blocks on the free lists, ${free} marked free in the pool`);
}
