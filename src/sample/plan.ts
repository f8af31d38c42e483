// Coalescing: turn many small watched ranges into few block reads. Reading a 40-byte gap is far
// cheaper than a second round trip, so ranges closer than `maxGap` share one block; blocks never
// exceed `maxBlockBytes` (the probe's packet size) unless one range alone is larger (then it is split).
import type { MemoryBlock } from '../probe/types.js';

/** Where one requested range lives in the planned blocks (it may span several after a split). */
export interface RangePlacement {
  /** Pieces in address order: bytes [rangeOffset, rangeOffset+length) of the range come from block `block` at `offset`. */
  pieces: Array<{ block: number; offset: number; rangeOffset: number; length: number }>;
}

export interface ReadPlan {
  blocks: MemoryBlock[];
  /** placements[i] locates ranges[i]. */
  placements: RangePlacement[];
}

export interface PlanOptions {
  maxGap: number;
  maxBlockBytes: number;
}

export function planReads(ranges: readonly MemoryBlock[], opts: PlanOptions): ReadPlan {
  const maxBlock = Math.max(1, Math.floor(opts.maxBlockBytes));
  const maxGap = Math.max(0, opts.maxGap);
  const order = ranges
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.length > 0)
    .sort((a, b) => a.r.address - b.r.address || b.r.length - a.r.length);

  // 1. Spans: merge ranges whose gap is at most maxGap (overlaps merge too).
  const spans: Array<{ start: number; end: number }> = [];
  for (const { r } of order) {
    const last = spans[spans.length - 1];
    const end = r.address + r.length;
    if (last && r.address - last.end <= maxGap && end - last.start <= maxBlock) last.end = Math.max(last.end, end);
    else if (last && r.address < last.end) last.end = Math.max(last.end, end); // overlap: must share
    else spans.push({ start: r.address, end });
  }
  // 2. Blocks: cut spans at maxBlock.
  const blocks: MemoryBlock[] = [];
  for (const s of spans) {
    for (let a = s.start; a < s.end; a += maxBlock) blocks.push({ address: a, length: Math.min(maxBlock, s.end - a) });
  }
  // 3. Placements: blocks are sorted and disjoint, so each range maps to consecutive blocks.
  const placements: RangePlacement[] = ranges.map(() => ({ pieces: [] }));
  for (const { r, i } of order) {
    let b = lowerBlock(blocks, r.address);
    let at = r.address;
    const end = r.address + r.length;
    while (at < end && b < blocks.length) {
      const blk = blocks[b]!;
      const blkEnd = blk.address + blk.length;
      const len = Math.min(end, blkEnd) - at;
      placements[i]!.pieces.push({ block: b, offset: at - blk.address, rangeOffset: at - r.address, length: len });
      at += len;
      b++;
    }
  }
  return { blocks, placements };
}

/** Index of the block containing `address` (binary search over sorted disjoint blocks). */
function lowerBlock(blocks: readonly MemoryBlock[], address: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid]!.address <= address) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Gathers the bytes of range i from the blocks that were read. */
export function extractRange(plan: ReadPlan, i: number, length: number, blockBytes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(length);
  for (const p of plan.placements[i]!.pieces) out.set(blockBytes[p.block]!.subarray(p.offset, p.offset + p.length), p.rangeOffset);
  return out;
}
