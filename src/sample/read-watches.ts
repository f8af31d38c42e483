// One tick's memory traffic for a set of watches: a single coalesced readBlocks for every static watch
// and every first pointer, then one more readBlocks per pointer-hop level (`p->x`: read p, then x).
// Returns raw bytes per watch (decoding is the watch's job). A null pointer on the way gives an empty
// Uint8Array for that watch: no value this tick, rather than garbage read from address 0.
import type { MemoryBlock, MemoryReader } from '../probe/types.js';
import type { Watch } from '../watch/types.js';
import { extractRange, planReads, type ReadPlan } from './plan.js';

export interface ReadWatchesOptions {
  /** Ranges closer than this many bytes are read as one block (default 64). */
  maxGap?: number;
}

const DEFAULT_MAX_GAP = 64;

// The static part of the plan only depends on the watch set and the probe's block size: cache it.
const planCache = new WeakMap<readonly Watch[], { key: string; plan: ReadPlan; ranges: MemoryBlock[] }>();

function firstRange(w: Watch): MemoryBlock {
  return { address: w.address, length: w.hops.length > 0 ? w.hops[0]!.pointerSize : w.byteSize };
}

function staticPlan(watches: readonly Watch[], maxBlockBytes: number, maxGap: number): { plan: ReadPlan; ranges: MemoryBlock[] } {
  const key = `${maxBlockBytes}/${maxGap}`;
  const cached = planCache.get(watches);
  if (cached && cached.key === key) return cached;
  const ranges = watches.map(firstRange);
  const entry = { key, plan: planReads(ranges, { maxGap, maxBlockBytes }), ranges };
  planCache.set(watches, entry);
  return entry;
}

/** The address a pointer of `bytes.length` bytes holds (its DWARF byte size: 4 on Cortex-M, 8 on RISC-V 64
 * and x86-64). Built with multiplications, not bit operations, so 8-byte pointers above 4 GiB stay exact
 * (JavaScript numbers are exact to 2^53, far beyond any physical address a probe reads). */
function readPointer(bytes: Uint8Array, littleEndian: boolean): number {
  const n = Math.min(bytes.length, 8);
  let v = 0;
  if (littleEndian) for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[i]!;
  else for (let i = 0; i < n; i++) v = v * 256 + bytes[i]!;
  return v;
}

/** Pointer + member offset, wrapping at the pointer's width as the target's address arithmetic does. */
function addressAfter(pointer: number, offset: number, pointerSize: number): number {
  const sum = pointer + offset;
  return pointerSize >= 8 ? sum : sum % 2 ** (pointerSize * 8);
}

export async function readWatches(
  reader: MemoryReader,
  watches: readonly Watch[],
  opts: ReadWatchesOptions = {},
): Promise<Uint8Array[]> {
  const maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
  const { plan, ranges } = staticPlan(watches, reader.maxBlockBytes, maxGap);
  const blockBytes = await reader.readBlocks(plan.blocks);
  const result: Uint8Array[] = watches.map((_, i) => extractRange(plan, i, ranges[i]!.length, blockBytes));

  // Pointer watches: result[i] holds the pointer read at hop `level`; follow one level per round trip.
  let active = watches.map((w, i) => i).filter((i) => watches[i]!.hops.length > 0);
  for (let level = 0; active.length > 0; level++) {
    const next: number[] = [];
    const wanted: MemoryBlock[] = [];
    for (const i of active) {
      const w = watches[i]!;
      const pointer = readPointer(result[i]!, w.littleEndian);
      if (pointer === 0) {
        result[i] = new Uint8Array(0);
        continue;
      }
      const address = addressAfter(pointer, w.hops[level]!.offset, w.hops[level]!.pointerSize);
      const last = level + 1 >= w.hops.length;
      next.push(i);
      wanted.push({ address, length: last ? w.byteSize : w.hops[level + 1]!.pointerSize });
    }
    if (next.length === 0) break;
    const hopPlan = planReads(wanted, { maxGap, maxBlockBytes: reader.maxBlockBytes });
    const hopBytes = await reader.readBlocks(hopPlan.blocks);
    active = [];
    next.forEach((i, k) => {
      result[i] = extractRange(hopPlan, k, wanted[k]!.length, hopBytes);
      if (level + 1 < watches[i]!.hops.length) active.push(i);
    });
  }
  return result;
}
