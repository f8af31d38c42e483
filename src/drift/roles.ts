// Which heap quantity a column holds, from its name: one rule set for `watch`, `record` and
// `report`, so that the same recording gets the same verdicts everywhere. Judged on the last part of
// the expression (g_heap.free -> "free"), so a struct name does not decide for its members, and
// counters (free_count, alloc_count, fragments) are never taken for byte amounts.

export type HeapRole = 'used' | 'free' | 'largest' | 'minfree' | 'capacity';

const RULES: Array<[HeapRole | null, RegExp]> = [
  ['largest', /largest|biggest|max_?free|maxfree|max_?block/i],
  ['minfree', /min(imum)?_?(ever)?_?free|low_?water|minever/i],
  [null, /count|num|allocs$|frees$|fail|fragment|blocks?$|calls|pct|percent|ratio/i],
  ['free', /free|remaining|avail|fordblks/i],
  ['used', /used|allocated|in_?use|uordblks/i],
  ['capacity', /capacity|total|heap_?size|size$/i],
];

/** The last component of an expression: "g_heap.used" -> "used", "p->stats.free" -> "free". */
export function leafName(column: string): string {
  const parts = column.split(/\.|->|\[|\]/).filter((p) => p !== '' && !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? column;
}

export function heapRoleOf(column: string): HeapRole | undefined {
  const leaf = leafName(column);
  for (const [role, re] of RULES) if (re.test(leaf)) return role ?? undefined;
  return undefined;
}
