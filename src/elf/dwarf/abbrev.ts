// .debug_abbrev: the attribute layout (tag, children flag, (attribute, form) pairs) that each DIE's
// abbreviation code points at. Tables are parsed once per offset and shared by every unit using them.

import { Cursor } from './cursor.js';
import { DW_FORM } from './constants.js';

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: Uint32Array;
  forms: Uint32Array;
  /** Values of DW_FORM_implicit_const attributes (index-aligned with attrs), else undefined. */
  implicit: (number | undefined)[] | null;
  /** Index of DW_AT_sibling in attrs, or -1. */
  siblingIndex: number;
  /** Byte size of all attribute values when every form has a fixed size for the unit's
   * (address size, offset size, version); -1 when some form is variable-length; undefined until computed.
   * Keyed by `fixedKey` so the same table used by units of different formats stays right. */
  fixedSize?: number;
  fixedKey?: number;
}

export interface AbbrevTable {
  /** Dense by code when codes are small (the usual 1..N), else sparse. */
  get(code: number): Abbrev | undefined;
}

class DenseTable implements AbbrevTable {
  constructor(private readonly byCode: (Abbrev | undefined)[]) {}
  get(code: number): Abbrev | undefined {
    return this.byCode[code];
  }
}
class SparseTable implements AbbrevTable {
  constructor(private readonly byCode: Map<number, Abbrev>) {}
  get(code: number): Abbrev | undefined {
    return this.byCode.get(code);
  }
}

export function parseAbbrevTable(c: Cursor): AbbrevTable {
  const list: Abbrev[] = [];
  let maxCode = 0;
  for (;;) {
    const code = c.uleb();
    if (code === 0) break;
    const tag = c.uleb();
    const hasChildren = c.u8() !== 0;
    const attrs: number[] = [];
    const forms: number[] = [];
    let implicit: (number | undefined)[] | null = null;
    for (;;) {
      const at = c.uleb();
      const form = c.uleb();
      if (at === 0 && form === 0) break;
      if (form === DW_FORM.implicit_const) {
        implicit ??= [];
        implicit[attrs.length] = c.sleb();
      }
      attrs.push(at);
      forms.push(form);
    }
    list.push({
      code,
      tag,
      hasChildren,
      attrs: Uint32Array.from(attrs),
      forms: Uint32Array.from(forms),
      implicit,
      siblingIndex: attrs.indexOf(0x01),
    });
    if (code > maxCode) maxCode = code;
  }
  if (maxCode <= list.length * 4 + 64) {
    const arr: (Abbrev | undefined)[] = new Array(maxCode + 1);
    for (const a of list) arr[a.code] = a;
    return new DenseTable(arr);
  }
  return new SparseTable(new Map(list.map((a) => [a.code, a])));
}
