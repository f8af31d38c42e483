// Decoders: bytes of a watch to a JavaScript value. They run on every sample (100+ Hz, hundreds of
// watches), so all type walking happens once, when the decoder is built; a decode call is a chain of
// precomputed closures doing DataView reads at fixed offsets.
//
// Value mapping (documented for every consumer of Watch.decode):
//   signed/unsigned integers of 1, 2, 4 bytes -> number; 8 bytes -> bigint; 16 bytes -> bigint
//   float/double (and _Float16) -> number; bool -> boolean; char / wchar -> number (its code)
//   char arrays (plain `char`, not uint8_t/int8_t) -> string up to the first NUL
//   enums -> the enumerator's name; a value with no enumerator -> number (bigint if it does not fit)
//   pointers -> number: the address they hold (not a hex string; format it when you print it)
//   structs/classes -> object keyed by member name (anonymous struct/union members are flattened
//   into it, as C lets you name them); unions -> object of every member; arrays -> arrays
//   bitfields -> number (bigint above 52 bits), sign-extended when the type is signed; an enum or
//   bool bitfield gives the name / boolean
//   anything without a decodable shape (unknown DWARF tags) -> lowercase hex of its bytes
import type { Member, TypeInfo } from '../elf/dwarf/model.js';
import { ExpressionError } from '../errors.js';
import type { WatchValue } from './types.js';
import { isTextChar, peel, sizeOf } from './type-walk.js';

/** Reads one value whose first byte is at `off` in `bytes`. */
export type ValueReader = (bytes: Uint8Array, off: number) => WatchValue;
export type ScalarValue = number | bigint | string | boolean | null;
export type ScalarReader = (bytes: Uint8Array, off: number) => ScalarValue;

export interface BitfieldSpec {
  /** Bit position from the first byte, DW_AT_data_bit_offset sense (LE: from its LSB, BE: from its MSB). */
  bitOffset: number;
  bitSize: number;
}

const utf8 = new TextDecoder('utf-8');

// Integers up to 32 bits are assembled with byte arithmetic: a DataView per sample costs ~10x the
// read itself. Floats and 64-bit values go through one shared 8-byte scratch DataView instead
// (JavaScript is single-threaded, so sharing it between decoders is safe).
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);
function toScratch(b: Uint8Array, o: number, n: number): DataView {
  for (let i = 0; i < n; i++) scratchBytes[i] = b[o + i]!;
  return scratch;
}

function hexReader(size: number): ScalarReader {
  return (b, o) => {
    let s = '';
    for (let i = 0; i < size; i++) s += b[o + i]!.toString(16).padStart(2, '0');
    return s;
  };
}

