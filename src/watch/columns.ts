// Scalar leaves of a watch: one CSV column / chart signal each. A struct watch expands to one column
// per scalar member (`g_stats.used`), an array of scalars to `arr[0]`.., a char array stays one
// string column. Expansion stops at a cap so that watching a 64 KiB heap array cannot produce
// 65,536 columns by accident.
import type { TypeInfo } from '../elf/dwarf/model.js';
import { bitfieldReader, scalarReader, stringReader, visibleMembers } from './decode.js';
import type { ScalarReader, ScalarValue } from './decode.js';
import type { WatchColumn } from './types.js';
import { isTextChar, peel, sizeOf } from './type-walk.js';

export const MAX_COLUMNS = 256;

interface Leaf {
  name: string;
  offset: number;
  read: ScalarReader;
  bits?: number;
}

/**
 * Columns of a value of `type` named `expr`, whose first byte is at offset 0 of the watch bytes.
 * `bit` describes the watch itself when it is a bitfield.
 */
export function buildColumns(
  expr: string,
  type: TypeInfo,
  le: boolean,
  bit?: { bitOffset: number; bitSize: number },
  max = MAX_COLUMNS,
): WatchColumn[] {
  const leaves: Leaf[] = [];
  if (bit) {
    leaves.push({ name: expr, offset: 0, read: bitfieldReader(type, bit, le), bits: bit.bitSize });
  } else {
    // `*p.x` would parse as *(p.x): a dereference prefix needs parentheses before a suffix.
    const prefix = expr.trimStart().startsWith('*') ? `(${expr})` : expr;
    collect(expr, prefix, type, 0, le, leaves, max, 0);
  }
  return leaves.map(({ name, offset, read, bits }) => ({
    name,
    decode: (bytes: Uint8Array): ScalarValue => read(bytes, offset),
    ...(bits ? { bits } : {}),
  }));
}

function collect(
  name: string,
  prefix: string,
  type: TypeInfo,
  offset: number,
  le: boolean,
  out: Leaf[],
  max: number,
  depth: number,
): void {
  if (out.length >= max || depth > 32) return;
  const scalar = scalarReader(type, le);
  if (scalar) {
    const size = sizeOf(type);
    out.push({ name, offset, read: scalar, ...(size ? { bits: size * 8 } : {}) });
    return;
  }
  const t = peel(type);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    for (const m of visibleMembers(t.members)) {
      if (out.length >= max) return;
      const memberName = `${prefix}.${m.name}`;
      if (m.bitSize !== undefined) {
        out.push({
          name: memberName,
          offset: offset + m.offset,
          read: bitfieldReader(m.type, { bitOffset: m.bitOffset ?? 0, bitSize: m.bitSize }, le),
          bits: m.bitSize,
        });
      } else {
        collect(memberName, memberName, m.type, offset + m.offset, le, out, max, depth + 1);
      }
    }
    return;
  }
  if (t.kind === 'array') collectArray(name, prefix, t.element, t.dims, offset, le, out, max, depth);
}

function collectArray(
  name: string,
  prefix: string,
  element: TypeInfo,
  dims: readonly (number | null)[],
  offset: number,
  le: boolean,
  out: Leaf[],
  max: number,
  depth: number,
): void {
  const n = dims[0];
  if (n === null || n === undefined) return; // flexible array member: no bytes of its own
  if (dims.length === 1 && isTextChar(element)) {
    out.push({ name, offset, read: stringReader(n) });
    return;
  }
  const elemSize = sizeOf(element) ?? 0;
  let stride = elemSize;
  for (let i = 1; i < dims.length; i++) stride *= dims[i] ?? 0;
  for (let i = 0; i < n && out.length < max; i++) {
    const sub = `${prefix}[${i}]`;
    if (dims.length > 1) collectArray(sub, sub, element, dims.slice(1), offset + i * stride, le, out, max, depth + 1);
    else collect(sub, sub, element, offset + i * stride, le, out, max, depth + 1);
  }
}
