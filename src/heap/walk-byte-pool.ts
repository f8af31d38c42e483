// Walk of a ThreadX byte pool: the pool memory is one circular list of blocks in address order, each
// starting with [next block pointer][owner word], owner = TX_BYTE_BLOCK_FREE for a free block, and a
// permanently allocated marker at the end linking back to the start. ThreadX merges adjacent free
// blocks only while a later allocation searches, so the largest allocation that would succeed is the
// largest RUN of adjacent free blocks, minus one header. Read: the pool's counters and its whole memory
// in one call (paged above the prefetch limit); torn checks: links must move forward inside the pool
// and land on the start exactly once, the block count must equal tx_byte_pool_fragments and the free
// bytes must match tx_byte_pool_available (= free block bytes - one header), counters read before and
// after must agree.
import type { MemoryBlock, MemoryReader } from '../probe/types.js';
import type { MemoryView } from './memory-view.js';
import type { WalkResult } from './types.js';
import { DEFAULT_PREFETCH_BYTES, histogram, retryWalk, Torn, type WalkNumbers, type WalkOptions } from './walk.js';

export const TX_BYTE_BLOCK_FREE = 0xffffeeee;

export interface BytePoolLayout {
  littleEndian: boolean;
  pointerSize: number;
  /** Where tx_byte_pool_start / tx_byte_pool_size are (their addresses, not values). */
  start: MemoryBlock;
  size: MemoryBlock;
  available: MemoryBlock;
  fragments: MemoryBlock;
  /** Bytes of a block header: a pointer plus an ALIGN_TYPE word. */
  headerBytes: number;
  ownerOffset: number;
  ownerBytes: number;
}

export async function walkBytePool(reader: MemoryReader, layout: BytePoolLayout, opts: WalkOptions = {}): Promise<WalkResult> {
  return retryWalk(reader, layout.littleEndian, opts, (view) => walkOnce(view, layout, opts));
}

async function walkOnce(view: MemoryView, L: BytePoolLayout, opts: WalkOptions): Promise<WalkNumbers> {
  const ps = L.pointerSize;
  const counters = [L.available, L.fragments];
  await view.read([L.start, L.size]);
  const start = view.uint(L.start.address, L.start.length)!;
  const size = view.uint(L.size.address, L.size.length)!;
  if (start === 0 || size === 0) throw new Torn('the pool is not created yet');
  const pool = { start, end: start + size };
  const whole = opts.mode !== 'node-by-node' && size <= (opts.maxPrefetchBytes ?? DEFAULT_PREFETCH_BYTES);
  const also = opts.alsoRead ?? [];
  const got = await view.read([...counters, ...also, ...(whole ? [{ address: start, length: size }] : []), ...counters]);
  const before = got.slice(0, 2);
  const after = got.slice(got.length - 2);
  if (before.some((b, i) => b.some((x, j) => x !== after[i]![j]))) throw new Torn('pool counters changed while the pool was read');
  const alsoRead = got.slice(2, 2 + also.length);
  const available = view.uint(L.available.address, L.available.length)!;
  const fragments = view.uint(L.fragments.address, L.fragments.length)!;
  const span = opts.mode === 'node-by-node' ? 0 : 1024;

  const frees: number[] = [];
  const runs: number[] = [];
  let run = 0;
  let blocks = 0;
  let freeBytes = 0;
  const maxNodes = opts.maxNodes ?? 100_000;
  for (let b = start; ; ) {
    if (b % ps !== 0 || b < pool.start || b + L.headerBytes > pool.end) throw new Torn(`block 0x${b.toString(16)} lies outside the pool`);
    if (++blocks > maxNodes) throw new Torn(`more than ${maxNodes} blocks`);
    await view.ensure(b, L.headerBytes, span, pool);
    const next = view.uint(b, ps)!;
    const owner = view.uint(b + L.ownerOffset, L.ownerBytes)!;
    if (next === start) break; // the end marker links back to the start
    if (next <= b || next > pool.end) throw new Torn(`block 0x${b.toString(16)} links to 0x${next.toString(16)}, not forward inside the pool`);
    if (owner === TX_BYTE_BLOCK_FREE) {
      frees.push(next - b);
      freeBytes += next - b;
      run += next - b;
    } else if (run > 0) {
      runs.push(run);
      run = 0;
    }
    b = next;
  }
  if (run > 0) runs.push(run);
  if (blocks !== fragments) throw new Torn(`the walk found ${blocks} blocks, tx_byte_pool_fragments says ${fragments}`);
  if (freeBytes - L.headerBytes !== available) {
    throw new Torn(`the walk found ${freeBytes - L.headerBytes} available bytes, tx_byte_pool_available says ${available}`);
  }
  return {
    freeBlocks: frees.length,
    totalFree: freeBytes,
    largestFree: runs.reduce((a, r) => Math.max(a, r - L.headerBytes), 0),
    histogram: histogram(frees),
    regionBytes: size,
    ...(also.length ? { alsoRead } : {}),
  };
}
