// Everything the DWARF readers share for one ELF: the section bytes, the unit directory, parsed
// abbreviation tables, string tables and the type-signature index. Built once by loadDebugInfo.

import type { ElfFile } from '../elf.js';
import { DwarfError, NoDebugInfoError } from '../../errors.js';
import { parseAbbrevTable, type AbbrevTable } from './abbrev.js';
import { DW_AT, DW_UT } from './constants.js';
import { Cursor } from './cursor.js';
import { Die, skipAttrs, type DieRef } from './die.js';
import { decodeCString, StringSection, strOffsetAt } from './strings.js';
import { scanUnits, unitContaining, type SectionId, type Unit } from './unit.js';

export class DwarfContext {
  readonly le: boolean;
  readonly str: StringSection;
  readonly lineStr: StringSection;
  readonly units: Unit[];
  private readonly sections: [Uint8Array, Uint8Array | undefined];
  private readonly cursors: [Cursor, Cursor | undefined];
  private readonly abbrevBytes: Uint8Array;
  private readonly abbrevTables = new Map<number, AbbrevTable>();
  private readonly strOffsets: Uint8Array | undefined;
  private readonly strOffsetsView: DataView | undefined;
  private readonly addr: Uint8Array | undefined;
  private readonly scratchCursors: [Cursor, Cursor | undefined];
  private typeUnitsCache: Unit[] | undefined;
  private sigIndex: Map<bigint, DieRef> | undefined;

  constructor(readonly elf: ElfFile) {
    this.le = elf.littleEndian;
    const info = elf.sectionData('.debug_info');
    if (!info || info.byteLength === 0) {
      throw new NoDebugInfoError(`no DWARF in ${elf.path}: rebuild with -g, or watch raw symbols with --raw`);
    }
    const abbrev = elf.sectionData('.debug_abbrev');
    if (!abbrev) throw new DwarfError(`corrupt DWARF in ${elf.path}: .debug_info without .debug_abbrev`);
    this.abbrevBytes = abbrev;
    const types = elf.sectionData('.debug_types');
    this.sections = [info, types];
    this.cursors = [
      new Cursor(info, this.le, '.debug_info'),
      types ? new Cursor(types, this.le, '.debug_types') : undefined,
    ];
    this.scratchCursors = [this.cursors[0].at(0), this.cursors[1]?.at(0)];
    this.str = new StringSection('.debug_str', elf.sectionData('.debug_str'));
    this.lineStr = new StringSection('.debug_line_str', elf.sectionData('.debug_line_str'));
    this.strOffsets = elf.sectionData('.debug_str_offsets');
    this.strOffsetsView = this.strOffsets
      ? new DataView(this.strOffsets.buffer, this.strOffsets.byteOffset, this.strOffsets.byteLength)
      : undefined;
    this.addr = elf.sectionData('.debug_addr');
    this.units = scanUnits(info, this.le, 0);
  }

  /** .debug_types units (DWARF 4 type units), scanned on first need. */
  typeUnits(): Unit[] {
    if (!this.typeUnitsCache) {
      const t = this.sections[1];
      this.typeUnitsCache = t ? scanUnits(t, this.le, 1) : [];
    }
    return this.typeUnitsCache;
  }

  /** The shared scratch cursor (see Die.seek); valid until the next scratch() call. */
  sc!: Cursor;

  scratch(u: Unit, pos: number): Cursor {
    const c = this.scratchCursors[u.sec]!;
    c.pos = pos;
    c.end = u.end;
    this.sc = c;
    return c;
  }

  cursor(u: Unit, pos: number): Cursor {
    return this.cursors[u.sec]!.at(pos, u.end);
  }

  unitAt(ref: DieRef): Unit {
    const u = unitContaining(ref.sec === 0 ? this.units : this.typeUnits(), ref.off);
    if (!u) {
      throw new DwarfError(
        `corrupt DWARF: reference to ${ref.sec === 0 ? '.debug_info' : '.debug_types'}+0x${ref.off.toString(16)} is outside every unit`,
      );
    }
    this.open(u);
    return u;
  }

