// src/heap: allocator auto-detection, non-halting free-list walks, stack high-water marks.
import type { DebugInfo } from '../elf/dwarf/index.js';
import type { ElfFile } from '../elf/elf.js';
import { heapContext } from './context.js';
import { detectAllocator } from './registry.js';
import type { MemoryReader } from '../probe/types.js';
import type { WalkResult, WalkTuning } from './types.js';
import { walkFreeList } from './walk.js';

export { heapContext } from './context.js';
export { PROFILES, profileByName, detectAllocator, notDetectedMessage, type DetectedAllocator } from './registry.js';
export { inspectHeap, counterWatches, type HeapReport, type InspectOptions, type CounterWatch } from './inspect.js';
export { walkFreeList, histogram, type WalkOptions, DEFAULT_PREFETCH_BYTES } from './walk.js';
export { walkBins, type BinLayout } from './walk-bins.js';
export {
  freeRtosTaskStacks,
  hasFreeRtosTasks,
  zephyrThreadStacks,
  hasZephyrThreads,
  scanRegions,
  parseStackSpec,
  parseFill,
  FREERTOS_STACK_FILL,
  ZEPHYR_STACK_FILL,
  type StackReport,
} from './stacks.js';
export { formatHeapReport, formatStacks } from './format.js';
export type * from './types.js';

export interface HeapWatchSet {
  /** Watch expressions of the detected allocator's counters (capacity, used, free, largest, counts...). */
  exprs: string[];
  /** Which of those expressions the drift pane should read as used / free / largest free bytes. */
  roles: { used?: string; free?: string; largest?: string; capacityBytes?: number };
  /** Detected profile name, and why, for a banner. */
  allocator: string;
  why: string[];
}

/**
 * What `watch` / `record` should watch when the user names no expressions: the detected allocator's
 * counters, or null when no known allocator is in the ELF (then ask the user to name them).
 */
export function heapWatchExpressions(debug: DebugInfo, elf: ElfFile, allocator?: string): HeapWatchSet | null {
  const ctx = heapContext(elf, debug);
  const found = detectAllocator(ctx, allocator);
  if (!found) return null;
  const plan = found.profile.counters(ctx);
  // Stale counters (newlib's mallinfo) are watched too, but never drive the drift verdict.
  const byRole = new Map(plan.counters.filter((c) => !c.stale).map((c) => [c.role, c.expr]));
  const roles: HeapWatchSet['roles'] = {};
  const used = byRole.get('used');
  const free = byRole.get('free');
  const largest = byRole.get('largestFree');
  if (used) roles.used = used;
  if (free) roles.free = free;
  if (largest) roles.largest = largest;
  if (plan.capacityBytes !== undefined) roles.capacityBytes = plan.capacityBytes;
  return { exprs: plan.counters.map((c) => c.expr), roles, allocator: found.profile.name, why: found.detection.why };
}

/**
 * The detected allocator's free-structure walk as one function, for a sampler that wants the largest
 * free block at a low rate beside the counters (each call: a few coalesced reads, never a halt).
 * Null when no allocator is detected or it has nothing to walk.
 */
export function heapWalker(
  debug: DebugInfo,
  elf: ElfFile,
  allocator?: string,
): ((reader: MemoryReader, opts?: WalkTuning) => Promise<WalkResult>) | null {
  const ctx = heapContext(elf, debug);
  const found = detectAllocator(ctx, allocator);
  if (!found) return null;
  const layout = found.profile.freeList?.(ctx) ?? null;
  if (layout) return (reader, opts) => walkFreeList(reader, layout, opts);
  return found.profile.walk?.(ctx) ?? null;
}
