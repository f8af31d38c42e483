// Which watched columns are the heap's used / free / largest-free bytes, by the shared naming rules
// (src/drift/roles.ts) unless the user names them.
import { heapRoleOf } from '../drift/roles.js';
import type { HeapRoles } from '../tui/live-source.js';

export function guessHeapRoles(columns: readonly string[], given: Partial<HeapRoles> = {}): HeapRoles {
  const first = (role: string): string | undefined => columns.find((c) => heapRoleOf(c) === role);
  const used = given.used ?? first('used');
  const free = given.free ?? first('free');
  const largest = given.largest ?? first('largest');
  return {
    ...(used ? { used } : {}),
    ...(free ? { free } : {}),
    ...(largest ? { largest } : {}),
    ...(given.capacityBytes !== undefined ? { capacityBytes: given.capacityBytes } : {}),
  };
}
