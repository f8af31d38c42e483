// Small helpers over the DWARF type model that the resolver and decoders need. They only walk
// typedef/qualifier chains (never pointers), so cyclic types are safe.
import type { TypeInfo } from '../elf/dwarf/model.js';

/** Drop typedefs and cv-qualifiers: the type that decides how bytes are decoded. */
export function peel(t: TypeInfo): TypeInfo {
  let cur = t;
  // A malformed chain could loop; 64 levels is far beyond any real typedef chain.
  for (let i = 0; i < 64 && (cur.kind === 'typedef' || cur.kind === 'qualified'); i++) cur = cur.target;
  return cur;
}

/** Byte size through typedefs and qualifiers; null when unknown (incomplete, flexible, void). */
export function sizeOf(t: TypeInfo): number | null {
  const p = peel(t);
  switch (p.kind) {
    case 'base':
    case 'enum':
    case 'pointer':
      return p.byteSize;
    case 'struct':
    case 'union':
    case 'class':
    case 'array':
    case 'unknown':
      return p.byteSize;
    default:
      return null;
  }
}

/** True when a `volatile` qualifier sits anywhere on the typedef/qualifier chain of `t`. */
export function isVolatile(t: TypeInfo): boolean {
  let cur = t;
  for (let i = 0; i < 64; i++) {
    if (cur.kind === 'qualified') {
      if (cur.qualifier === 'volatile') return true;
      cur = cur.target;
    } else if (cur.kind === 'typedef') {
      cur = cur.target;
    } else {
      return false;
    }
  }
  return false;
}

/** Arrays of these decode as one string. A plain `char` (any signedness spelled out) is text; a
 * typedef such as uint8_t/int8_t on the way says "small numbers", so those stay numeric even
 * though DWARF encodes them as unsigned_char too. */
export function isTextChar(t: TypeInfo): boolean {
  let cur = t;
  for (let i = 0; i < 64; i++) {
    if (cur.kind === 'qualified') cur = cur.target;
    else if (cur.kind === 'typedef') {
      if (!/char/i.test(cur.name)) return false;
      cur = cur.target;
    } else break;
  }
  return (
    cur.kind === 'base' &&
    cur.byteSize === 1 &&
    (cur.encoding === 'signed-char' || cur.encoding === 'unsigned-char' || cur.encoding === 'utf')
  );
}
