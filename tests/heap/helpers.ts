// Shared by the heap tests: open a firmware ELF (bundled or an allocator variant), its HeapContext,
// and read any global by name through the watch layer (the firmware's truth structs).
import { join } from 'node:path';
import { openElf } from '../../src/elf/elf.js';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { heapContext } from '../../src/heap/index.js';
import type { HeapContext } from '../../src/heap/types.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';
import { readWatches } from '../../src/sample/read-watches.js';
import { resolveWatch } from '../../src/watch/index.js';

export function variantElf(name: string): string {
  return join(heapscopeRoot(), 'firmware', 'alloc-variants', 'prebuilt', `${name}.elf`);
}

export function contextFor(elfPath: string): HeapContext {
  const elf = openElf(elfPath);
  return heapContext(elf, loadDebugInfo(elf));
}

/** Reads globals by expression in one coalesced read; structs come back as objects of numbers. */
export async function readExprs(reader: MemoryReader, ctx: HeapContext, exprs: readonly string[]): Promise<Record<string, unknown>[]> {
  const watches = exprs.map((e) => resolveWatch(ctx.debug, ctx.elf, e));
  const bytes = await readWatches(reader, watches);
  return watches.map((w, i) => w.decode(bytes[i]!) as Record<string, unknown>);
}

export interface AllocTruth {
  ops: number;
  arena: number;
  used: number;
  free: number;
  free_blocks: number;
  walk_free: number;
  largest_free: number;
  alloc_count: number;
  free_count: number;
  failed: number;
  live: number;
}

export async function readTruth(reader: MemoryReader, ctx: HeapContext): Promise<AllocTruth> {
  return (await readExprs(reader, ctx, ['g_alloc_truth']))[0] as unknown as AllocTruth;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `look` between two truth reads until both see the same `ops` (no heap operation happened in
 * between, so the heap matched the truth while `look` read it) and the workload has done at least
 * `minOps` operations. Gives up after `limitMs`.
 */
export async function bracketed<T>(
  reader: MemoryReader,
  ctx: HeapContext,
  minOps: number,
  look: () => Promise<T>,
  limitMs = 20_000,
): Promise<{ truth: AllocTruth; result: T }> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const before = await readTruth(reader, ctx);
    const result = await look();
    const after = await readTruth(reader, ctx);
    if (before.ops === after.ops && after.ops >= minOps) return { truth: after, result };
    if (Date.now() > deadline) throw new Error(`no quiet moment after ${minOps} heap operations within ${limitMs} ms (ops ${after.ops})`);
    await sleep(after.ops < minOps ? 50 : 3);
  }
}
