// TypeInfo objects (model.ts) built from type DIEs on demand. Each DIE becomes one object, cached by
// offset; the links between types (pointer targets, typedef targets, members, array elements) are
// getters that build the next type only when someone follows them. So a self-referencing struct is
// just two objects pointing at each other, and types nobody looks at are never built.

import type {
  AggregateType,
  ArrayType,
  BaseEncoding,
  BaseType,
  EnumType,
  Enumerator,
  FunctionType,
  Member,
  PointerType,
  QualifiedType,
  TypeInfo,
  TypedefType,
  UnknownType,
} from './model.js';
import { DW_AT, DW_ATE, DW_TAG as T, DW_UT, tagName } from './constants.js';
import type { DwarfContext } from './context.js';
import { Die, skipToSibling, type DieRef } from './die.js';
import type { Cursor } from './cursor.js';
import type { Unit } from './unit.js';
import { memberOffsetFromExpr } from './location.js';
import { byteSizeOf } from './type-name.js';
import { ScopeNames } from './scope-names.js';

export const VOID: TypeInfo = Object.freeze({ kind: 'void' });

/** Replaces `obj[key]` by a getter that computes the value once, then stores it as a plain property. */
export function lazy<T extends object>(obj: T, key: string, compute: () => unknown): void {
  Object.defineProperty(obj, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value = compute();
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
  });
}

const ENCODINGS: Record<number, BaseEncoding> = {
  [DW_ATE.boolean]: 'bool',
  [DW_ATE.complex_float]: 'complex-float',
  [DW_ATE.float]: 'float',
  [DW_ATE.signed]: 'signed',
  [DW_ATE.signed_char]: 'signed-char',
  [DW_ATE.unsigned]: 'unsigned',
  [DW_ATE.unsigned_char]: 'unsigned-char',
  [DW_ATE.UTF]: 'utf',
  [DW_ATE.address]: 'unsigned',
};

const QUALIFIERS: Record<number, QualifiedType['qualifier']> = {
  [T.const_type]: 'const',
  [T.volatile_type]: 'volatile',
  [T.restrict_type]: 'restrict',
  [T.atomic_type]: 'atomic',
};

export class TypeBuilder {
  private readonly cache = new Map<number, TypeInfo>();
  /** C++ qualified names (`app::Stats`), shared with the variable scanner. */
  readonly scopes: ScopeNames;

  constructor(private readonly ctx: DwarfContext) {
    this.scopes = new ScopeNames(ctx);
  }

  /** A type's name as gdb prints it: qualified by its namespaces and classes in C++ (`app::Pool<64>`). */
  private nameOf(die: Die): string | undefined {
    return die.unit.cxx ? this.scopes.qualifiedName(die) : die.str(DW_AT.name);
  }

  /** The type a DIE's DW_AT_type names (void when absent). */
  typeOf(die: Die): TypeInfo {
    const ref = die.refOf(DW_AT.type);
    return ref ? this.at(ref) : VOID;
  }

  at(ref: DieRef): TypeInfo {
    const key = ref.sec * 2 ** 40 + ref.off;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const die = this.ctx.die(ref);
    // A declaration that names its definition by signature (clang type units): use the definition.
    if (die.has(DW_AT.signature)) {
      const def = die.refOf(DW_AT.signature)!;
      const t = this.at(def);
      this.cache.set(key, t);
      return t;
    }
    // An opaque declaration (`struct pool;` seen by this file) completed in another unit: like gdb,
    // hand out the definition so that p->field and sizeof work.
    const tag = die.tag;
    if (isAggregateTag(tag) && die.flag(DW_AT.declaration)) {
      const name = this.nameOf(die);
      const def = name ? this.definitionOf(tag, name) : undefined;
      if (def) {
        const t = this.at(def);
        this.cache.set(key, t);
        return t;
      }
    }
    const t = this.build(die);
    this.cache.set(key, t);
    return t;
  }

  private definitions: Map<string, DieRef | null> | undefined;

