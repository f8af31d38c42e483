// Zephyr sys_heap: the largest free block from a walk of the heap's chunks (the runtime-stats counters
// give free and used, never the largest free block). Layout (lib/heap/heap.h): the heap memory
// [init_mem, init_mem + init_bytes) is an array of 8-byte chunk units; struct z_heap (sys_heap.heap)
// is chunk 0; every chunk starts with LEFT_SIZE and SIZE_AND_USED (size in chunks << 1 | used), 16-bit
// fields on 32-bit targets when end_chunk <= 0x7fff, 32-bit otherwise; end_chunk is a used zero-size
// marker. The walk goes in PHYSICAL order (every chunk, not the bucket lists), reading the whole heap in
// one call with z_heap's header before and after it; torn checks: each chunk's LEFT_SIZE equals the
// size of the chunk before it, no two free chunks touch (Zephyr merges them), the walk lands exactly on
// end_chunk, and the buckets holding free chunks are exactly avail_buckets' bits.
import type { MemoryBlock, MemoryReader } from '../../probe/types.js';
import { pointee, memberAt, sizeOfType } from '../dwarf-layout.js';
import { sameBytes, type MemoryView } from '../memory-view.js';
import type { AllocatorProfile, CounterPlan, HeapContext, WalkResult } from '../types.js';
import { DEFAULT_PREFETCH_BYTES, histogram, retryWalk, Torn, type WalkNumbers, type WalkOptions } from '../walk.js';
import { zephyrProfile } from './more.js';
import { variablesOfStruct } from './struct-counters.js';

const CHUNK_UNIT = 8;

export interface ZephyrHeapLayout {
  littleEndian: boolean;
  pointerSize: number;
  /** sys_heap's members: heap (the z_heap pointer), init_mem, init_bytes. */
  heapPtr: MemoryBlock;
  initMem: MemoryBlock;
  initBytes: MemoryBlock;
  /** z_heap header bytes (without buckets[]) and end_chunk / avail_buckets inside it. */
  zHeapBytes: number;
  endChunk: { offset: number; size: number };
  availBuckets: { offset: number; size: number };
}

export function zephyrHeapLayout(ctx: HeapContext): ZephyrHeapLayout | null {
  const k = variablesOfStruct(ctx, ['k_heap']);
  const kh = k.find((v) => v.name === '_system_heap') ?? k[0];
  const v = kh ?? variablesOfStruct(ctx, ['sys_heap'])[0];
  if (!v || v.address === null) return null;
  const base = kh ? memberAt(v.type, 'heap') : { offset: 0, member: { type: v.type } };
  if (!base) return null;
  const sys = base.member.type;
  const heap = memberAt(sys, 'heap');
  const mem = memberAt(sys, 'init_mem');
  const bytes = memberAt(sys, 'init_bytes');
  if (!heap || !mem || !bytes) return null;
  const z = pointee(heap.member.type);
  const end = memberAt(z, 'end_chunk');
  const avail = memberAt(z, 'avail_buckets');
  const zBytes = sizeOfType(z);
  if (!end || !avail || zBytes === null) return null;
  const at = (m: { offset: number; size: number }): MemoryBlock => ({ address: v.address! + base.offset + m.offset, length: m.size });
  return {
    littleEndian: ctx.elf.littleEndian,
    pointerSize: heap.size,
    heapPtr: at(heap),
    initMem: at(mem),
    initBytes: at(bytes),
    zHeapBytes: zBytes,
    endChunk: { offset: end.offset, size: end.size },
    availBuckets: { offset: avail.offset, size: avail.size },
  };
}

export async function walkZephyrChunks(reader: MemoryReader, layout: ZephyrHeapLayout, opts: WalkOptions = {}): Promise<WalkResult> {
  return retryWalk(reader, layout.littleEndian, opts, (view) => walkOnce(view, layout, opts));
}

const log2Floor = (n: number): number => {
  let f = 0;
  while (2 ** (f + 1) <= n) f++;
  return f;
};

