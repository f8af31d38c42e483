// Debugging information entries, read lazily: a Die is (unit, offset, abbreviation); attribute values
// are decoded only when asked for, and a DIE's extent is found by abbreviation-driven skipping (a single
// add when every form in the abbreviation has a fixed size).

import { DwarfError } from '../../errors.js';
import type { Abbrev } from './abbrev.js';
import { DW_AT, DW_FORM as F, formName } from './constants.js';
import type { Cursor } from './cursor.js';
import { formSize, skipForm, unsupportedForm } from './forms.js';
import type { DwarfContext } from './context.js';
import type { SectionId, Unit } from './unit.js';

export interface DieRef {
  sec: SectionId;
  off: number;
}

/** Skips the attribute values of one DIE whose abbreviation is `ab`. */
export function skipAttrs(c: Cursor, ab: Abbrev, u: Unit): void {
  if (ab.fixedKey !== u.fixedKey) {
    let size = 0;
    for (let i = 0; i < ab.forms.length; i++) {
      const s = formSize(ab.forms[i], u);
      if (s < 0) {
        size = -1;
        break;
      }
      size += s;
    }
    ab.fixedSize = size;
    ab.fixedKey = u.fixedKey;
  }
  if (ab.fixedSize! >= 0) {
    c.skip(ab.fixedSize!);
    return;
  }
  const forms = ab.forms;
  for (let i = 0; i < forms.length; i++) skipForm(c, forms[i], u);
}

/** Moves `c` (at the attribute values of a DIE with abbreviation `ab`) to the DIE's next sibling,
 * jumping by DW_AT_sibling when present and sane, else skipping attributes and the whole subtree. */
export function skipToSibling(c: Cursor, ab: Abbrev, u: Unit, skipChildren: (u: Unit, off: number) => number): void {
  if (!ab.hasChildren) {
    skipAttrs(c, ab, u);
    return;
  }
  const si = ab.siblingIndex;
  if (si >= 0) {
    const start = c.pos;
    const forms = ab.forms;
    for (let i = 0; i < si; i++) skipForm(c, forms[i], u);
    let target = -1;
    switch (forms[si]) {
      case F.ref4:
        target = u.offset + c.u32();
        break;
      case F.ref2:
        target = u.offset + c.u16();
        break;
      case F.ref1:
        target = u.offset + c.u8();
        break;
      case F.ref8:
        target = u.offset + c.u64();
        break;
      case F.ref_udata:
        target = u.offset + c.uleb();
        break;
    }
    if (target > start && target <= u.end) {
      c.pos = target;
      return;
    }
    c.pos = start;
  }
  skipAttrs(c, ab, u);
  c.pos = skipChildren(u, c.pos);
}

export class Die {
  private pos: Int32Array | undefined;
  private endOff = -1;

  constructor(
    readonly ctx: DwarfContext,
    readonly unit: Unit,
    /** Section offset of the DIE (its abbreviation code). */
    readonly offset: number,
    readonly abbrev: Abbrev,
    /** Section offset of the first attribute value. */
    readonly attrStart: number,
  ) {}

  get tag(): number {
    return this.abbrev.tag;
  }
  get hasChildren(): boolean {
    return this.abbrev.hasChildren;
  }
  get ref(): DieRef {
    return { sec: this.unit.sec, off: this.offset };
  }

  /** Section offset just past this DIE's attributes (where its first child or next sibling starts). */
  end(): number {
    if (this.endOff < 0) {
      const c = this.ctx.scratch(this.unit, this.attrStart);
      skipAttrs(c, this.abbrev, this.unit);
      this.endOff = c.pos;
    }
    return this.endOff;
  }

  private positions(): Int32Array {
    if (this.pos) return this.pos;
    const forms = this.abbrev.forms;
    const pos = new Int32Array(forms.length);
    const c = this.ctx.scratch(this.unit, this.attrStart);
    for (let i = 0; i < forms.length; i++) {
      pos[i] = c.pos;
      skipForm(c, forms[i], this.unit);
    }
    this.endOff = c.pos;
    this.pos = pos;
    return pos;
  }

