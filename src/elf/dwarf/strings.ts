// String sections: .debug_str (DW_FORM_strp), .debug_line_str (DW_FORM_line_strp), and the index table
// .debug_str_offsets (DW_FORM_strx*, relative to the unit's DW_AT_str_offsets_base). Strings repeat a
// lot (type and member names), so decoded strings are cached by offset.

import { DwarfError } from '../../errors.js';

export class StringSection {
  private readonly cache = new Map<number, string>();
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array | undefined,
  ) {}

  get(offset: number): string {
    const hit = this.cache.get(offset);
    if (hit !== undefined) return hit;
    const b = this.bytes;
    if (!b) throw new DwarfError(`corrupt DWARF: a string refers to ${this.name}, which this ELF does not have`);
    if (offset >= b.byteLength) {
      throw new DwarfError(`corrupt DWARF: string offset 0x${offset.toString(16)} is outside ${this.name}`);
    }
    const s = decodeCString(b, offset);
    this.cache.set(offset, s);
    return s;
  }
}

const utf8 = new TextDecoder('utf-8');

/** NUL-terminated string; an ASCII fast path avoids TextDecoder for the common short names. */
export function decodeCString(b: Uint8Array, offset: number): string {
  let end = offset;
  let ascii = true;
  const n = b.byteLength;
  while (end < n && b[end] !== 0) {
    if (b[end] >= 0x80) ascii = false;
    end++;
  }
  if (!ascii) return utf8.decode(b.subarray(offset, end));
  if (end - offset < 64) {
    let s = '';
    for (let i = offset; i < end; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  return utf8.decode(b.subarray(offset, end));
}

/** Offset into .debug_str for string index `index` of a unit whose table starts at `base`. */
export function strOffsetAt(
  table: Uint8Array | undefined,
  view: DataView | undefined,
  le: boolean,
  base: number,
  index: number,
  offsetSize: number,
): number {
  if (!table || !view) {
    throw new DwarfError('corrupt DWARF: a DW_FORM_strx string needs .debug_str_offsets, which this ELF does not have');
  }
  const at = base + index * offsetSize;
  if (at + offsetSize > table.byteLength) {
    throw new DwarfError(`corrupt DWARF: string index ${index} is outside .debug_str_offsets`);
  }
  return offsetSize === 8 ? Number(view.getBigUint64(at, le)) : view.getUint32(at, le);
}