async function walkOnce(view: MemoryView, L: ZephyrHeapLayout, opts: WalkOptions): Promise<WalkNumbers> {
  await view.read([L.heapPtr, L.initMem, L.initBytes]);
  const h = view.uint(L.heapPtr.address, L.heapPtr.length)!;
  const mem = view.uint(L.initMem.address, L.initMem.length)!;
  const bytes = view.uint(L.initBytes.address, L.initBytes.length)!;
  if (h === 0 || bytes === 0) throw new Torn('the heap is not initialised yet (sys_heap.heap is NULL)');
  const region = { start: mem, end: mem + bytes };
  if (h < region.start || h + L.zHeapBytes > region.end || h % 4 !== 0) {
    throw new Torn(`z_heap at 0x${h.toString(16)} is not inside the heap memory 0x${mem.toString(16)}+${bytes}`);
  }
  const whole = opts.mode !== 'node-by-node' && bytes <= (opts.maxPrefetchBytes ?? DEFAULT_PREFETCH_BYTES);
  const header: MemoryBlock = { address: h, length: L.zHeapBytes };
  const also = opts.alsoRead ?? [];
  const got = await view.read([header, ...also, ...(whole ? [{ address: mem, length: bytes }] : []), header]);
  const before = got[0]!;
  if (!sameBytes([before], [got[got.length - 1]!])) throw new Torn('z_heap changed while the heap was read');
  const alsoRead = got.slice(1, 1 + also.length);
  const readsAfterSnapshot = view.reads;

  const end = view.uint(h + L.endChunk.offset, L.endChunk.size)!;
  const avail = view.uint(h + L.availBuckets.offset, L.availBuckets.size)!;
  const big = L.pointerSize > 4 || end > 0x7fff;
  const fb = big ? 4 : 2;
  const hdr = 2 * fb;
  if (h + end * CHUNK_UNIT + hdr > region.end) throw new Torn(`end_chunk ${end} runs past the heap memory`);
  const minChunk = Math.ceil((hdr + 1) / CHUNK_UNIT);
  let span = opts.mode === 'node-by-node' ? 0 : 1024;
  const field = async (c: number, f: number): Promise<number> => {
    const a = h + c * CHUNK_UNIT + f * fb;
    if (!view.has(a, fb)) {
      await view.ensure(a, fb, span, region, 1024);
      if (span > 0) span = Math.min(span * 2, 16 * 1024);
    }
    return view.uint(a, fb)!;
  };

  const sizes: number[] = [];
  const maxNodes = opts.maxNodes ?? 100_000;
  let buckets = 0;
  let c = 0;
  let left = 0;
  let prevFree = false;
  for (let n = 0; c < end; n++) {
    if (n >= maxNodes) throw new Torn(`more than ${maxNodes} chunks`);
    const raw = await field(c, 1);
    const size = Math.floor(raw / 2);
    const used = raw % 2 === 1;
    if (size === 0 || c + size > end) throw new Torn(`chunk ${c} has an impossible size ${size}`);
    if (c === 0 ? !used : (await field(c, 0)) !== left) throw new Torn(`chunk ${c}: LEFT_SIZE does not match the chunk before it`);
    if (!used) {
      if (prevFree) throw new Torn(`chunk ${c} is free next to a free chunk (Zephyr would have merged them)`);
      sizes.push(size * CHUNK_UNIT - hdr);
      const b = log2Floor(size - minChunk + 1);
      buckets = buckets + (Math.floor(buckets / 2 ** b) % 2 === 0 ? 2 ** b : 0);
    }
    prevFree = !used;
    left = size;
    c += size;
  }
  if ((await field(end, 1)) !== 1 || (await field(end, 0)) !== left) throw new Torn('the end marker chunk does not close the heap');
  if (buckets !== avail) throw new Torn(`free chunks fill buckets 0x${buckets.toString(16)}, avail_buckets says 0x${avail.toString(16)}`);
  if (view.reads > readsAfterSnapshot && !sameBytes([before], await view.read([header]))) throw new Torn('z_heap changed during the walk');
  return {
    freeBlocks: sizes.length,
    totalFree: sizes.reduce((a, s) => a + s, 0),
    largestFree: sizes.reduce((a, s) => Math.max(a, s), 0),
    histogram: histogram(sizes),
    ...(also.length ? { alsoRead } : {}),
  };
}

/** zephyrProfile (runtime-stats counters) plus the chunk walk for the largest free block. */
export const zephyrChunkProfile: AllocatorProfile = {
  ...zephyrProfile,
  title: 'Zephyr sys_heap / k_heap (CONFIG_SYS_HEAP_RUNTIME_STATS counters + chunk walk)',
  counters(ctx: HeapContext): CounterPlan {
    const plan = zephyrProfile.counters(ctx);
    const notes = plan.notes.filter((n) => !n.includes('does not do yet'));
    notes.push('free blocks, largest free and the histogram come from walking the chunks (payload bytes: chunk minus its header)');
    return { ...plan, notes };
  },
  walk(ctx: HeapContext) {
    const layout = zephyrHeapLayout(ctx);
    return layout ? (reader, opts) => walkZephyrChunks(reader, layout, opts) : null;
  },
};
