// Attribute forms: how many bytes each takes (to skip values nobody asked for) and which forms we
// refuse by name. Sizes depend on the unit: address size, 32/64-bit offsets, and DWARF 2's ref_addr.

import { UnsupportedDwarfError } from '../../errors.js';
import type { Cursor } from './cursor.js';
import { DW_FORM as F, formName } from './constants.js';

export interface FormatOf {
  version: number;
  addrSize: number;
  offsetSize: number;
  /** Section offset of the unit header, for messages. */
  offset: number;
  sectionName: string;
}

/** Byte size of a fixed-size form; -1 when its size is encoded in the data (LEB128, blocks, strings). */
export function formSize(form: number, u: FormatOf): number {
  switch (form) {
    case F.flag_present:
    case F.implicit_const:
      return 0;
    case F.data1:
    case F.ref1:
    case F.flag:
    case F.strx1:
    case F.addrx1:
      return 1;
    case F.data2:
    case F.ref2:
    case F.strx2:
    case F.addrx2:
      return 2;
    case F.strx3:
    case F.addrx3:
      return 3;
    case F.data4:
    case F.ref4:
    case F.ref_sup4:
    case F.strx4:
    case F.addrx4:
      return 4;
    case F.data8:
    case F.ref8:
    case F.ref_sig8:
    case F.ref_sup8:
      return 8;
    case F.data16:
      return 16;
    case F.addr:
      return u.addrSize;
    case F.ref_addr:
      return u.version <= 2 ? u.addrSize : u.offsetSize;
    case F.strp:
    case F.line_strp:
    case F.sec_offset:
    case F.strp_sup:
    case F.GNU_ref_alt:
    case F.GNU_strp_alt:
      return u.offsetSize;
    case F.block1:
    case F.block2:
    case F.block4:
    case F.block:
    case F.exprloc:
    case F.string:
    case F.sdata:
    case F.udata:
    case F.ref_udata:
    case F.strx:
    case F.addrx:
    case F.loclistx:
    case F.rnglistx:
    case F.indirect:
    case F.GNU_addr_index:
    case F.GNU_str_index:
      return -1;
    default:
      throw unsupportedForm(form, u);
  }
}

export function unsupportedForm(form: number, u: FormatOf, why = 'is not a form heapscope knows'): UnsupportedDwarfError {
  return new UnsupportedDwarfError(
    `unsupported DWARF form ${formName(form)} (0x${form.toString(16)}) in the unit at ${u.sectionName}+0x${u.offset.toString(16)}: ${why}`,
  );
}

/** Advances past one attribute value of `form`. */
export function skipForm(c: Cursor, form: number, u: FormatOf): void {
  switch (form) {
    case F.block1:
      c.skip(c.u8());
      return;
    case F.block2:
      c.skip(c.u16());
      return;
    case F.block4:
      c.skip(c.u32());
      return;
    case F.block:
    case F.exprloc:
      c.skip(c.uleb());
      return;
    case F.string:
      c.skipCString();
      return;
    case F.sdata:
    case F.udata:
    case F.ref_udata:
    case F.strx:
    case F.addrx:
    case F.loclistx:
    case F.rnglistx:
    case F.GNU_addr_index:
    case F.GNU_str_index:
      c.skipLeb();
      return;
    case F.indirect: {
      const actual = c.uleb();
      if (actual === F.indirect) c.fail('DW_FORM_indirect pointing at DW_FORM_indirect');
      skipForm(c, actual, u);
      return;
    }
    default:
      c.skip(formSize(form, u));
  }
}