  has(at: number): boolean {
    return this.abbrev.attrs.indexOf(at) >= 0;
  }

  private lastIndex = -1;

  /** Positions the context's scratch cursor at the value of `at` and returns its (indirect-resolved)
   * form, or -1 when absent. The scratch cursor avoids an allocation per attribute read; callers read
   * the value immediately, before anything else can move it. */
  private seek(at: number): number {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return -1;
    const p = this.positions()[i];
    const c = this.ctx.scratch(this.unit, p);
    let form = this.abbrev.forms[i];
    while (form === F.indirect) form = c.uleb();
    this.lastIndex = i;
    return form;
  }

  /** Scratch cursor + form for `at`; undefined if absent. */
  private value(at: number): { c: Cursor; form: number; index: number } | undefined {
    const form = this.seek(at);
    if (form < 0) return undefined;
    return { c: this.ctx.sc, form, index: this.lastIndex };
  }

  formOf(at: number): number | undefined {
    const f = this.seek(at);
    return f < 0 ? undefined : f;
  }

  /** A constant/flag/offset attribute as a number (sdata and implicit_const keep their sign). */
  uint(at: number): number | undefined {
    const form = this.seek(at);
    if (form < 0) return undefined;
    const c = this.ctx.sc;
    switch (form) {
      case F.data1:
      case F.flag:
      case F.ref1:
        return c.u8();
      case F.data2:
      case F.ref2:
        return c.u16();
      case F.data4:
      case F.ref4:
        return c.u32();
      case F.data8:
      case F.ref8:
        return c.u64();
      case F.udata:
      case F.ref_udata:
        return c.uleb();
      case F.sdata:
        return c.sleb();
      case F.implicit_const:
        return this.abbrev.implicit![this.lastIndex]!;
      case F.flag_present:
        return 1;
      case F.sec_offset:
      case F.ref_addr:
      case F.strp:
      case F.line_strp:
        return c.offset(this.unit.offsetSize);
      case F.addr:
        return c.uN(this.unit.addrSize);
      case F.data16:
        return undefined;
      default:
        return undefined;
    }
  }

  /** A constant as a bigint with its signedness as encoded: 'signed' for sdata/implicit_const, else
   * 'unsigned' plus the byte width so the caller can sign-extend when the type says so. */
  constant(at: number): { value: bigint; signed: boolean; width: number } | undefined {
    const v = this.value(at);
    if (!v) return undefined;
    const { c, form } = v;
    switch (form) {
      case F.data1:
        return { value: BigInt(c.u8()), signed: false, width: 1 };
      case F.data2:
        return { value: BigInt(c.u16()), signed: false, width: 2 };
      case F.data4:
        return { value: BigInt(c.u32()), signed: false, width: 4 };
      case F.data8:
        return { value: c.u64big(), signed: false, width: 8 };
      case F.data16: {
        const first = c.u64big();
        const second = c.u64big();
        return { value: c.le ? (second << 64n) | first : (first << 64n) | second, signed: false, width: 16 };
      }
      case F.udata:
        return { value: c.ulebBig(), signed: false, width: 8 };
      case F.sdata:
        return { value: c.slebBig(), signed: true, width: 8 };
      case F.implicit_const:
        return { value: BigInt(this.abbrev.implicit![v.index]!), signed: true, width: 8 };
      default:
        return undefined;
    }
  }

  flag(at: number): boolean {
    const n = this.uint(at);
    return n !== undefined && n !== 0;
  }

