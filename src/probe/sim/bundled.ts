// Paths of the prebuilt demo firmware shipped in the package (firmware/prebuilt/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbeError } from '../../errors.js';

export type HeapPattern = 'leak' | 'sawtooth' | 'fragmentation' | 'warmup';
export type DemoCore = 'm0plus' | 'm3';
export const HEAP_PATTERNS: readonly HeapPattern[] = ['sawtooth', 'leak', 'fragmentation', 'warmup'];

/** Root of the heapscope package, from src/ (vitest) or dist/src/ (built). */
export function heapscopeRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'heapscope') return dir;
    } catch {
      /* keep climbing */
    }
    dir = dirname(dir);
  }
  throw new ProbeError('heapscope package root not found (package.json named "heapscope")');
}

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
