import { describe, expect, it } from 'vitest';
import { formatWatchExpression, parseWatchExpression } from '../../src/watch/expression.js';
import { ExpressionError } from '../../src/errors.js';

const roundTrip = (s: string) => formatWatchExpression(parseWatchExpression(s));

describe('watch expression parser', () => {
  it('parses a plain name', () => {
    expect(parseWatchExpression('g_heap')).toEqual({ kind: 'name', name: 'g_heap', scopes: [], column: 1 });
  });

  it('parses member chains left to right', () => {
    const e = parseWatchExpression('s.u.halves.b');
    expect(e.kind).toBe('member');
    expect(roundTrip('s.u.halves.b')).toBe('s.u.halves.b');
    if (e.kind === 'member') expect(e.member).toBe('b');
  });

  it('parses single and multi-dimensional indexes, decimal and hex', () => {
    expect(roundTrip('arr[3]')).toBe('arr[3]');
    expect(roundTrip('m[2][0x3]')).toBe('m[2][3]');
  });

  it('parses dereference, arrow and mixed chains', () => {
    expect(parseWatchExpression('*p').kind).toBe('deref');
    expect(roundTrip('p->x')).toBe('p->x');
    expect(roundTrip('a.p->b[2]')).toBe('a.p->b[2]');
    expect(roundTrip('(p)->x')).toBe('p->x');
    expect(roundTrip('(*p).x')).toBe('(*p).x');
    expect(roundTrip('**pp')).toBe('**pp');
  });

  it('binds * looser than postfix operators, as C does', () => {
    const e = parseWatchExpression('*p.q');
    expect(e.kind).toBe('deref');
    if (e.kind === 'deref') expect(e.base.kind).toBe('member');
  });

  it("parses gdb's quoted file scope", () => {
    const e = parseWatchExpression("'heap.c'::s_count");
    expect(e).toMatchObject({ kind: 'name', name: 's_count', scopes: ['heap.c'] });
  });

  it('parses an unquoted file scope with dots, dashes and directories', () => {
    expect(parseWatchExpression('heap.c::s_count')).toMatchObject({ name: 's_count', scopes: ['heap.c'] });
    expect(parseWatchExpression('lib/heap-4.c::x')).toMatchObject({ name: 'x', scopes: ['lib/heap-4.c'] });
  });

  it('parses function scope and file + function scope', () => {
    expect(parseWatchExpression('worker::count')).toMatchObject({ name: 'count', scopes: ['worker'] });
    expect(parseWatchExpression("'a.c'::worker::count")).toMatchObject({ name: 'count', scopes: ['a.c', 'worker'] });
  });

  it('applies postfix operators after a scoped name', () => {
    expect(roundTrip('heap.c::s_stats.used')).toBe("'heap.c'::s_stats.used");
    expect(roundTrip('*main.c::p')).toBe("*'main.c'::p");
  });

  it('ignores spaces between tokens', () => {
    expect(roundTrip(' a . b [ 1 ] -> c ')).toBe('a.b[1]->c');
  });

  it('reports an unexpected bracket with its column', () => {
    expect(() => parseWatchExpression('arr[3]]')).toThrow(ExpressionError);
    expect(() => parseWatchExpression('arr[3]]')).toThrow("unexpected ']' at column 7");
  });

  it('reports a missing member name after a dot', () => {
    expect(() => parseWatchExpression('a.')).toThrow(/unexpected end of expression .*at column 3/);
    expect(() => parseWatchExpression('a.[1]')).toThrow(/at column 3/);
  });

  it('rejects non-integer and negative indexes', () => {
    expect(() => parseWatchExpression('a[i]')).toThrow(/unexpected 'i' \(expected an index\) at column 3/);
    expect(() => parseWatchExpression('a[-1]')).toThrow(/indexes cannot be negative\) at column 3/);
  });

  it('rejects unbalanced parentheses, stray characters and empty input', () => {
    expect(() => parseWatchExpression('(p->x')).toThrow(/expected '\)'.* at column 6/);
    expect(() => parseWatchExpression('a + b')).toThrow(/unexpected '\+' at column 3/);
    expect(() => parseWatchExpression('   ')).toThrow(ExpressionError);
    expect(() => parseWatchExpression("'heap.c")).toThrow(/unterminated quote/);
  });

  it('parses C++ namespace and class scopes of any depth', () => {
    expect(parseWatchExpression('app::inner::g_counter')).toMatchObject({ name: 'g_counter', scopes: ['app', 'inner'] });
    expect(roundTrip('ns::Class::s_member.field[2]')).toBe('ns::Class::s_member.field[2]');
  });

  it('parses template-id scopes, spelling their arguments as gcc does', () => {
    expect(parseWatchExpression('app::Pool<64>::s_count')).toMatchObject({ name: 's_count', scopes: ['app', 'Pool<64>'] });
    expect(parseWatchExpression('Map< int,4 >::s_n')).toMatchObject({ scopes: ['Map<int, 4>'] });
    expect(roundTrip('app::Pool<64>::s_count.x')).toBe('app::Pool<64>::s_count.x');
  });

  it("parses gdb's unnamed namespace, bare or inside a quoted name", () => {
    expect(parseWatchExpression('(anonymous namespace)::s_count')).toMatchObject({
      name: 's_count',
      scopes: ['(anonymous namespace)'],
    });
    expect(parseWatchExpression("'(anonymous namespace)::s_count'")).toMatchObject({ name: '(anonymous namespace)::s_count' });
    expect(roundTrip('app::(anonymous namespace)::s.x')).toBe('app::(anonymous namespace)::s.x');
  });

  it('parses a leading :: as the global scope, and only at the start', () => {
    expect(parseWatchExpression('::g_plain')).toMatchObject({ name: 'g_plain', scopes: [], global: true });
    expect(roundTrip('::g_plain.x')).toBe('::g_plain.x');
    expect(() => parseWatchExpression('a[1]::b')).toThrow(/unexpected '::' at column 5/);
  });

  it("parses a quoted C++ function scope ('app::tick'::s_calls) and gcc's _vptr.Class member", () => {
    expect(parseWatchExpression("'app::tick'::s_calls")).toMatchObject({ name: 's_calls', scopes: ['app::tick'] });
    expect(roundTrip('g_task._vptr.Task')).toBe('g_task._vptr.Task');
  });
});
