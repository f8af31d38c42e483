// Resolver: a parsed watch expression + the ELF's debug info -> a Watch (address, size, type, decoder).
// Static parts of an expression fold into one address at resolve time; each pointer dereference
// becomes a hop the sampler follows at read time (read the pointer, add the offset, read on).
import type { ArrayType, TypeInfo, VariableInfo } from '../elf/dwarf/model.js';
import type { ElfFile } from '../elf/elf.js';
import {
  AmbiguousSymbolError,
  ExpressionError,
  OptimizedOutError,
  UnknownSymbolError,
} from '../errors.js';
import { buildColumns } from './columns.js';
import { bitfieldReader, valueReader, visibleMembers } from './decode.js';
import type { ValueReader } from './decode.js';
import { formatWatchExpression, parseWatchExpression } from './expression.js';
import type { WatchExpr } from './expression.js';
import { typeName as spellType } from '../elf/dwarf/type-name.js';
import { closeMatches } from './suggest.js';
import { peel, sizeOf } from './type-walk.js';
import type { PointerHop, Watch, WatchColumn, WatchValue } from './types.js';

/** What the resolver needs from the DWARF layer (src/elf/dwarf/index.ts DebugInfo satisfies it). */
export interface WatchDebugInfo {
  variables(): readonly VariableInfo[];
  findVariables(name: string): VariableInfo[];
}

/** What the resolver needs from the ELF container. */
export type WatchElf = Pick<ElfFile, 'littleEndian' | 'symbols'> & { path?: string };

/** Where a (sub)expression lives while the resolver walks outward from the variable. */
interface Place {
  /** Address of the variable, or of the first pointer when there are hops. */
  base: number;
  hops: PointerHop[];
  /** Bytes from the current anchor (base, or the last hop's pointer value) to the value. */
  offset: number;
  type: TypeInfo;
  bit?: { bitOffset: number; bitSize: number };
  /** Source text of the expression so far, for messages. */
  text: string;
}

/** Resolve a watch expression against DWARF. Throws the typed errors of src/errors.ts. */
export function resolveWatch(debug: WatchDebugInfo, elf: WatchElf, expr: string): Watch {
  const tree = parseWatchExpression(expr);
  const variable = findVariable(debug, rootName(tree));
  const place = walk(tree, variable);
  return makeWatch(expr, place, elf.littleEndian);
}

function rootName(e: WatchExpr): NameNode {
  while (e.kind !== 'name') e = e.base;
  return e;
}

// ---------------------------------------------------------------- variable lookup

