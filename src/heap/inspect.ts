// One look at the heap: read the detected profile's counters (one coalesced read), walk its free list
// when it has one, and derive what the allocator does not count itself (used from capacity - free,
// the fragmentation index from largest / free).
import type { MemoryReader } from '../probe/types.js';
import { readWatches } from '../sample/read-watches.js';
import { resolveWatch } from '../watch/index.js';
import type { Watch } from '../watch/types.js';
import type { DetectedAllocator } from './registry.js';
import type { CounterRole, HeapContext, WalkResult } from './types.js';
import { walkFreeList, type WalkOptions } from './walk.js';

export interface HeapReport {
  allocator: string;
  title: string;
  why: string[];
  notes: string[];
  /** Expression read for each counter role. */
  exprs: Partial<Record<CounterRole, string>>;
  /** Values: counters as read, plus capacity/used/free derived when the allocator lacks them. */
  values: Partial<Record<CounterRole, number>>;
  /** Counters that are only refreshed by a firmware call (newlib's mallinfo()): as read, not trusted. */
  stale?: Partial<Record<CounterRole, number>>;
  /** Largest free block: from the walk when it was consistent, else the allocator's counter. */
  largestFree?: number;
  largestFreeSource?: 'walk' | 'counter';
  /** 1 - largest/free: 0 = all free memory in one block, near 1 = shattered. */
  fragmentation?: number;
  walk?: WalkResult;
}

export interface InspectOptions {
  walk?: boolean;
  walkOptions?: WalkOptions;
}

/** Watches for a profile's counters, resolved once (reuse them for --watch refreshes). */
export function counterWatches(ctx: HeapContext, found: DetectedAllocator): CounterWatch[] {
  return found.profile.counters(ctx).counters.map((c) => ({ role: c.role, stale: c.stale ?? false, watch: resolveWatch(ctx.debug, ctx.elf, c.expr) }));
}

export interface CounterWatch {
  role: CounterRole;
  stale: boolean;
  watch: Watch;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export async function inspectHeap(
  reader: MemoryReader,
  ctx: HeapContext,
  found: DetectedAllocator,
  opts: InspectOptions = {},
  watches = counterWatches(ctx, found),
): Promise<HeapReport> {
  const plan = found.profile.counters(ctx);
  const values: Partial<Record<CounterRole, number>> = {};
  const exprs: Partial<Record<CounterRole, string>> = {};
  const stale: Partial<Record<CounterRole, number>> = {};
  const layout = opts.walk === false ? null : (found.profile.freeList?.(ctx) ?? null);
  const ownWalk = opts.walk === false || layout ? null : (found.profile.walk?.(ctx) ?? null);

  // Counters without pointer hops ride along in the walk's first read: one instant for both.
  // (A walker that cannot carry them returns no alsoRead: they are then read on their own.)
  const together = (layout !== null || ownWalk !== null) && watches.every((w) => w.watch.hops.length === 0);
  let walk: WalkResult | undefined;
  let counterBytes: Uint8Array[];
  if (together) {
    const alsoRead = watches.map((w) => ({ address: w.watch.address, length: w.watch.byteSize }));
    const tuning = { ...opts.walkOptions, alsoRead };
    walk = layout ? await walkFreeList(reader, layout, tuning) : await ownWalk!(reader, tuning);
    counterBytes = walk.alsoRead ?? (await readWatches(reader, watches.map((w) => w.watch)));
    delete walk.alsoRead;
  } else {
    counterBytes = watches.length ? await readWatches(reader, watches.map((w) => w.watch)) : [];
    if (layout) walk = await walkFreeList(reader, layout, opts.walkOptions);
    else if (ownWalk) walk = await ownWalk(reader, opts.walkOptions);
  }
  watches.forEach(({ role, watch, stale: isStale }, i) => {
    const b = counterBytes[i]!;
    const v = b.length ? toNumber(watch.decode(b)) : undefined;
    if (isStale) {
      if (v !== undefined) stale[role] = v;
      return;
    }
    exprs[role] = watch.expr;
    if (v !== undefined) values[role] = v;
  });
  if (values.capacity === undefined && plan.capacityBytes !== undefined) values.capacity = plan.capacityBytes;

  if (values.capacity === undefined && walk?.regionBytes !== undefined && (layout?.regionPointers || ownWalk)) values.capacity = walk.regionBytes;
  if (values.free === undefined && walk?.consistent) values.free = walk.totalFree;
  if (values.used === undefined && values.capacity !== undefined && values.free !== undefined) values.used = values.capacity - values.free;
  if (values.free === undefined && values.capacity !== undefined && values.used !== undefined) values.free = values.capacity - values.used;
  // Zephyr: free_bytes + allocated_bytes is the whole (payload) heap.
  if (values.capacity === undefined && values.used !== undefined && values.free !== undefined && exprs.used && exprs.free) values.capacity = values.used + values.free;
  if (values.fragments === undefined && walk?.consistent) values.fragments = walk.freeBlocks;

  const report: HeapReport = {
    allocator: found.profile.name,
    title: found.profile.title,
    why: found.detection.why,
    notes: plan.notes,
    exprs,
    values,
    ...(Object.keys(stale).length ? { stale } : {}),
    ...(walk ? { walk } : {}),
  };
  if (walk?.consistent) {
    report.largestFree = walk.largestFree!;
    report.largestFreeSource = 'walk';
  } else if (values.largestFree !== undefined) {
    report.largestFree = values.largestFree;
    report.largestFreeSource = 'counter';
  }
  const free = walk?.consistent ? walk.totalFree! : values.free;
  if (report.largestFree !== undefined && free !== undefined && free > 0) {
    report.fragmentation = Math.max(0, 1 - report.largestFree / free);
  }
  return report;
}