  str(at: number): string | undefined {
    const form = this.seek(at);
    if (form < 0) return undefined;
    const c = this.ctx.sc;
    const u = this.unit;
    switch (form) {
      case F.string:
        return this.ctx.inlineString(c);
      case F.strp:
        return this.ctx.str.get(c.offset(u.offsetSize));
      case F.line_strp:
        return this.ctx.lineStr.get(c.offset(u.offsetSize));
      case F.strx:
      case F.GNU_str_index:
        return this.ctx.strIndex(u, c.uleb());
      case F.strx1:
        return this.ctx.strIndex(u, c.u8());
      case F.strx2:
        return this.ctx.strIndex(u, c.u16());
      case F.strx3:
        return this.ctx.strIndex(u, c.u24());
      case F.strx4:
        return this.ctx.strIndex(u, c.u32());
      case F.GNU_strp_alt:
      case F.strp_sup:
        throw unsupportedForm(form, u, 'its strings live in a supplementary (dwz) debug file; rebuild without dwz');
      default:
        throw new DwarfError(
          `corrupt DWARF: attribute 0x${at.toString(16)} of the DIE at 0x${this.offset.toString(16)} has non-string form ${formName(form)}`,
        );
    }
  }

  /** A reference to another DIE, resolved to a section offset (ref_sig8 through the type-unit index). */
  refOf(at: number): DieRef | undefined {
    const form = this.seek(at);
    if (form < 0) return undefined;
    const c = this.ctx.sc;
    const u = this.unit;
    let rel: number;
    switch (form) {
      case F.ref1:
        rel = c.u8();
        break;
      case F.ref2:
        rel = c.u16();
        break;
      case F.ref4:
        rel = c.u32();
        break;
      case F.ref8:
        rel = c.u64();
        break;
      case F.ref_udata:
        rel = c.uleb();
        break;
      case F.ref_addr: {
        // Always an offset in .debug_info, even from a .debug_types unit.
        const off = u.version <= 2 ? c.uN(u.addrSize) : c.offset(u.offsetSize);
        return { sec: 0, off };
      }
      case F.ref_sig8:
        return this.ctx.typeBySignature(c.u64big(), this);
      case F.GNU_ref_alt:
      case F.ref_sup4:
      case F.ref_sup8:
        throw unsupportedForm(form, u, 'it refers into a supplementary (dwz) debug file; rebuild without dwz');
      default:
        throw new DwarfError(
          `corrupt DWARF: attribute 0x${at.toString(16)} of the DIE at 0x${this.offset.toString(16)} has non-reference form ${formName(form)}`,
        );
    }
    return { sec: u.sec, off: u.offset + rel };
  }

  /** Block / exprloc bytes (a view, no copy); undefined if absent or not a block form. */
  block(at: number): Uint8Array | undefined {
    const v = this.value(at);
    if (!v) return undefined;
    const { c, form } = v;
    switch (form) {
      case F.block1:
        return c.subarray(c.u8());
      case F.block2:
        return c.subarray(c.u16());
      case F.block4:
        return c.subarray(c.u32());
      case F.block:
      case F.exprloc:
        return c.subarray(c.uleb());
      default:
        return undefined;
    }
  }

  /** Section offset of the next sibling DIE (skipping this DIE's subtree). */
  nextSibling(): number {
    if (this.abbrev.hasChildren) {
      if (this.abbrev.siblingIndex >= 0) {
        const s = this.refOf(DW_AT.sibling);
        if (s && s.sec === this.unit.sec && s.off > this.offset && s.off <= this.unit.end) return s.off;
      }
      return this.ctx.skipChildren(this.unit, this.end());
    }
    return this.end();
  }

  /** Direct children, lazily. */
  *children(): Generator<Die> {
    if (!this.abbrev.hasChildren) return;
    let off = this.end();
    for (;;) {
      const child = this.ctx.dieAt(this.unit, off);
      if (!child) return;
      yield child;
      off = child.nextSibling();
    }
  }
}

export function assertDie(d: Die | null, where: string): Die {
  if (!d) throw new DwarfError(`corrupt DWARF: expected a DIE at ${where}, found a null entry`);
  return d;
}