  /** The unique complete definition of a named struct/union/class/enum at unit scope (in C++: at
   * namespace scope, by qualified name), if any. Built on first need with one pass over the top-level DIEs
   * of every unit; two definitions of different sizes under one name (legal in C across files) make the
   * name ambiguous and leave the declaration alone. */
  private definitionOf(tag: number, name: string): DieRef | undefined {
    if (!this.definitions) {
      const defs = new Map<string, DieRef | null>();
      const sizes = new Map<string, number | undefined>();
      const skipChildren = (u: Unit, off: number) => this.ctx.skipChildren(u, off);
      const consider = (d: Die): void => {
        const t = d.tag;
        const n = d.flag(DW_AT.declaration) ? undefined : this.nameOf(d);
        if (!n) return;
        const k = `${t}:${n}`;
        const size = d.uint(DW_AT.byte_size);
        if (!defs.has(k)) {
          defs.set(k, d.ref);
          sizes.set(k, size);
        } else if (sizes.get(k) !== size) {
          defs.set(k, null);
        }
      };
      // Type units (.debug_types, DW_UT_type) hold definitions when built with -fdebug-types-section.
      for (const u of [...this.ctx.units, ...this.ctx.typeUnits()]) {
        if (u.typeDie === undefined) continue;
        const d = this.ctx.dieAt(u, u.typeDie);
        if (d && isAggregateTag(d.tag)) consider(d);
      }
      // Children of a unit or (C++) namespace; returns the offset past the list.
      const scan = (u: Unit, start: number, depth: number): number => {
        const c: Cursor = this.ctx.cursor(u, start);
        for (;;) {
          const off = c.pos;
          const code = c.uleb();
          if (code === 0) return c.pos;
          const ab = u.abbrevs!.get(code);
          if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, off);
          const t = ab.tag;
          if (isAggregateTag(t)) {
            const d = new Die(this.ctx, u, off, ab, c.pos);
            consider(d);
            c.pos = d.nextSibling();
          } else if (t === T.namespace && ab.hasChildren && depth < 64) {
            const d = new Die(this.ctx, u, off, ab, c.pos);
            c.pos = scan(u, d.end(), depth + 1);
          } else {
            skipToSibling(c, ab, u, skipChildren);
          }
        }
      };
      for (const u of this.ctx.units) {
        if (u.unitType !== DW_UT.compile && u.unitType !== DW_UT.partial) continue;
        const root = this.ctx.dieAt(u, u.dieStart);
        if (!root || !root.hasChildren) continue;
        scan(u, root.end(), 0);
      }
      this.definitions = defs;
    }
    return this.definitions.get(`${tag}:${name}`) ?? undefined;
  }

  private build(die: Die): TypeInfo {
    const tag = die.tag;
    switch (tag) {
      case T.base_type: {
        const t: BaseType = {
          kind: 'base',
          name: die.str(DW_AT.name) ?? '?',
          byteSize: die.uint(DW_AT.byte_size) ?? 0,
          encoding: ENCODINGS[die.uint(DW_AT.encoding) ?? -1] ?? 'other',
        };
        return t;
      }
      case T.typedef: {
        const t = { kind: 'typedef', name: this.nameOf(die) ?? '?' } as TypedefType;
        lazy(t, 'target', () => this.typeOf(die));
        return t;
      }
      case T.const_type:
      case T.volatile_type:
      case T.restrict_type:
      case T.atomic_type: {
        const t = { kind: 'qualified', qualifier: QUALIFIERS[tag] } as QualifiedType;
        lazy(t, 'target', () => this.typeOf(die));
        return t;
      }
      case T.pointer_type:
      case T.reference_type:
      case T.rvalue_reference_type: {
        const t = {
          kind: 'pointer',
          flavor: tag === T.pointer_type ? 'pointer' : tag === T.reference_type ? 'reference' : 'rvalue-reference',
          byteSize: die.uint(DW_AT.byte_size) ?? die.unit.addrSize,
        } as PointerType;
        lazy(t, 'target', () => this.typeOf(die));
        return t;
      }
      case T.structure_type:
      case T.class_type:
      case T.union_type:
        return this.aggregate(die);
      case T.array_type:
        return this.array(die);
      case T.enumeration_type:
        return this.enumeration(die);
      case T.subroutine_type:
        return this.func(die);
      default: {
        const t: UnknownType = { kind: 'unknown', tag: die.str(DW_AT.name) ?? tagName(tag), byteSize: die.uint(DW_AT.byte_size) ?? null };
        return t;
      }
    }
  }

  private aggregate(die: Die): AggregateType {
    const kind = die.tag === T.structure_type ? 'struct' : die.tag === T.union_type ? 'union' : 'class';
    const declaration = die.flag(DW_AT.declaration);
    const t = {
      kind,
      name: this.nameOf(die) ?? null,
      byteSize: declaration ? null : (die.uint(DW_AT.byte_size) ?? null),
      declaration,
    } as AggregateType;
    if (die.unit.cxx) t.cplusplus = true;
    lazy(t, 'members', () => this.members(die));
    return t;
  }

  private members(die: Die): Member[] {
    const out: Member[] = [];
    for (const child of die.children()) {
      const isInheritance = child.tag === T.inheritance; // a base class: an unnamed member, flattened like gdb
      if (child.tag !== T.member && !isInheritance) continue;
      // C++ static data members (DWARF <= 4) are declarations inside the class, not storage in it.
      if (child.tag === T.member && child.flag(DW_AT.declaration)) continue;
      const type = this.typeOf(child);
      const m: Member = { name: isInheritance ? null : (child.str(DW_AT.name) ?? null), type, offset: 0 };
      if (isInheritance) m.baseClass = true;
      const byteOffset = this.memberByteOffset(child);
      const bitSize = child.uint(DW_AT.bit_size);
      if (bitSize !== undefined) {
        let dataBitOffset: number;
        const dbo = child.uint(DW_AT.data_bit_offset);
        if (dbo !== undefined) {
          dataBitOffset = dbo + byteOffset * 8;
        } else {
          const bitOffset = signedConstant(child, DW_AT.bit_offset);
          if (bitOffset === undefined) {
            dataBitOffset = byteOffset * 8;
          } else if (!die.ctx.le) {
            // DWARF 2/3: bit_offset counts from the most significant bit of the storage unit, which on
            // big-endian is the first bit in memory: the same sense as data_bit_offset.
            dataBitOffset = byteOffset * 8 + bitOffset;
          } else {
            // Little-endian: the storage unit's MSB is its last bit in memory.
            const storage = child.uint(DW_AT.byte_size) ?? byteSizeOf(type) ?? 0;
            dataBitOffset = byteOffset * 8 + storage * 8 - bitOffset - bitSize;
          }
        }
        m.offset = Math.floor(dataBitOffset / 8);
        m.bitOffset = dataBitOffset - m.offset * 8;
        m.bitSize = bitSize;
      } else {
        m.offset = byteOffset;
      }
      out.push(m);
    }
    return out;
  }

  private memberByteOffset(child: Die): number {
    const block = child.block(DW_AT.data_member_location);
    if (block) return memberOffsetFromExpr(block, this.ctx.le) ?? 0;
    return child.uint(DW_AT.data_member_location) ?? 0;
  }

  private array(die: Die): ArrayType {
    const dims: (number | null)[] = [];
    for (const child of die.children()) {
      if (child.tag === T.subrange_type) {
        dims.push(subrangeCount(child));
      } else if (child.tag === T.enumeration_type) {
        dims.push([...child.children()].filter((c) => c.tag === T.enumerator).length);
      }
    }
    if (dims.length === 0) dims.push(null);
    const t = { kind: 'array', dims } as unknown as ArrayType;
    lazy(t, 'element', () => this.typeOf(die));
    const explicit = die.uint(DW_AT.byte_size);
    let computing = false;
    lazy(t, 'byteSize', () => {
      if (explicit !== undefined) return explicit;
      if (dims.some((d) => d === null)) return null;
      // Corrupt DWARF can make an array its own element: answer "unknown" instead of recursing forever.
      if (computing) return null;
      computing = true;
      try {
        const el = byteSizeOf(t.element);
        return el === null ? null : dims.reduce<number>((a, d) => a * d!, el);
      } finally {
        computing = false;
      }
    });
    return t;
  }

  private enumeration(die: Die): EnumType {
    const byteSize = die.uint(DW_AT.byte_size) ?? 4;
    const underlying = die.refOf(DW_AT.type);
    let signed: boolean | undefined;
    if (underlying) {
      const b = stripToBase(this.at(underlying));
      if (b) signed = b.encoding === 'signed' || b.encoding === 'signed-char';
    }
    const raw: { name: string; value: bigint; signedForm: boolean; width: number }[] = [];
    for (const child of die.children()) {
      if (child.tag !== T.enumerator) continue;
      const c = child.constant(DW_AT.const_value);
      raw.push({ name: child.str(DW_AT.name) ?? '?', value: c?.value ?? 0n, signedForm: c?.signed ?? false, width: c?.width ?? 8 });
    }
    // gdb's rule when the compiler names no underlying type: the enum is signed iff a value is negative.
    if (signed === undefined) signed = raw.some((r) => r.signedForm && r.value < 0n);
    const bits = BigInt(byteSize * 8);
    const enumerators: Enumerator[] = raw.map((r) => {
      let value = r.value;
      // dataN forms carry raw bits: in a signed enum, a value with the enum's sign bit set is negative.
      if (!r.signedForm && signed && r.width <= byteSize && value >= 1n << (bits - 1n) && value < 1n << bits) {
        value -= 1n << bits;
      }
      return { name: r.name, value };
    });
    const t: EnumType = { kind: 'enum', name: this.nameOf(die) ?? null, byteSize, signed, enumerators };
    if (die.unit.cxx) t.cplusplus = true;
    return t;
  }

  private func(die: Die): FunctionType {
    // C++ has no unprototyped functions (gdb treats every C++ function type as prototyped).
    const t = { kind: 'function', prototyped: die.flag(DW_AT.prototyped) || die.unit.cxx === true } as FunctionType;
    lazy(t, 'returnType', () => this.typeOf(die));
    const params: Die[] = [];
    let variadic = false;
    for (const child of die.children()) {
      if (child.tag === T.formal_parameter) params.push(child);
      else if (child.tag === T.unspecified_parameters) variadic = true;
    }
    t.variadic = variadic;
    lazy(t, 'params', () => params.map((p) => this.typeOf(p)));
    return t;
  }
}

