// Shared by the sim and firmware tests: symbol addresses from the raw ELF symbol table (so these
// tests do not depend on the DWARF reader), little-endian decoding, and polling without timed asserts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openElf } from '../../src/elf/elf.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';

export function symbolAddresses(elfPath: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of openElf(elfPath).symbols()) if (s.type === 'object' && s.name) out[s.name] = s.value;
  return out;
}

/** openSim runs dist/src/probe/sim/worker.js: fail with a clear message when the build is missing. */
export function requireBuiltWorker(): void {
  const p = join(heapscopeRoot(), 'dist', 'src', 'probe', 'sim', 'worker.js');
  if (!existsSync(p)) throw new Error(`${p} missing: run \`npm run build\` before these tests`);
}

export const HEAP_STATS_FIELDS = [
  'capacity',
  'used',
  'free',
  'alloc_count',
  'free_count',
  'failed_allocs',
  'largest_free',
  'min_ever_free',
  'fragments',
] as const;
export type HeapStats = Record<(typeof HEAP_STATS_FIELDS)[number], number>;

export const HEAP_TRUTH_FIELDS = [
  'pattern',
  'cycle_ms',
  'leak_bytes_per_cycle',
  'cycles',
  'walks',
  'walk_ticks',
  'free_bytes',
  'used_bytes',
  'largest_free',
  'fragments',
  'live_blocks',
  'leaked_blocks',
  'leaked_bytes',
  'mismatches',
  'corrupt',
] as const;
export type HeapTruth = Record<(typeof HEAP_TRUTH_FIELDS)[number], number>;

function words<K extends string>(bytes: Uint8Array, names: readonly K[]): Record<K, number> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = {} as Record<K, number>;
  names.forEach((n, i) => (out[n] = v.getUint32(i * 4, true)));
  return out;
}

export function u32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
}

export interface HeapSnapshot {
  ticks: number;
  heap: HeapStats;
  truth: HeapTruth;
  boots: number;
}

/** g_ticks, g_heap, g_truth and g_boot_count in one readBlocks call (one consistent snapshot). */
export async function readSnapshot(reader: MemoryReader, sym: Record<string, number>): Promise<HeapSnapshot> {
  const [t, h, tr, b] = await reader.readBlocks([
    { address: sym.g_ticks!, length: 4 },
    { address: sym.g_heap!, length: 36 },
    { address: sym.g_truth!, length: 60 },
    { address: sym.g_boot_count!, length: 4 },
  ]);
  return { ticks: u32(t!), heap: words(h!, HEAP_STATS_FIELDS), truth: words(tr!, HEAP_TRUTH_FIELDS), boots: u32(b!) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined); throws after `limitMs` with `what`. */
export async function pollUntil<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await sleep(2);
  }
}
