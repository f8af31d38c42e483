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
});