function isAggregateTag(t: number): boolean {
  return t === T.structure_type || t === T.union_type || t === T.class_type || t === T.enumeration_type;
}

function subrangeCount(d: Die): number | null {
  const count = d.uint(DW_AT.count);
  if (count !== undefined && d.formOf(DW_AT.count) !== undefined && !isRefOrBlock(d, DW_AT.count)) return count;
  if (!d.has(DW_AT.upper_bound) || isRefOrBlock(d, DW_AT.upper_bound)) return null;
  let upper = d.uint(DW_AT.upper_bound);
  if (upper === undefined) return null;
  const form = d.formOf(DW_AT.upper_bound)!;
  // "No elements" (GNU zero-length arrays) is -1 in a 4- or 8-byte form; small forms are real bounds
  // (data1 255 is a 256-element array).
  if ((form === 0x06 && upper === 0xffffffff) || (form === 0x07 && upper >= 2 ** 53)) upper = -1;
  const lower = d.uint(DW_AT.lower_bound) ?? 0;
  return Math.max(0, upper - lower + 1);
}

/** A constant that the producer may write negative in a dataN form (gcc: DW_AT_bit_offset of a bitfield
 * straddling its storage unit in a packed struct): sign-extended from the form's width. */
function signedConstant(d: Die, at: number): number | undefined {
  const c = d.constant(at);
  if (!c) return undefined;
  let v = c.value;
  if (!c.signed && c.width < 16) {
    const bits = BigInt(c.width * 8);
    if (v >= 1n << (bits - 1n)) v -= 1n << bits;
  }
  return Number(v);
}

function isRefOrBlock(d: Die, at: number): boolean {
  const f = d.formOf(at);
  // ref1/2/4/8/udata, exprloc, block*: a runtime bound (VLA), not a constant.
  return f !== undefined && ((f >= 0x11 && f <= 0x15) || f === 0x18 || f === 0x09 || f === 0x0a || f === 0x03 || f === 0x04);
}

function stripToBase(t: TypeInfo): BaseType | null {
  for (let i = 0; i < 64; i++) {
    if (t.kind === 'base') return t;
    if (t.kind === 'typedef' || t.kind === 'qualified') t = t.target;
    else return null;
  }
  return null;
}
