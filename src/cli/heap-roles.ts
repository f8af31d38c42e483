// Which watched columns are the heap's used / free / largest-free bytes, guessed from their names
// (g_heap.used, xFreeBytesRemaining, largest_free, ...) unless the user names them.
import type { HeapRoles } from '../tui/live-source.js';

const LAST = (name: string): string => name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf('>')) + 1);

export function guessHeapRoles(columns: readonly string[], given: Partial<HeapRoles> = {}): HeapRoles {
  const pick = (re: RegExp, not?: RegExp): string | undefined =>
    columns.find((c) => re.test(LAST(c)) && !(not && not.test(LAST(c))));
  return {
    used: given.used ?? pick(/^(used|allocated|used_bytes|bytes_used|uordblks|allocated_bytes|heap_used)$/i),
    free:
      given.free ??
      pick(/^(free|free_bytes|bytes_free|xFreeBytesRemaining|fordblks|free_size|available)$/i, /count|min|largest|ever/i),
    largest: given.largest ?? pick(/largest|max_free|maxfree/i),
    ...(given.capacityBytes !== undefined ? { capacityBytes: given.capacityBytes } : {}),
  };
}

/** The role of one column for recordings' metadata, by the same rules. */
export function heapRoleOf(column: string): 'used' | 'free' | 'largest' | undefined {
  const r = guessHeapRoles([column]);
  return r.used ? 'used' : r.free ? 'free' : r.largest ? 'largest' : undefined;
}
