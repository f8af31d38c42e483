// The known allocator profiles, in detection order (most specific first: a firmware can link newlib
// and still use FreeRTOS heap_4 for its tasks; the RTOS heap is the one that matters).
import { UsageError } from '../errors.js';
import { freertosHeap1Profile, freertosHeap2Profile, freertosHeap4Profile, freertosHeap5Profile } from './profiles/freertos.js';
import { lwipProfile, mbedProfile, threadxProfile } from './profiles/more.js';
import { heapscopeProfile } from './profiles/heapscope.js';
import { newlibNanoProfile } from './profiles/newlib-nano.js';
import { newlibFullProfile } from './profiles/newlib-full.js';
import { tlsfProfile } from './profiles/tlsf.js';
import { zephyrChunkProfile } from './profiles/zephyr-chunks.js';
import type { AllocatorProfile, Detection, HeapContext } from './types.js';

export const PROFILES: readonly AllocatorProfile[] = [
  heapscopeProfile,
  freertosHeap4Profile,
  freertosHeap5Profile,
  freertosHeap2Profile,
  freertosHeap1Profile,
  zephyrChunkProfile,
  threadxProfile,
  tlsfProfile,
  mbedProfile,
  newlibNanoProfile,
  newlibFullProfile,
  lwipProfile,
];

export function profileByName(name: string): AllocatorProfile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) {
    throw new UsageError(`unknown allocator '${name}': one of ${PROFILES.map((x) => x.name).join(', ')} (see heapscope heap --list-allocators)`);
  }
  return p;
}

export interface DetectedAllocator {
  profile: AllocatorProfile;
  detection: Detection;
}

/** The first profile whose symbols/types are in the ELF; `forced` skips detection (but still says why). */
export function detectAllocator(ctx: HeapContext, forced?: string): DetectedAllocator | null {
  if (forced) {
    const profile = profileByName(forced);
    const detection = profile.detect(ctx) ?? { profile: profile.name, why: [`--allocator ${forced} (its symbols were not all found: ${profile.looksFor})`] };
    return { profile, detection };
  }
  for (const profile of PROFILES) {
    const detection = profile.detect(ctx);
    if (detection) return { profile, detection };
  }
  return null;
}

/** "Not detected" message: what was looked for, and how to name counters by hand. */
export function notDetectedMessage(elfPath: string): string {
  return [
    `no known heap allocator found in ${elfPath}. Looked for:`,
    ...PROFILES.map((p) => `  ${p.name}: ${p.looksFor}`),
    'Name your counters by hand instead, e.g. `heapscope watch fw.elf my_heap.used my_heap.free --used my_heap.used`,',
    'or force a profile with --allocator NAME.',
  ].join('\n');
}
