// Type names spelled the way gdb's `whatis` prints them ("volatile uint32_t", "struct pool_stats *",
// "int [4][8]", "void (*)(int)", "char * const"), plus the size/qualifier helpers decoders need.
// The name is built like a C declarator: a base ("const char") and, around an empty declarator, the
// pointer/array/function parts, parenthesised where C precedence needs it.

import type { TypeInfo } from './model.js';

const QUAL_ORDER = ['const', 'volatile', 'restrict', 'atomic'] as const;
const QUAL_WORD: Record<string, string> = { const: 'const', volatile: 'volatile', restrict: 'restrict', atomic: '_Atomic' };

export function typeName(t: TypeInfo): string {
  return declare(t, '', 0);
}

function declare(t: TypeInfo, inner: string, depth: number): string {
  if (depth > 64) return '...';
  // Collect a run of qualifiers, then see what they qualify.
  const quals = new Set<string>();
  while (t.kind === 'qualified') {
    quals.add(t.qualifier);
    t = t.target;
  }
  const qualText = QUAL_ORDER.filter((q) => quals.has(q))
    .map((q) => QUAL_WORD[q])
    .join(' ');
  switch (t.kind) {
    case 'pointer': {
      const star = t.flavor === 'pointer' ? '*' : t.flavor === 'reference' ? '&' : '&&';
      // Qualifiers on the pointer itself follow the star: "char * const".
      // gdb writes no space between a pointer's qualifier and an array suffix: "void (* const[4])(void)".
      const sep = qualText && inner && !inner.startsWith('[') && !inner.startsWith('(') ? ' ' : '';
      const d = star + (qualText ? ' ' + qualText : '') + sep + inner;
      return declare(t.target, d, depth + 1);
    }
    case 'array': {
      const wrapped = needsParens(inner) ? `(${inner})` : inner;
      const dims = t.dims.map((d) => (d === null ? '[]' : `[${d}]`)).join('');
      const el = qualText ? qualifyInner(t.element, quals) : t.element;
      return declare(el, wrapped + dims, depth + 1);
    }
    case 'function': {
      const wrapped = needsParens(inner) ? `(${inner})` : inner;
      return declare(t.returnType ?? { kind: 'void' }, wrapped + '(' + paramList(t) + ')', depth + 1);
    }
    default: {
      const base = baseName(t);
      const head = qualText ? `${qualText} ${base}` : base;
      return inner ? `${head} ${inner}` : head;
    }
  }
}

/** C has no qualified arrays: a qualifier on an array qualifies its elements (gdb prints "const int [4]"). */
function qualifyInner(el: TypeInfo, quals: Set<string>): TypeInfo {
  let t = el;
  for (const q of [...QUAL_ORDER].reverse()) {
    if (quals.has(q)) t = { kind: 'qualified', qualifier: q, target: t };
  }
  return t;
}

function needsParens(inner: string): boolean {
  return inner.startsWith('*') || inner.startsWith('&');
}

function paramList(t: Extract<TypeInfo, { kind: 'function' }>): string {
  const params = t.params ?? [];
  const parts = params.map((p) => typeName(p));
  // gdb shows `...` only after a parameter: a C++ `int (...)` (the vtable slot type) prints `int (void)`.
  if (t.variadic && parts.length > 0) parts.push('...');
  if (parts.length === 0) return t.prototyped === false ? '' : 'void';
  return parts.join(', ');
}

/** gcc names integer types "short int", "long unsigned int"; gdb prints them the short way. */
const GDB_BASE_NAMES: Record<string, string> = {
  'short int': 'short',
  'short unsigned int': 'unsigned short',
  'long int': 'long',
  'long unsigned int': 'unsigned long',
  'long long int': 'long long',
  'long long unsigned int': 'unsigned long long',
};

function baseName(t: TypeInfo): string {
  switch (t.kind) {
    case 'base':
      return GDB_BASE_NAMES[t.name] ?? t.name;
    case 'typedef':
      return t.name;
    case 'void':
      return 'void';
    case 'struct':
    case 'union':
    case 'class': {
      if (t.cplusplus && t.name) return t.name;
      return `${t.kind} ${t.name ?? '{...}'}`;
    }
    case 'enum':
      if (t.cplusplus && t.name) return t.name;
      return `enum ${t.name ?? '{...}'}`;
    case 'unknown':
      return t.tag;
    default:
      return '?';
  }
}

/** Size in bytes, looking through typedefs and qualifiers; null when unknown (void, function,
 * incomplete struct, flexible array). */
export function byteSizeOf(t: TypeInfo): number | null {
  for (let i = 0; i < 64; i++) {
    switch (t.kind) {
      case 'typedef':
      case 'qualified':
        t = t.target;
        continue;
      case 'base':
      case 'pointer':
      case 'enum':
        return t.byteSize;
      case 'struct':
      case 'union':
      case 'class':
      case 'array':
      case 'unknown':
        return t.byteSize;
      default:
        return null;
    }
  }
  return null;
}

/** Drops typedefs and cv/restrict/atomic qualifiers: the type a decoder works on. */
export function stripQualifiers(t: TypeInfo): TypeInfo {
  for (let i = 0; i < 64 && (t.kind === 'typedef' || t.kind === 'qualified'); i++) t = t.target;
  return t;
}

/** True when any qualifier on the way to the underlying type is `volatile`. */
export function isVolatile(t: TypeInfo): boolean {
  for (let i = 0; i < 64 && (t.kind === 'typedef' || t.kind === 'qualified'); i++) {
    if (t.kind === 'qualified' && t.qualifier === 'volatile') return true;
    t = t.target;
  }
  return false;
}
