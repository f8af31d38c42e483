// The file-name table of a .debug_line program header (DWARF 2-5): what DW_AT_decl_file indexes.
// Only the header is read; the line-number program itself is never decoded.

import { Cursor } from './cursor.js';
import { DW_FORM as F } from './constants.js';
import type { StringSection } from './strings.js';

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

export interface LineFiles {
  /** File name for a DW_AT_decl_file value, directory-joined as gdb shows it; null when unknown. */
  name(index: number): string | null;
}

export function readLineFiles(
  line: Uint8Array,
  le: boolean,
  offset: number,
  str: StringSection,
  lineStr: StringSection,
): LineFiles {
  const c = new Cursor(line, le, '.debug_line', offset);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  }
  const end = c.pos + length;
  if (end > line.byteLength) c.fail('line table runs past the end of .debug_line', offset);
  c.end = end;
  const version = c.u16();
  if (version >= 5) c.skip(2); // address_size, segment_selector_size
  c.offset(offsetSize); // header_length
  c.skip(version >= 4 ? 5 : 4); // min_inst_length, [max_ops_per_inst], default_is_stmt, line_base, line_range
  const opcodeBase = c.u8();
  c.skip(Math.max(0, opcodeBase - 1));

  const dirs: string[] = [];
  const files: { path: string; dir: number }[] = [];
  if (version >= 5) {
    const readEntries = (): { path: string; dir: number }[] => {
      const formatCount = c.u8();
      const formats: [number, number][] = [];
      for (let i = 0; i < formatCount; i++) formats.push([c.uleb(), c.uleb()]);
      const count = c.uleb();
      const out: { path: string; dir: number }[] = [];
      for (let i = 0; i < count; i++) {
        let path = '';
        let dir = 0;
        for (const [type, form] of formats) {
          const v = readValue(c, form, offsetSize, str, lineStr);
          if (type === DW_LNCT_path && typeof v === 'string') path = v;
          else if (type === DW_LNCT_directory_index && typeof v === 'number') dir = v;
        }
        out.push({ path, dir });
      }
      return out;
    };
    for (const d of readEntries()) dirs.push(d.path);
    files.push(...readEntries());
  } else {
    dirs.push(''); // index 0: the compilation directory
    for (;;) {
      const start = c.skipCString();
      if (start === c.pos - 1) break;
      dirs.push(cstr(line, start));
    }
    files.push({ path: '', dir: 0 }); // DWARF 2-4 file indices start at 1
    for (;;) {
      const start = c.skipCString();
      if (start === c.pos - 1) break;
      const dir = c.uleb();
      c.skipLeb(); // mtime
      c.skipLeb(); // length
      files.push({ path: cstr(line, start), dir });
    }
  }
  const cache = new Map<number, string | null>();
  return {
    name(index: number): string | null {
      if (cache.has(index)) return cache.get(index)!;
      const f = files[index];
      let name: string | null = null;
      if (f && f.path) {
        // Directory 0 is the compilation directory: names relative to it print as recorded.
        const dir = f.dir > 0 ? (dirs[f.dir] ?? '') : '';
        name = f.path.startsWith('/') || !dir ? f.path : `${dir.replace(/\/$/, '')}/${f.path}`;
      }
      cache.set(index, name);
      return name;
    },
  };
}

function cstr(b: Uint8Array, start: number): string {
  let end = start;
  while (b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(start, end));
}

function readValue(c: Cursor, form: number, offsetSize: number, str: StringSection, lineStr: StringSection): string | number | undefined {
  switch (form) {
    case F.string: {
      const start = c.skipCString();
      return cstr(c.bytes, start);
    }
    case F.line_strp:
      return lineStr.get(c.offset(offsetSize));
    case F.strp:
      return str.get(c.offset(offsetSize));
    case F.udata:
      return c.uleb();
    case F.data1:
      return c.u8();
    case F.data2:
      return c.u16();
    case F.data4:
      return c.u32();
    case F.data8:
      return c.u64();
    case F.data16:
      c.skip(16);
      return undefined;
    case F.block:
      c.skip(c.uleb());
      return undefined;
    default:
      // strx forms would need the CU's str_offsets_base; no producer uses them here.
      return c.fail(`line table entry form 0x${form.toString(16)}`);
  }
}
