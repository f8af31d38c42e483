// `watch` / `record` with no expressions: the counters of the heap allocator detected in the ELF, and,
// when it keeps no largest-free-block counter but its free structures can be walked, the walk that
// fills a derived `heap.largest_free` column (src/sample/walk-column.ts).
import { resolve } from 'node:path';
import { openElf } from '../elf/elf.js';
import { loadDebugInfo } from '../elf/dwarf/index.js';
import { UsageError } from '../errors.js';
import { detectAllocator, heapContext, heapWalker, heapWatchExpressions, notDetectedMessage } from '../heap/index.js';
import { InvalidArgumentError } from 'commander';
import type { MetaWatch, WatchRole } from '../record/meta.js';
import { WalkColumns, type HeapWalkFn, type WalkQuantity } from '../sample/walk-column.js';
import type { HeapRoles } from '../tui/live-source.js';
import type { Watch } from '../watch/types.js';

/** Column names of the walk: `heap.` cannot clash with a counter of a profile that needs a walk. */
export const WALK_LARGEST_COLUMN = 'heap.largest_free';
export const WALK_FREE_COLUMN = 'heap.walk_free';

export interface HeapWalkPlan {
  walk: HeapWalkFn;
  allocator: string;
  columns: { name: string; quantity: WalkQuantity; role: Extract<WatchRole, 'largest' | 'free'> }[];
}

export interface HeapCounterSet {
  exprs: string[];
  /** Roles of the counters, and of the walk columns when there is a walk. */
  roles: Partial<HeapRoles>;
  allocator: string;
  /** Counters only refreshed when the firmware asks (newlib's mallinfo): recorded, never judged. */
  stale: string[];
  /** Null when the allocator keeps a largest-free counter, cannot be walked, or the walk is off. */
  walk: HeapWalkPlan | null;
}

export async function heapCounters(elfPath: string, allocator?: string, opts: { walk?: boolean } = {}): Promise<HeapCounterSet> {
  const elf = openElf(resolve(elfPath));
  const debug = loadDebugInfo(elf);
  const found = heapWatchExpressions(debug, elf, allocator);
  if (!found) throw new UsageError(notDetectedMessage(elfPath));
  const ctx = heapContext(elf, debug);
  const detected = detectAllocator(ctx, allocator);
  const stale = detected ? detected.profile.counters(ctx).counters.filter((c) => c.stale).map((c) => c.expr) : [];
  const roles: Partial<HeapRoles> = { ...found.roles };
  let walk: HeapWalkPlan | null = null;
  const fn = opts.walk !== false && !roles.largest ? heapWalker(debug, elf, allocator) : null;
  if (fn) {
    // The largest free block only a walk can give; the free total too when no live counter keeps it
    // (newlib's mallinfo is stale), so that the fragmentation index has both from the same walk.
    const columns: HeapWalkPlan['columns'] = [{ name: WALK_LARGEST_COLUMN, quantity: 'largestFree', role: 'largest' }];
    if (!roles.free) columns.push({ name: WALK_FREE_COLUMN, quantity: 'totalFree', role: 'free' });
    for (const c of columns) roles[c.role] = c.name;
    walk = { walk: fn, allocator: found.allocator, columns };
  }
  // An allocator with no counters (TLSF) is sampled by its walk alone, when there is one.
  if (found.exprs.length === 0 && !walk)
    throw new UsageError(
      `the ${found.allocator} allocator keeps no counters in RAM to sample` +
        (opts.walk === false ? ' and --walk-hz 0 turned its free-list walk off' : '') +
        `; its free lists are walked by \`heapscope heap ${elfPath} --watch\`, or name expressions to watch`,
    );
  return { exprs: found.exprs, roles, allocator: found.allocator, stale, walk };
}

/** --walk-hz: walks per second, 0 = no walk. */
export function walkHzArg(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number >= 0 (0 turns the heap walk off)');
  return n;
}

/** The meta entries of the walk columns: what `report` and `watch --from` read their roles from. */
export function walkMetaWatches(plan: HeapWalkPlan, rateHz: number): MetaWatch[] {
  return plan.columns.map((c) => ({
    expr: c.name,
    address: 0,
    typeName: 'bytes (heap walk)',
    rateHz,
    columns: [c.name],
    role: c.role,
    derived: { from: 'heap-walk', allocator: plan.allocator, quantity: c.quantity },
  }));
}

/** The sampler sidecar that fills the walk columns. `anchors`: the watched free/used counters, which
 * the walk's snapshot must agree with for its numbers to go in their row. */
export function walkSidecar(
  plan: HeapWalkPlan,
  rateHz: number,
  anchors: readonly Watch[],
  onNotice: (message: string) => void,
): WalkColumns {
  return new WalkColumns({ walk: plan.walk, columns: plan.columns, rateHz, anchors, onNotice });
}