/** A compiler-recorded CU path matches a user's `file.c` by equality, basename or path suffix. */
export function fileMatches(recorded: string | null | undefined, wanted: string): boolean {
  if (!recorded) return false;
  const r = recorded.replace(/\\/g, '/');
  const w = wanted.replace(/\\/g, '/').replace(/^\.\//, '');
  return r === w || r.endsWith('/' + w);
}

function baseName(path: string): string {
  const p = path.replace(/\\/g, '/');
  return p.slice(p.lastIndexOf('/') + 1);
}

/** How a user would name this variable unambiguously: `heap.c::s_count`, `worker::count`,
 * `app::inner::g_counter` (C++ names are already qualified by their namespaces and classes). */
export function qualifiedName(v: VariableInfo, fileText = v.file ? baseName(v.file) : null): string {
  const parts: string[] = [];
  if (v.scope !== 'global' && fileText) parts.push(fileText);
  if (v.scope === 'function-static' && v.functionName) parts.push(v.functionName);
  return [...parts, v.name].join('::');
}

/** gdb's name for a C++ unnamed namespace (src/elf/dwarf/scope-names.ts). */
const ANONYMOUS = '(anonymous namespace)::';

/** Does `v` live in the file/function scope written as `scope` (outermost first)? A function scope may be
 * a qualified C++ function (`app::tick`, written `app::tick::x` or `'app::tick'::x`); a file scope may be
 * followed by a function scope (`'a.c'::worker::count`). */
function matchesScopes(v: VariableInfo, scope: readonly string[]): boolean {
  if (scope.length === 0) return true;
  const inFile = fileMatches(v.file, scope[0]!) || fileMatches(v.declFile, scope[0]!);
  if (v.scope === 'function-static') {
    const fn = v.functionName;
    return fn === scope.join('::') || (inFile && (scope.length === 1 || fn === scope.slice(1).join('::')));
  }
  return inFile && scope.length === 1;
}

// Name resolution, in this order (the first step that finds a variable wins):
//  1. The whole text is a variable's qualified name: `app::inner::g_counter`, `app::Base::s_instances`,
//     `app::Pool<64>::s_count`, `(anonymous namespace)::s_count`, a plain C name `g_heap` (a plain name
//     also finds a function-static of that name, as before C++).
//  2. Leading parts are a file and/or function scope, the rest the variable's (qualified) name, shortest
//     scope first: `'heap.c'::s_count`, `worker::count`, `'a.c'::worker::count`, `'pool.cpp'::drivers::g_counter`,
//     `app::tick::s_calls` (gdb needs quotes there: `'app::tick'::s_calls`; both work here). In a file
//     scope, a name also finds that file's unnamed-namespace variable (gdb: `'pool.cpp'::s_count`).
//  3. Nothing else. Like gdb with no frame, a short name never reaches into a namespace or class:
//     `g_counter` does not find `app::g_counter` (gdb: `No symbol "g_counter" in current context.`);
//     the error lists every qualified variable of that short name, so the user picks one.
// A leading `::` (`::g_plain`) allows step 1 only.
function candidates(debug: WatchDebugInfo, node: NameNode): VariableInfo[] {
  const parts = [...node.scopes, node.name];
  const lastScope = node.global ? 0 : parts.length - 1;
  for (let k = 0; k <= lastScope; k++) {
    const scope = parts.slice(0, k);
    const name = parts.slice(k).join('::');
    let named = debug.findVariables(name);
    if (k > 0) {
      named = named.filter((v) => matchesScopes(v, scope));
      if (named.length === 0 && k === 1) {
        named = debug.findVariables(ANONYMOUS + name).filter((v) => v.scope !== 'function-static' && matchesScopes(v, scope));
      }
    } else if (parts.length > 1) {
      named = named.filter((v) => v.scope !== 'function-static');
    }
    if (named.length > 0) return named;
  }
  return [];
}

type NameNode = Extract<WatchExpr, { kind: 'name' }>;

/** Qualified variables whose last component is `name`: `app::g_counter` for `g_counter`. */
function qualifiedOf(debug: WatchDebugInfo, name: string): string[] {
  const tail = '::' + name;
  const found = new Set<string>();
  for (const v of debug.variables()) if (v.name.endsWith(tail)) found.add(v.name);
  return [...found].sort();
}

function findVariable(debug: WatchDebugInfo, node: NameNode): VariableInfo {
  const shown = formatWatchExpression(node);
  const scoped = candidates(debug, node);
  if (scoped.length === 0) {
    const all = debug.findVariables(node.name);
    if (node.scopes.length > 0 && all.length > 0) {
      throw new UnknownSymbolError(
        shown,
        unambiguousNames(all),
        `'${node.name}' exists, but not in ${node.scopes.join('::')}`,
      );
    }
    const inScopes = qualifiedOf(debug, node.name);
    if (inScopes.length > 0 && !node.global) {
      // gdb does not look inside namespaces and classes for a short name: say where it is.
      throw new UnknownSymbolError(
        shown,
        inScopes.filter((n) => n !== shown).slice(0, 12),
        `no variable is named '${shown}' at file scope; C++ names need their namespace or class, as in gdb`,
      );
    }
    const names = new Set<string>();
    for (const v of debug.variables()) names.add(v.name);
    // A typo in a qualified name (`app::g_countr`) is compared whole; a plain one by its name.
    const whole = [...node.scopes, node.name].join('::');
    const close = [...new Set([...closeMatches(whole, names), ...closeMatches(node.name, names)])].slice(0, 5);
    throw new UnknownSymbolError(shown, close);
  }
  const live = dedupeByAddress(scoped.filter((v) => v.address !== null));
  if (live.length === 0) {
    throw new OptimizedOutError(
      `'${shown}' was optimized out: mark it volatile or build with -O0 for that file` +
        (scoped[0]!.file ? ` (${scoped[0]!.file})` : ''),
    );
  }
  if (live.length > 1) throw new AmbiguousSymbolError(shown, unambiguousNames(live));
  return live[0]!;
}

/** The same definition can appear in several units (COMDAT, LTO partitions): one per address. */
function dedupeByAddress(vs: VariableInfo[]): VariableInfo[] {
  const seen = new Set<number>();
  return vs.filter((v) => {
    if (seen.has(v.address!)) return false;
    seen.add(v.address!);
    return true;
  });
}

/** Shortest names that tell candidates apart: `worker::count`, then `app.c::worker::count`, then
 * the full recorded path when two files share a basename. */
function unambiguousNames(vs: readonly VariableInfo[]): string[] {
  const base = (v: VariableInfo) => (v.file ? baseName(v.file) : null);
  const join = (...parts: Array<string | null | undefined>) => parts.filter((x) => x).join('::');
  const fn = (v: VariableInfo) => (v.scope === 'function-static' ? v.functionName : null);
  const forms: Array<(v: VariableInfo) => string> = [
    (v) => (fn(v) ? join(fn(v), v.name) : join(base(v), v.name)),
    (v) => join(base(v), fn(v), v.name),
    (v) => join(v.file, fn(v), v.name),
  ];
  for (const form of forms) {
    const names = vs.map(form);
    if (new Set(names).size === names.length) return names;
  }
  return [...new Set(vs.map(forms[2]!))];
}

// ---------------------------------------------------------------- walking the expression

function walk(e: WatchExpr, v: VariableInfo): Place {
  switch (e.kind) {
    case 'name':
      return { base: v.address!, hops: [], offset: 0, type: v.type, text: formatWatchExpression(e) };
    case 'member': {
      let p = walk(e.base, v);
      // Like gdb, accept `p.x` on a pointer and `s->x` on a struct: the intent is unambiguous.
      if (peel(p.type).kind === 'pointer') p = deref(p);
      return member(p, e.member, e.arrow);
    }
    case 'index':
      return index(walk(e.base, v), e.index);
    case 'deref':
      return deref(walk(e.base, v));
  }
}

function member(p: Place, name: string, arrow: boolean): Place {
  const t = peel(p.type);
  const op = arrow ? '->' : '.';
  if (p.bit || (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'class')) {
    throw new ExpressionError(
      `'${p.text}' is not a struct or union (it is ${spellType(p.type)}): cannot apply '${op}${name}'`,
    );
  }
  if (t.declaration && t.members.length === 0) {
    throw new ExpressionError(
      `${spellType(p.type)} is only declared in the debug info, so '${p.text}${op}${name}' cannot be resolved: ` +
        'build the file that defines it with -g',
    );
  }
  const members = visibleMembers(t.members);
  // C++: a member of the class hides one of the same name in a base class (visibleMembers).
  const m = members.find((x) => x.name === name);
  if (!m) {
    const names = members.map((x) => x.name);
    const close = closeMatches(name, names, 3);
    throw new ExpressionError(
      `${spellType(p.type)} has no member '${name}'` +
        (close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : '') +
        (names.length ? `; members: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}` : ''),
    );
  }
  const next: Place = {
    ...p,
    hops: [...p.hops],
    offset: p.offset + m.offset,
    // gdb's whatis shows the member's declared type, without the qualifiers of the object.
    type: m.type,
    text: `${p.text}${op}${name}`,
  };
  if (m.bitSize !== undefined) next.bit = { bitOffset: m.bitOffset ?? 0, bitSize: m.bitSize };
  return next;
}

function index(p: Place, i: number): Place {
  const t = peel(p.type);
  const text = `${p.text}[${i}]`;
  if (t.kind === 'array' && !p.bit) {
    const n = t.dims[0];
    if (n !== null && n !== undefined && i >= n) {
      throw new ExpressionError(
        `index ${i} is out of bounds for '${p.text}' (${spellType(p.type)}: valid indexes 0..${n - 1})`,
      );
    }
    const elemType = subArray(t);
    const stride = sizeOf(elemType);
    if (stride === null) throw new ExpressionError(`elements of '${p.text}' have no known size`);
    return { ...p, hops: [...p.hops], offset: p.offset + i * stride, type: elemType, text };
  }
  if (t.kind === 'pointer' && !p.bit) {
    const d = deref(p);
    const stride = sizeOf(d.type);
    if (stride === null) throw new ExpressionError(`cannot index '${p.text}': it points to ${spellType(d.type)}, which has no size`);
    return { ...d, offset: d.offset + i * stride, text };
  }
  throw new ExpressionError(`'${p.text}' is not an array or pointer (it is ${spellType(p.type)}): cannot index it`);
}

/** The type of `a[i]` for an array `a`: the element, or the array of the remaining dimensions. */
function subArray(t: ArrayType): TypeInfo {
  if (t.dims.length <= 1) return t.element;
  const dims = t.dims.slice(1);
  const elem = sizeOf(t.element);
  let byteSize: number | null = elem;
  for (const d of dims) byteSize = byteSize === null || d === null ? null : byteSize * d;
  return { kind: 'array', element: t.element, dims, byteSize };
}

function deref(p: Place): Place {
  const t = peel(p.type);
  const text = `*${p.text}`;
  if (t.kind === 'array' && !p.bit) {
    // C: *arr is arr[0].
    return { ...index(p, 0), text };
  }
  if (t.kind !== 'pointer' || p.bit) {
    throw new ExpressionError(`cannot dereference '${p.text}': it is not a pointer (it is ${spellType(p.type)})`);
  }
  const target = peel(t.target);
  if (target.kind === 'void') {
    throw new ExpressionError(
      `cannot dereference '${p.text}': it is ${spellType(p.type)}, which points to no type; ` +
        'watch a typed pointer or the object itself',
    );
  }
  if (target.kind === 'function') {
    throw new ExpressionError(`cannot dereference '${p.text}': it is a function pointer`);
  }
  const hops = p.hops.map((h) => ({ ...h }));
  let base = p.base;
  if (hops.length === 0) base += p.offset;
  else hops[hops.length - 1]!.offset = p.offset;
  hops.push({ pointerSize: t.byteSize, offset: 0 });
  return { base, hops, offset: 0, type: t.target, text };
}

// ---------------------------------------------------------------- the Watch

function sizeError(expr: string, t: TypeInfo): ExpressionError {
  const p = peel(t);
  if (p.kind === 'array') {
    return new ExpressionError(
      `'${expr}' is an array of unknown size (${spellType(t)}): watch elements, e.g. '${expr}[0]'`,
    );
  }
  if (p.kind === 'void') return new ExpressionError(`'${expr}' has type void: nothing to read`);
  if (p.kind === 'struct' || p.kind === 'union' || p.kind === 'class') {
    return new ExpressionError(
      `'${expr}' has incomplete type ${spellType(t)} (declared only): build the file that defines it with -g`,
    );
  }
  return new ExpressionError(`'${expr}' has type ${spellType(t)} with no size to read`);
}

function makeWatch(expr: string, place: Place, le: boolean): Watch {
  const hops = place.hops.map((h) => ({ ...h }));
  let address = place.base;
  if (hops.length === 0) address += place.offset;
  else hops[hops.length - 1]!.offset = place.offset;
  const bit = place.bit;
  const byteSize = bit ? Math.ceil((bit.bitOffset + bit.bitSize) / 8) : sizeOf(place.type);
  if (byteSize === null || (byteSize === 0 && !bit && peel(place.type).kind !== 'struct')) {
    throw sizeError(expr, place.type);
  }
  return buildWatch({
    expr,
    address,
    hops,
    byteSize,
    type: place.type,
    typeName: spellType(place.type),
    bit,
    littleEndian: le,
    read: bit ? bitfieldReader(place.type, bit, le) : valueReader(place.type, le),
  });
}

/** Assemble a Watch from its parts (shared by the DWARF and the raw resolvers). */
export function buildWatch(parts: {
  expr: string;
  address: number;
  hops: PointerHop[];
  byteSize: number;
  type: TypeInfo;
  typeName: string;
  bit?: { bitOffset: number; bitSize: number };
  littleEndian: boolean;
  read: ValueReader;
}): Watch {
  const { read, byteSize, bit } = parts;
  let cols: readonly WatchColumn[] | null = null;
  const watch: Watch = {
    expr: parts.expr,
    address: parts.address,
    hops: parts.hops,
    byteSize,
    type: parts.type,
    typeName: parts.typeName,
    ...(bit ? { bitOffset: bit.bitOffset, bitSize: bit.bitSize } : {}),
    littleEndian: parts.littleEndian,
    decode(bytes: Uint8Array): WatchValue {
      if (bytes.length < byteSize) {
        throw new RangeError(`watch '${parts.expr}' needs ${byteSize} bytes to decode, got ${bytes.length}`);
      }
      return read(bytes, 0);
    },
    columns(): readonly WatchColumn[] {
      cols ??= buildColumns(parts.expr, parts.type, parts.littleEndian, bit);
      return cols;
    },
  };
  return watch;
}