  /** Parses the unit's abbreviations and the bases its root DIE declares (str_offsets, addr). */
  open(u: Unit): void {
    if (u.abbrevs) return;
    let table = this.abbrevTables.get(u.abbrevOffset);
    if (!table) {
      if (u.abbrevOffset >= this.abbrevBytes.byteLength) {
        throw new DwarfError(
          `corrupt DWARF: the unit at ${u.sectionName}+0x${u.offset.toString(16)} points outside .debug_abbrev`,
        );
      }
      table = parseAbbrevTable(new Cursor(this.abbrevBytes, this.le, '.debug_abbrev', u.abbrevOffset));
      this.abbrevTables.set(u.abbrevOffset, table);
    }
    u.abbrevs = table;
    const root = this.dieAt(u, u.dieStart);
    // Defaults when the attribute is absent: just past the section's 8/16-byte header.
    const headerSize = u.offsetSize === 8 ? 16 : 8;
    u.strOffsetsBase = root?.uint(DW_AT.str_offsets_base) ?? (u.version >= 5 ? headerSize : 0);
    const lang = root?.uint(DW_AT.language);
    u.cxx = lang === 0x04 || lang === 0x19 || lang === 0x1a || lang === 0x21;
    u.addrBase = root?.uint(DW_AT.addr_base) ?? root?.uint(DW_AT.GNU_addr_base) ?? (u.version >= 5 ? headerSize : 0);
  }

  /** The DIE at section offset `off` of unit `u`; null for a null entry (end of a child list). */
  dieAt(u: Unit, off: number): Die | null {
    if (!u.abbrevs) this.open(u);
    const c: Cursor = this.scratch(u, off);
    if (off < u.dieStart || off >= u.end) c.fail(`DIE offset outside its unit (0x${u.offset.toString(16)})`, off);
    const code = c.uleb();
    if (code === 0) return null;
    const ab = u.abbrevs!.get(code);
    if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, off);
    return new Die(this, u, off, ab, c.pos);
  }

  die(ref: DieRef): Die {
    const u = this.unitAt(ref);
    const d = this.dieAt(u, ref.off);
    if (!d) throw new DwarfError(`corrupt DWARF: reference to a null entry at 0x${ref.off.toString(16)}`);
    return d;
  }

  /** From the first child's offset, the offset just past the child list's terminating null entry. */
  skipChildren(u: Unit, off: number): number {
    const c: Cursor = this.cursor(u, off);
    const abbrevs = u.abbrevs!;
    let depth = 1;
    while (depth > 0) {
      const at = c.pos;
      const code = c.uleb();
      if (code === 0) {
        depth--;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, at);
      skipAttrs(c, ab, u);
      if (ab.hasChildren) depth++;
    }
    return c.pos;
  }

  inlineString(c: Cursor): string {
    const start = c.skipCString();
    return decodeCString(c.bytes, start);
  }

  strIndex(u: Unit, index: number): string {
    if (!u.abbrevs) this.open(u);
    const off = strOffsetAt(this.strOffsets, this.strOffsetsView, this.le, u.strOffsetsBase ?? 0, index, u.offsetSize);
    return this.str.get(off);
  }

  /** Entry `index` of .debug_addr for the unit (DW_FORM_addrx*, DW_OP_addrx, DW_OP_GNU_addr_index). */
  addrIndex(u: Unit, index: number): number {
    if (!u.abbrevs) this.open(u);
    const a = this.addr;
    if (!a) throw new DwarfError('corrupt DWARF: an indexed address needs .debug_addr, which this ELF does not have');
    const at = (u.addrBase ?? 0) + index * u.addrSize;
    if (at + u.addrSize > a.byteLength) {
      throw new DwarfError(`corrupt DWARF: address index ${index} is outside .debug_addr`);
    }
    return new Cursor(a, this.le, '.debug_addr', at).uN(u.addrSize);
  }

  /** Resolves DW_FORM_ref_sig8: the type DIE of the type unit with that signature. */
  typeBySignature(sig: bigint, from: Die): DieRef {
    if (!this.sigIndex) {
      this.sigIndex = new Map();
      for (const u of [...this.units, ...this.typeUnits()]) {
        if (u.typeSignature !== undefined && (u.unitType === DW_UT.type || u.sec === 1)) {
          this.sigIndex.set(u.typeSignature, { sec: u.sec, off: u.typeDie! });
        }
      }
    }
    const r = this.sigIndex.get(sig);
    if (!r) {
      throw new DwarfError(
        `DWARF type signature 0x${sig.toString(16)} (used at 0x${from.offset.toString(16)}) has no type unit in this ELF ` +
          `(split DWARF .dwo files are not supported)`,
      );
    }
    return r;
  }

  sectionOf(sec: SectionId): Uint8Array | undefined {
    return this.sections[sec];
  }
}
