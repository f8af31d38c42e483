// Layout facts from DWARF for the profiles: where a variable lives, a member's offset and size. Every
// offset a profile uses comes from here, so 16/32/64-bit builds and config options change nothing.
import { byteSizeOf, stripQualifiers } from '../elf/dwarf/index.js';
import type { AggregateType, Member, TypeInfo, VariableInfo } from '../elf/dwarf/model.js';
import type { HeapContext } from './types.js';

/** A variable with a static address: the global if there is one, else the only file/function static. */
export function findStatic(ctx: HeapContext, name: string, functionName?: string): VariableInfo | null {
  const found = ctx.debug
    .findVariables(name)
    .filter((v) => v.address !== null && (functionName === undefined || v.functionName === functionName));
  return found.find((v) => v.scope === 'global') ?? (found.length === 1 ? found[0]! : null);
}

/** Address from the symbol table (no DWARF needed), for symbols like `end` or linker-defined bounds. */
export function symbolAddress(ctx: HeapContext, name: string): number | null {
  const s = ctx.symbols.get(name);
  return s ? s.value : null;
}

/** What a pointer type points at (through typedefs and qualifiers); other types unchanged. */
export function pointee(t: TypeInfo): TypeInfo {
  const u = stripQualifiers(t);
  return u.kind === 'pointer' ? u.target : u;
}

/** The struct/union behind typedefs, qualifiers (and one pointer level when `deref`). */
export function aggregateOf(t: TypeInfo, deref = false): AggregateType | null {
  let u = stripQualifiers(t);
  if (deref && u.kind === 'pointer') u = stripQualifiers(u.target);
  return u.kind === 'struct' || u.kind === 'union' || u.kind === 'class' ? u : null;
}

/** A member by path ("u.next" through unions), with the offset from the start of the outer aggregate. */
export function memberAt(t: TypeInfo, path: string): { offset: number; size: number; member: Member } | null {
  let agg = aggregateOf(t);
  let offset = 0;
  let found: Member | null = null;
  for (const part of path.split('.')) {
    if (!agg) return null;
    const m = findMember(agg, part);
    if (!m) return null;
    offset += m.member.offset + m.extra;
    found = m.member;
    agg = aggregateOf(m.member.type);
  }
  if (!found) return null;
  const size = byteSizeOf(found.type);
  return size === null ? null : { offset, size, member: found };
}

/** Finds a member by name, looking into anonymous struct/union members (offset added in `extra`). */
function findMember(agg: AggregateType, name: string): { member: Member; extra: number } | null {
  for (const m of agg.members) {
    if (m.name === name) return { member: m, extra: 0 };
    if (m.name === null) {
      const inner = aggregateOf(m.type);
      const hit = inner ? findMember(inner, name) : null;
      if (hit) return { member: hit.member, extra: m.offset + hit.extra };
    }
  }
  return null;
}

/** Short spelling of a variable's struct for "why" lines: "struct heap_stats". */
export function describeType(t: TypeInfo): string {
  const agg = aggregateOf(t) ?? aggregateOf(t, true);
  if (agg) return `${agg.kind} ${agg.name ?? '<anonymous>'}`;
  return stripQualifiers(t).kind;
}

export function sizeOfType(t: TypeInfo): number | null {
  return byteSizeOf(t);
}

/** Pointer size of the target, from a pointer type when we have one, else from the ELF class. */
export function pointerSize(ctx: HeapContext, t?: TypeInfo): number {
  const u = t ? stripQualifiers(t) : null;
  if (u && u.kind === 'pointer') return u.byteSize;
  return ctx.elf.is64 ? 8 : 4;
}

/** The bytes of `var.member.path` as a block to read, or null when the layout lacks it. */
export function memberBlock(ctx: HeapContext, varName: string, path?: string): { address: number; length: number } | null {
  const v = findStatic(ctx, varName);
  if (!v || v.address === null) return null;
  if (!path) {
    const size = byteSizeOf(v.type);
    return size === null ? null : { address: v.address, length: size };
  }
  const m = memberAt(v.type, path);
  return m ? { address: v.address + m.offset, length: m.size } : null;
}
