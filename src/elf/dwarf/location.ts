// The two DWARF expressions heapscope evaluates statically. Anything else (registers, frame base,
// location lists, TLS, DW_OP_stack_value, pieces) means "no static address": reported as optimized
// out / not static, never guessed.

import { Cursor } from './cursor.js';
import { DW_OP } from './constants.js';
import type { DwarfContext } from './context.js';
import type { Unit } from './unit.js';

/** Address of a variable whose location is DW_OP_addr / DW_OP_addrx / DW_OP_GNU_addr_index, optionally
 * followed by a constant offset (DW_OP_plus_uconst, or DW_OP_constu N DW_OP_plus); else null. */
export function staticAddress(expr: Uint8Array, unit: Unit, ctx: DwarfContext): number | null {
  if (expr.byteLength === 0) return null;
  const c = new Cursor(expr, ctx.le, 'DW_AT_location');
  let addr: number;
  const op = c.u8();
  if (op === DW_OP.addr) {
    if (c.remaining < unit.addrSize) return null;
    addr = c.uN(unit.addrSize);
  } else if (op === DW_OP.addrx || op === DW_OP.GNU_addr_index) {
    addr = ctx.addrIndex(unit, c.uleb());
  } else {
    return null;
  }
  const extra = constantTail(c);
  return extra === null ? null : addr + extra;
}

/** Byte offset of a struct member whose DW_AT_data_member_location is an expression (DWARF 2/3 style
 * DW_OP_plus_uconst N); null when it is not a constant offset. */
export function memberOffsetFromExpr(expr: Uint8Array, le: boolean): number | null {
  const c = new Cursor(expr, le, 'DW_AT_data_member_location');
  return constantTail(c);
}

/** Sum of a run of constant additions to the top of stack; null on any other operation. */
function constantTail(c: Cursor): number | null {
  let sum = 0;
  try {
    while (c.remaining > 0) {
      const op = c.u8();
      if (op === DW_OP.plus_uconst) {
        sum += c.uleb();
      } else if (op === DW_OP.constu && c.remaining > 0) {
        const v = c.uleb();
        if (c.remaining < 1 || c.u8() !== DW_OP.plus) return null;
        sum += v;
      } else if (op >= 0x30 && op <= 0x4f && c.remaining > 0) {
        // DW_OP_litN DW_OP_plus
        if (c.u8() !== DW_OP.plus) return null;
        sum += op - 0x30;
      } else {
        return null;
      }
    }
  } catch {
    return null; // a truncated expression is not a location we can trust
  }
  return sum;
}
