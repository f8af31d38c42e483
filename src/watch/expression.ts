// Watch expression parser: the C-like subset a user types to name memory.
//   name   a.b.c   arr[3]   m[2][3]   *p   p->x   a.p->b[2]   (p)->x   (*p).x
//   'file.c'::name   file.c::name   dir/file.c::name   function::name   'file.c'::function::name
//   C++: ns::inner::name   ns::Class::s_member.field[2]   app::Pool<64>::s_count   ::name
//        (anonymous namespace)::name   'app::tick'::s_calls   'file.cpp'::ns::name
// `::` separates scopes of every kind; which parts are a file, a function or a namespace/class is
// decided by the resolver against the debug info (src/watch/resolve.ts), not here.
// The parser knows nothing about types; the resolver gives the tree its meaning. Errors point at a
// 1-based column so a user can see where a long expression went wrong.
import { ExpressionError } from '../errors.js';

export type WatchExpr =
  | {
      kind: 'name';
      name: string;
      /** Scope qualifiers before the name, outermost first: ['file.c'], ['main'], ['file.c', 'main'],
       * ['app', 'inner'], ['app', 'Pool<64>'], ['(anonymous namespace)']. */
      scopes: readonly string[];
      /** A leading `::` (C++ global scope): the name is a full qualified name, never a file/function scope. */
      global?: boolean;
      column: number;
    }
  | { kind: 'member'; base: WatchExpr; member: string; arrow: boolean; column: number }
  | { kind: 'index'; base: WatchExpr; index: number; column: number }
  | { kind: 'deref'; base: WatchExpr; column: number };

type Token =
  | { t: 'ident'; text: string; col: number }
  | { t: 'scope'; text: string; col: number } // "file.c" of `file.c::`, already unquoted
  | { t: 'int'; value: number; text: string; col: number }
  | { t: 'punct'; text: '.' | '->' | '[' | ']' | '*' | '(' | ')'; col: number }
  | { t: 'global'; col: number } // a leading `::`
  | { t: 'end'; col: number };

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
// An unquoted scope (file path or function name) directly followed by `::`. Paths may hold dots,
// slashes, dashes and pluses (`lib/heap-4.c::x`), which is why this is one token, not C tokens.
const UNQUOTED_SCOPE = /^[A-Za-z0-9_$./\\+-]+(?=::)/;
/** gdb's name for a C++ unnamed namespace, accepted unquoted as a scope. */
const ANONYMOUS_NAMESPACE = '(anonymous namespace)';

/** A C++ template-id scope (`Pool<64>::`, `Map<int, 4>::`) at `i`: its text with spaces as gcc writes them
 * in DW_AT_name (`Map<int, 4>`), and the index just past the `::`; null if there is none at `i`. */
function templateScope(src: string, i: number): { text: string; next: number } | null {
  const id = /^[A-Za-z_$][A-Za-z0-9_$]*</.exec(src.slice(i));
  if (!id) return null;
  let depth = 0;
  let j = i + id[0].length - 1;
  for (; j < src.length; j++) {
    const ch = src[j]!;
    if (ch === '<') depth++;
    else if (ch === '>' && --depth === 0) break;
    else if (ch === "'" || ch === '"' || ch === '[' || ch === ']') return null;
  }
  if (depth !== 0 || !src.startsWith('::', j + 1)) return null;
  const text = src
    .slice(i, j + 1)
    .replace(/\s+/g, '')
    .replace(/,/g, ', ');
  return { text, next: j + 3 };
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'end of expression';
    case 'ident':
      return `'${tok.text}'`;
    case 'scope':
      return `'${tok.text}::'`;
    case 'global':
      return "'::'";
    case 'int':
      return `'${tok.text}'`;
    case 'punct':
      return `'${tok.text}'`;
  }
}

function fail(message: string, col: number, expr: string): never {
  throw new ExpressionError(`${message} at column ${col} in '${expr}'`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const col = i + 1;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) fail(`unterminated quote ${c}`, col, src);
      const text = src.slice(i + 1, close);
      if (text.length === 0) fail('empty quoted scope', col, src);
      if (!src.startsWith('::', close + 1)) {
        // gdb also quotes a whole C++ name: '(anonymous namespace)::s_count', 'app::g_counter'.
        if (!text.includes('::')) fail(`expected '::' after quoted scope ${c}${text}${c}`, close + 2, src);
        out.push({ t: 'ident', text, col });
        i = close + 1;
        continue;
      }
      out.push({ t: 'scope', text, col });
      i = close + 3;
      continue;
    }
    if (c === ':' && src[i + 1] === ':') {
      // A leading `::` (C++ global scope); anywhere else `::` is consumed with the scope before it.
      if (out.length > 0) fail(`unexpected '::'`, col, src);
      out.push({ t: 'global', col });
      i += 2;
      continue;
    }
    if (src.startsWith(ANONYMOUS_NAMESPACE + '::', i)) {
      out.push({ t: 'scope', text: ANONYMOUS_NAMESPACE, col });
      i += ANONYMOUS_NAMESPACE.length + 2;
      continue;
    }
    const tmpl = templateScope(src, i);
    if (tmpl) {
      out.push({ t: 'scope', text: tmpl.text, col });
      i = tmpl.next;
      continue;
    }
    const scope = UNQUOTED_SCOPE.exec(src.slice(i));
    if (scope && (IDENT_START.test(c) || /[0-9./\\]/.test(c))) {
      out.push({ t: 'scope', text: scope[0], col });
      i += scope[0].length + 2;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      // gcc's virtual-table pointer member is named `_vptr.Class`: one name with a dot in it.
      if (src.slice(i, j) === '_vptr' && src[j] === '.' && IDENT_START.test(src[j + 1] ?? '')) {
        j++;
        while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      }
      out.push({ t: 'ident', text: src.slice(i, j), col });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(src.slice(i))!;
      const digits = m[1]!;
      const value = Number(digits.startsWith('0x') || digits.startsWith('0X') ? digits : parseInt(digits, 10));
      if (!Number.isSafeInteger(value)) fail(`index ${m[0]} is too large`, col, src);
      if (i + m[0].length < src.length && IDENT_PART.test(src[i + m[0].length]!)) {
        fail(`bad number '${src.slice(i, i + m[0].length + 1)}'`, col, src);
      }
      out.push({ t: 'int', value, text: m[0], col });
      i += m[0].length;
      continue;
    }
    if (c === '-' && src[i + 1] === '>') {
      out.push({ t: 'punct', text: '->', col });
      i += 2;
      continue;
    }
    if (c === '.' || c === '[' || c === ']' || c === '*' || c === '(' || c === ')') {
      out.push({ t: 'punct', text: c, col });
      i++;
      continue;
    }
    if (c === '-') fail(`unexpected '-' (members through a pointer use '->'; indexes cannot be negative)`, col, src);
    fail(`unexpected '${c}'`, col, src);
  }
  out.push({ t: 'end', col: src.length + 1 });
  return out;
}

