// Unit headers of .debug_info (DWARF 2-5) and .debug_types (DWARF 4 type units). Scanning headers is
// cheap (a few bytes per unit, then a jump by unit_length), so the directory of units is built eagerly
// while the DIEs inside stay untouched until asked for.

import { Cursor } from './cursor.js';
import { DW_UT } from './constants.js';
import type { AbbrevTable } from './abbrev.js';
import type { FormatOf } from './forms.js';
import { UnsupportedDwarfError } from '../../errors.js';

/** 0 = .debug_info, 1 = .debug_types. */
export type SectionId = 0 | 1;

export interface Unit extends FormatOf {
  sec: SectionId;
  /** Section offset of the header. */
  offset: number;
  /** One past the unit's last byte. */
  end: number;
  version: number;
  /** DW_UT_* (v5); for older versions compile (info) or type (.debug_types). */
  unitType: number;
  abbrevOffset: number;
  /** Section offset of the first (root) DIE. */
  dieStart: number;
  typeSignature?: bigint;
  /** Section offset of the type DIE of a type unit. */
  typeDie?: number;
  /** Filled in from the root DIE when the unit is first opened. */
  abbrevs?: AbbrevTable;
  strOffsetsBase?: number;
  addrBase?: number;
  /** The unit's language is C++ (names print without struct/enum keywords, like gdb). */
  cxx?: boolean;
  /** Key of (version, addrSize, offsetSize) for cached fixed abbreviation sizes. */
  fixedKey: number;
}

export function scanUnits(bytes: Uint8Array, le: boolean, sec: SectionId): Unit[] {
  const sectionName = sec === 0 ? '.debug_info' : '.debug_types';
  const c = new Cursor(bytes, le, sectionName);
  const units: Unit[] = [];
  while (c.pos < c.end) {
    const offset = c.pos;
    let length = c.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = c.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      c.fail(`reserved unit length 0x${length.toString(16)}`, offset);
    }
    const end = c.pos + length;
    if (end > c.end || length < 2) {
      // Padding at the end of a section (some linkers align with zeros) is not a unit.
      if (length === 0) break;
      c.fail(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
    }
    const uc = c.at(c.pos, end);
    const version = uc.u16();
    if (version < 2 || version > 5) {
      throw new UnsupportedDwarfError(
        `unsupported DWARF version ${version} in the unit at ${sectionName}+0x${offset.toString(16)} (heapscope reads DWARF 2-5)`,
      );
    }
    let unitType: number = sec === 1 ? DW_UT.type : DW_UT.compile;
    let addrSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      unitType = uc.u8();
      addrSize = uc.u8();
      abbrevOffset = uc.offset(offsetSize);
    } else {
      abbrevOffset = uc.offset(offsetSize);
      addrSize = uc.u8();
    }
    if (addrSize !== 1 && addrSize !== 2 && addrSize !== 4 && addrSize !== 8) {
      c.fail(`address size ${addrSize}`, offset);
    }
    const unit: Unit = {
      sec,
      sectionName,
      offset,
      end,
      version,
      unitType,
      addrSize,
      offsetSize,
      abbrevOffset,
      dieStart: 0,
      fixedKey: version * 100 + addrSize * 10 + offsetSize,
    };
    if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
      unit.typeSignature = uc.u64big();
      unit.typeDie = offset + uc.offset(offsetSize);
    } else if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) {
      uc.skip(8); // dwo_id
    } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial) {
      throw new UnsupportedDwarfError(
        `unsupported DWARF 5 unit type 0x${unitType.toString(16)} in the unit at ${sectionName}+0x${offset.toString(16)}`,
      );
    }
    unit.dieStart = uc.pos;
    units.push(unit);
    c.pos = end;
  }
  return units;
}

/** The unit containing section offset `off` (binary search over sorted units). */
export function unitContaining(units: readonly Unit[], off: number): Unit | undefined {
  let lo = 0;
  let hi = units.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const u = units[mid];
    if (off < u.offset) hi = mid - 1;
    else if (off >= u.end) lo = mid + 1;
    else return u;
  }
  return undefined;
}
