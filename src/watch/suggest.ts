// Close matches for an unknown name: "did you mean 'g_heap_stats'?". Edit distance catches typos,
// substring catches a partial name ("heap" -> "g_heap_stats", "ucHeap").

/** Levenshtein distance, stopping early once it exceeds `limit` (returns limit + 1 then). */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `max` names close to `wanted`, best first. */
export function closeMatches(wanted: string, names: Iterable<string>, max = 5): string[] {
  const w = wanted.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  const scored: Array<{ name: string; score: number }> = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name) || name === wanted || name === '') continue;
    seen.add(name);
    const n = name.toLowerCase();
    const d = editDistance(w, n, limit);
    if (d <= limit) scored.push({ name, score: d });
    else if (w.length >= 3 && (n.includes(w) || (n.length >= 3 && w.includes(n)))) {
      scored.push({ name, score: limit + 1 + Math.abs(n.length - w.length) / 100 });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}