/** Parse a watch expression; throws ExpressionError naming the column of the first problem. */
export function parseWatchExpression(expr: string): WatchExpr {
  if (expr.trim() === '') throw new ExpressionError('empty watch expression: name a variable, e.g. g_heap.free_bytes');
  const toks = tokenize(expr);
  let pos = 0;
  const peek = (): Token => toks[pos]!;
  const next = (): Token => toks[pos++]!;
  const isPunct = (tok: Token, text: string): boolean => tok.t === 'punct' && tok.text === text;
  const unexpected = (tok: Token, wanted?: string): never =>
    fail(`unexpected ${describe(tok)}${wanted ? ` (expected ${wanted})` : ''}`, tok.col, expr);

  function unary(): WatchExpr {
    const tok = peek();
    if (isPunct(tok, '*')) {
      next();
      return { kind: 'deref', base: unary(), column: tok.col };
    }
    return postfix(primary());
  }

  function primary(): WatchExpr {
    const tok = next();
    if (isPunct(tok, '(')) {
      const inner = unary();
      const close = next();
      if (!isPunct(close, ')')) unexpected(close, "')'");
      return inner;
    }
    const scopes: string[] = [];
    let cur = tok;
    const global = cur.t === 'global';
    if (global) cur = next();
    while (cur.t === 'scope') {
      scopes.push(cur.text);
      cur = next();
    }
    if (cur.t !== 'ident') return unexpected(cur, scopes.length || global ? 'a variable name' : 'a variable name or \'(\'');
    if (scopes.length > 32) fail(`too many '::' scopes`, tok.col, expr);
    return { kind: 'name', name: cur.text, scopes, ...(global ? { global: true } : {}), column: tok.col };
  }

  function postfix(base: WatchExpr): WatchExpr {
    for (;;) {
      const tok = peek();
      if (isPunct(tok, '.') || isPunct(tok, '->')) {
        next();
        const name = next();
        if (name.t !== 'ident') unexpected(name, `a member name after '${(tok as { text: string }).text}'`);
        base = {
          kind: 'member',
          base,
          member: (name as { text: string }).text,
          arrow: isPunct(tok, '->'),
          column: tok.col,
        };
      } else if (isPunct(tok, '[')) {
        next();
        const idx = next();
        if (idx.t !== 'int') unexpected(idx, 'an index');
        const close = next();
        if (!isPunct(close, ']')) unexpected(close, "']'");
        base = { kind: 'index', base, index: (idx as { value: number }).value, column: tok.col };
      } else {
        return base;
      }
    }
  }

  const tree = unary();
  const rest = peek();
  if (rest.t !== 'end') unexpected(rest);
  return tree;
}

/** Scopes written without quotes: identifiers (functions, namespaces, classes), template-ids, and the
 * anonymous namespace. File paths (dots, slashes) are quoted, as gdb writes them. */
const BARE_SCOPE = /^(?:[A-Za-z_$][A-Za-z0-9_$]*(?:<[^'"]*>)?|\(anonymous namespace\))$/;

/** Canonical text of a parsed expression (used to name columns of sub-values). */
export function formatWatchExpression(e: WatchExpr): string {
  switch (e.kind) {
    case 'name':
      return (e.global ? '::' : '') + e.scopes.map((s) => (BARE_SCOPE.test(s) ? s : `'${s}'`) + '::').join('') + e.name;
    case 'member': {
      const base = formatWatchExpression(e.base);
      return `${e.base.kind === 'deref' ? `(${base})` : base}${e.arrow ? '->' : '.'}${e.member}`;
    }
    case 'index': {
      const base = formatWatchExpression(e.base);
      return `${e.base.kind === 'deref' ? `(${base})` : base}[${e.index}]`;
    }
    case 'deref':
      return `*${formatWatchExpression(e.base)}`;
  }
}