/** Unsigned/signed integer of 1..16 bytes. */
export function intReader(size: number, signed: boolean, le: boolean): ScalarReader {
  switch (size) {
    case 1:
      return signed ? (b, o) => (b[o]! << 24) >> 24 : (b, o) => b[o]!;
    case 2:
      if (le) return signed ? (b, o) => ((b[o]! | (b[o + 1]! << 8)) << 16) >> 16 : (b, o) => b[o]! | (b[o + 1]! << 8);
      return signed ? (b, o) => (((b[o]! << 8) | b[o + 1]!) << 16) >> 16 : (b, o) => (b[o]! << 8) | b[o + 1]!;
    case 4:
      if (le) {
        return signed
          ? (b, o) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
          : (b, o) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
      }
      return signed
        ? (b, o) => (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
        : (b, o) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    case 8:
      return signed
        ? (b, o) => toScratch(b, o, 8).getBigInt64(0, le)
        : (b, o) => toScratch(b, o, 8).getBigUint64(0, le);
    case 16:
      return (b, o) => {
        const lo = toScratch(b, o + (le ? 0 : 8), 8).getBigUint64(0, le);
        const hi = toScratch(b, o + (le ? 8 : 0), 8).getBigUint64(0, le);
        const u = (hi << 64n) | lo;
        return signed ? BigInt.asIntN(128, u) : u;
      };
    default:
      // Odd sizes (3-byte _BitInt etc.): assemble byte by byte; fits a double up to 6 bytes.
      if (size > 0 && size <= 6) {
        return (b, o) => {
          let v = 0;
          for (let i = 0; i < size; i++) v = v * 256 + b[o + (le ? size - 1 - i : i)]!;
          if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
          return v;
        };
      }
      return hexReader(size);
  }
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function floatReader(size: number, le: boolean): ScalarReader {
  if (size === 4) return (b, o) => toScratch(b, o, 4).getFloat32(0, le);
  if (size === 8) return (b, o) => toScratch(b, o, 8).getFloat64(0, le);
  if (size === 2) {
    const raw = intReader(2, false, le);
    return (b, o) => float16(raw(b, o) as number);
  }
  return hexReader(size); // long double on hosts that have one: not on Cortex-M
}

function enumMapper(t: Extract<TypeInfo, { kind: 'enum' }>): (v: number | bigint) => ScalarValue {
  const byNumber = new Map<number, string>();
  const byBig = new Map<bigint, string>();
  for (const e of t.enumerators) {
    // Enumerators from a signed enum are stored as bigint; keep the first name for duplicated values.
    if (!byBig.has(e.value)) byBig.set(e.value, e.name);
    const n = Number(e.value);
    if (Number.isSafeInteger(n) && !byNumber.has(n)) byNumber.set(n, e.name);
  }
  return (v) => {
    if (typeof v === 'number') return byNumber.get(v) ?? v;
    const name = byBig.get(v);
    if (name !== undefined) return name;
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  };
}

/** Decoder of a scalar (non-aggregate) type; null when the type is an aggregate or array. */
export function scalarReader(type: TypeInfo, le: boolean): ScalarReader | null {
  const t = peel(type);
  switch (t.kind) {
    case 'base': {
      const size = t.byteSize;
      switch (t.encoding) {
        case 'signed':
        case 'signed-char':
          return intReader(size, true, le);
        case 'unsigned':
        case 'unsigned-char':
        case 'utf':
          return intReader(size, false, le);
        case 'float':
          return floatReader(size, le);
        case 'bool': {
          const raw = intReader(size, false, le);
          return (b, o) => {
            const v = raw(b, o);
            return v !== 0 && v !== 0n;
          };
        }
        default:
          return size <= 8 ? intReader(size, false, le) : hexReader(size);
      }
    }
    case 'enum': {
      const raw = intReader(t.byteSize, t.signed, le);
      const map = enumMapper(t);
      return (b, o) => map(raw(b, o) as number | bigint);
    }
    case 'pointer': {
      if (t.byteSize === 8) {
        return (b, o) => {
          const v = toScratch(b, o, 8).getBigUint64(0, le);
          return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        };
      }
      return intReader(t.byteSize, false, le);
    }
    case 'unknown':
      return t.byteSize ? hexReader(t.byteSize) : () => null;
    case 'void':
    case 'function':
      return () => null;
    default:
      return null;
  }
}

/** A bitfield reader: extracts `bitSize` bits and interprets them as `type` (int, enum, bool). */
export function bitfieldReader(type: TypeInfo, spec: BitfieldSpec, le: boolean): ScalarReader {
  const t = peel(type);
  const signed =
    (t.kind === 'base' && (t.encoding === 'signed' || t.encoding === 'signed-char')) ||
    (t.kind === 'enum' && t.signed);
  const { bitOffset, bitSize } = spec;
  const span = Math.ceil((bitOffset + bitSize) / 8);
  // Distance of the field's least significant bit from the LSB of the span read as one integer.
  const shift = le ? bitOffset : span * 8 - bitOffset - bitSize;
  let raw: (b: Uint8Array, o: number) => number | bigint;
  if (span <= 6) {
    const div = 2 ** shift;
    const mod = 2 ** bitSize;
    const half = 2 ** (bitSize - 1);
    raw = (b, o) => {
      let v = 0;
      if (le) for (let i = span - 1; i >= 0; i--) v = v * 256 + b[o + i]!;
      else for (let i = 0; i < span; i++) v = v * 256 + b[o + i]!;
      v = Math.floor(v / div) % mod;
      return signed && v >= half ? v - mod : v;
    };
  } else {
    const bShift = BigInt(shift);
    raw = (b, o) => {
      let v = 0n;
      if (le) for (let i = span - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
      else for (let i = 0; i < span; i++) v = (v << 8n) | BigInt(b[o + i]!);
      v = signed ? BigInt.asIntN(bitSize, v >> bShift) : BigInt.asUintN(bitSize, v >> bShift);
      return bitSize <= 52 ? Number(v) : v;
    };
  }
  if (t.kind === 'enum') {
    const map = enumMapper(t);
    return (b, o) => map(raw(b, o));
  }
  if (t.kind === 'base' && t.encoding === 'bool') return (b, o) => raw(b, o) !== 0;
  return raw;
}

/** A member as the decoder sees it: anonymous aggregates flattened into their parent. */
export interface FlatMember {
  name: string;
  type: TypeInfo;
  offset: number;
  bitOffset?: number;
  bitSize?: number;
  /** How many C++ base classes deep the member comes from (absent: the class's own). A name in the
   * class hides the same name in a base, as in C++ and gdb: lookups prefer the smallest depth. */
  inherited?: number;
}

/** Named members of an aggregate, with anonymous struct/union members (C11) and C++ base classes
 * flattened, base members first (declaration order, as gdb prints them). */
export function flattenMembers(members: readonly Member[], base = 0, depth = 0, inherited = 0): FlatMember[] {
  const out: FlatMember[] = [];
  for (const m of members) {
    if (m.name === null) {
      const inner = peel(m.type);
      if ((inner.kind === 'struct' || inner.kind === 'union' || inner.kind === 'class') && depth < 16) {
        out.push(...flattenMembers(inner.members, base + m.offset, depth + 1, inherited + (m.baseClass ? 1 : 0)));
      }
      continue; // an unnamed bitfield is padding
    }
    const fm: FlatMember = { name: m.name, type: m.type, offset: base + m.offset };
    if (inherited > 0) fm.inherited = inherited;
    if (m.bitSize !== undefined) {
      fm.bitOffset = m.bitOffset ?? 0;
      fm.bitSize = m.bitSize;
    }
    out.push(fm);
  }
  return out;
}

/** flattenMembers without the base-class members a derived class hides (same name, deeper base): what
 * `obj.name`, decoded objects and columns show, as gdb does. */
export function visibleMembers(members: readonly Member[]): FlatMember[] {
  const flat = flattenMembers(members);
  if (!flat.some((f) => f.inherited)) return flat;
  const shallowest = new Map<string, number>();
  for (const f of flat) shallowest.set(f.name, Math.min(shallowest.get(f.name) ?? Infinity, f.inherited ?? 0));
  return flat.filter((f) => (f.inherited ?? 0) === shallowest.get(f.name));
}

/** Decoder of any type. Throws ExpressionError for a type that has no size to read. */
export function valueReader(type: TypeInfo, le: boolean, depth = 0): ValueReader {
  if (depth > 32) throw new ExpressionError('type nests too deeply to decode (more than 32 levels)');
  const scalar = scalarReader(type, le);
  if (scalar) return scalar;
  const t = peel(type);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    const fields = visibleMembers(t.members).map((m) => ({
      name: m.name,
      offset: m.offset,
      read:
        m.bitSize !== undefined
          ? bitfieldReader(m.type, { bitOffset: m.bitOffset ?? 0, bitSize: m.bitSize }, le)
          : valueReader(m.type, le, depth + 1),
    }));
    return objectReader(fields);
  }
  if (t.kind === 'array') return arrayReader(t.element, t.dims, le, depth);
  return () => null;
}

function arrayReader(element: TypeInfo, dims: readonly (number | null)[], le: boolean, depth: number): ValueReader {
  if (dims.length === 0) return valueReader(element, le, depth + 1);
  const n = dims[0];
  if (n === null || n === undefined) {
    // A flexible array member: the aggregate's size does not include it, so there is nothing to read.
    return dims.length === 1 && isTextChar(element) ? () => '' : () => [];
  }
  if (dims.length === 1 && isTextChar(element)) return stringReader(n);
  const elemSize = sizeOf(element);
  if (elemSize === null) throw new ExpressionError('array element has no known size');
  let stride = elemSize;
  for (let i = 1; i < dims.length; i++) stride *= dims[i] ?? 0;
  const inner = arrayReader(element, dims.slice(1), le, depth + 1);
  return (b, o) => {
    const a: WatchValue[] = new Array(n);
    for (let i = 0; i < n; i++) a[i] = inner(b, o + i * stride);
    return a;
  };
}

/** A char array: text up to the first NUL (or all of it), decoded as UTF-8. */
export function stringReader(length: number): ScalarReader {
  return (b, o) => {
    let end = o;
    const limit = o + length;
    while (end < limit && b[end] !== 0) end++;
    return utf8.decode(b.subarray(o, end));
  };
}

/**
 * Builds the object of a struct/union. A loop of `obj[name] = ...` stores is megamorphic and costs
 * ~0.5 us per 9-member struct; an object literal compiled once per type gives every decoded object
 * the same hidden class and is ~10x faster. Keys go in as JSON string literals and readers as
 * arguments, so no DWARF text is ever evaluated as code.
 */
function objectReader(fields: ReadonlyArray<{ name: string; offset: number; read: ValueReader }>): ValueReader {
  const literalSafe = fields.every((f) => f.name !== '__proto__') && new Set(fields.map((f) => f.name)).size === fields.length;
  if (literalSafe && fields.length <= 512) {
    const props = fields.map((f, i) => `${JSON.stringify(f.name)}: r[${i}](b, o + ${Number(f.offset)})`).join(', ');
    const make = new Function('r', `return function decodeStruct(b, o) { return { ${props} }; };`) as (
      r: ValueReader[],
    ) => ValueReader;
    return make(fields.map((f) => f.read));
  }
  return (b, o) => {
    // A null prototype makes `__proto__` an ordinary key, as a C member of that name must be.
    const obj = Object.create(null) as { [k: string]: WatchValue };
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      obj[f.name] = f.read(b, o + f.offset);
    }
    return obj;
  };
}
