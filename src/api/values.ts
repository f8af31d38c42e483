// Raw bytes per watch -> the values object scripts get from read() and sample(): keyed by expression,
// decoded by the watch (numbers, bigint for 64-bit, objects for structs, arrays); an empty result is a
// null pointer on the way (`p->x` with p == 0), given as null as `heapscope read --json` does.
import type { Watch, WatchValue } from '../watch/types.js';

export function decodeAll(watches: readonly Watch[], bytes: readonly Uint8Array[]): Record<string, WatchValue> {
  const values: Record<string, WatchValue> = {};
  watches.forEach((w, i) => {
    const b = bytes[i]!;
    values[w.expr] = b.length === 0 ? null : w.decode(b);
  });
  return values;
}
