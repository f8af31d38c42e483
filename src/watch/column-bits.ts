// Where each column's counter wraps around: the leak detector repairs wrap-around, and must know the
// width to do it right (a uint32_t heap counter "unwrapped" at 16 bits turns a 40 KiB free into a 64 KiB
// jump, and a jump up is what a leak looks like).
import type { Watch } from './types.js';

/** Bit widths of the watches' columns (DWARF sizes); `computed` columns (heap walks) never wrap (0). */
export function columnBitsOf(watches: readonly Watch[], computed: readonly string[] = []): Map<string, number> {
  const bits = new Map<string, number>();
  for (const w of watches) for (const c of w.columns()) if (c.bits) bits.set(c.name, c.bits);
  for (const c of computed) bits.set(c, 0);
  return bits;
}
