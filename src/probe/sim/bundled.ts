// Paths of the prebuilt demo firmware shipped in the package (firmware/prebuilt/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeError } from '../../errors.js';
import { packageRoot } from '../../package-root.js';

export type HeapPattern = 'leak' | 'sawtooth' | 'fragmentation' | 'warmup';
export type DemoCore = 'm0plus' | 'm3';
export const HEAP_PATTERNS: readonly HeapPattern[] = ['sawtooth', 'leak', 'fragmentation', 'warmup'];

/** Root of the heapscope package (kept under this name for the sim and its tests). */
export const heapscopeRoot = packageRoot;

/** Absolute path of firmware/prebuilt/heapdemo-<core>-<pattern>.elf. */
export function bundledFirmware(pattern: HeapPattern = 'leak', core: DemoCore = 'm0plus'): string {
  if (!HEAP_PATTERNS.includes(pattern)) {
    throw new ProbeError(`unknown demo pattern '${pattern}': one of ${HEAP_PATTERNS.join(', ')}`);
  }
  if (core !== 'm0plus' && core !== 'm3') throw new ProbeError(`unknown demo core '${core}': m0plus or m3`);
  const path = join(heapscopeRoot(), 'firmware', 'prebuilt', `heapdemo-${core}-${pattern}.elf`);
  if (!existsSync(path)) {
    throw new ProbeError(`bundled firmware missing: ${path} (reinstall heapscope, or run make -C firmware)`);
  }
  return path;
}
