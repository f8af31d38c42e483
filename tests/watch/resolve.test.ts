import { describe, expect, it } from 'vitest';
import {
  AmbiguousSymbolError,
  ExpressionError,
  OptimizedOutError,
  UnknownSymbolError,
} from '../../src/errors.js';
import { resolveWatch } from '../../src/watch/resolve.js';
import * as T from './hand-types.js';

const vars = [
  T.variable({ name: 'g_stats', type: T.poolStats, address: 0x2000_0100 }),
  T.variable({ name: 'g_outer', type: T.outer, address: 0x2000_0200 }),
  T.variable({ name: 'g_matrix', type: T.matrix, address: 0x2000_0300 }),
  T.variable({ name: 'g_pool', type: T.poolPtr, address: 0x2000_0400 }),
  T.variable({ name: 'g_bytes', type: T.bytes4, address: 0x2000_0500 }),
  T.variable({ name: 'g_vstats', type: { kind: 'qualified', qualifier: 'volatile', target: T.poolStats }, address: 0x2000_0600 }),
  T.variable({ name: 's_count', type: T.uint, scope: 'file-static', file: 'src/heap.c', address: 0x2000_1000 }),
  T.variable({ name: 's_count', type: T.uint, scope: 'file-static', file: '/abs/src/timer.c', address: 0x2000_1004 }),
  T.variable({ name: 'count', type: T.int, scope: 'function-static', functionName: 'worker', file: 'src/app.c', address: 0x2000_1008 }),
  T.variable({ name: 'count', type: T.int, scope: 'function-static', functionName: 'idle', file: 'src/app.c', address: 0x2000_100c }),
  T.variable({ name: 'g_gone', type: T.int, address: null }),
  T.variable({ name: 'g_vp', type: T.outer.kind === 'struct' ? T.outer.members[4]!.type : T.int, address: 0x2000_0700 }),
  T.variable({ name: 'g_big', type: T.u64, address: 0x2000_0800 }),
];
const debug = T.debugOf(vars);
const resolve = (expr: string, le = true) => resolveWatch(debug, T.elfOf(le), expr);

describe('resolveWatch', () => {
  it('resolves a global to its address, size and gdb type name', () => {
    const w = resolve('g_stats');
    expect(w).toMatchObject({ address: 0x2000_0100, byteSize: 16, typeName: 'struct pool_stats', hops: [] });
    expect(w.littleEndian).toBe(true);
  });

  it('adds member offsets and keeps the member type spelling', () => {
    const w = resolve('g_stats.free');
    expect(w).toMatchObject({ address: 0x2000_0104, byteSize: 4, typeName: 'uint32_t' });
    expect(resolve('g_stats.used').typeName).toBe('volatile uint32_t');
  });

  it("spells a member of a volatile struct with the member's own type, as gdb's whatis does", () => {
    expect(resolve('g_vstats.free').typeName).toBe('uint32_t');
    expect(resolve('g_vstats.used').typeName).toBe('volatile uint32_t');
  });

  it('resolves nested members through unions and anonymous members', () => {
    expect(resolve('g_outer.u.halves.b')).toMatchObject({ address: 0x2000_0202, byteSize: 2, typeName: 'short' });
    expect(resolve('g_outer.asFloat')).toMatchObject({ address: 0x2000_0204, typeName: 'float' });
  });

  it('indexes arrays, including multi-dimensional ones', () => {
    expect(resolve('g_matrix[1][2]')).toMatchObject({ address: 0x2000_0300 + 20, byteSize: 4, typeName: 'int' });
    expect(resolve('g_matrix[1]')).toMatchObject({ address: 0x2000_030c, byteSize: 12, typeName: 'int [3]' });
  });

  it('rejects an index out of bounds with the valid range', () => {
    expect(() => resolve('g_matrix[2]')).toThrow(ExpressionError);
    expect(() => resolve('g_matrix[0][3]')).toThrow(/index 3 is out of bounds .*0\.\.2/);
  });

  it('reports bitfields with bit offset and size', () => {
    const w = resolve('g_stats.level');
    expect(w).toMatchObject({ address: 0x2000_010c, byteSize: 1, bitOffset: 3, bitSize: 5, typeName: 'int' });
    expect(w.decode(Uint8Array.of(0b11111_000))).toBe(-1);
  });

  it('turns p->x into a one-hop watch on the pointer', () => {
    const w = resolve('g_pool->free');
    expect(w).toMatchObject({ address: 0x2000_0400, byteSize: 4, typeName: 'uint32_t' });
    expect(w.hops).toEqual([{ pointerSize: 4, offset: 4 }]);
    expect(resolve('(*g_pool).free').hops).toEqual([{ pointerSize: 4, offset: 4 }]);
    expect(resolve('*g_pool')).toMatchObject({ byteSize: 16, typeName: 'struct pool_stats', hops: [{ pointerSize: 4, offset: 0 }] });
  });

  it('chains hops through a member pointer', () => {
    const w = resolve('g_outer.next->st');
    expect(w.address).toBe(0x2000_0210);
    expect(w.hops).toEqual([{ pointerSize: 4, offset: 8 }]);
    const two = resolve('g_pool->flags');
    expect(two).toMatchObject({ bitOffset: 0, bitSize: 3, hops: [{ pointerSize: 4, offset: 12 }] });
  });

  it('indexes through a pointer as a dereference', () => {
    expect(resolve('g_pool[2].free').hops).toEqual([{ pointerSize: 4, offset: 36 }]);
  });

  it('rejects a member of a non-struct, deref of a non-pointer and of void *', () => {
    expect(() => resolve('g_big.x')).toThrow(/'g_big' is not a struct or union \(it is unsigned long long\)/);
    expect(() => resolve('*g_big')).toThrow(/cannot dereference 'g_big': it is not a pointer/);
    expect(() => resolve('*g_vp')).toThrow(/cannot dereference 'g_vp': it is void \*/);
    expect(() => resolve('g_stats.nope')).toThrow(/struct pool_stats has no member 'nope'.*members: used, free/);
    expect(() => resolve('g_stats[1]')).toThrow(/not an array or pointer/);
  });

  it('suggests close names for an unknown symbol', () => {
    const err = (() => {
      try {
        resolve('g_stat');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownSymbolError);
    expect((err as UnknownSymbolError).suggestions).toContain('g_stats');
    expect(() => resolve('outer')).toThrow(/did you mean 'g_outer'/);
  });

  it('lists the files of an ambiguous file-static', () => {
    expect(() => resolve('s_count')).toThrow(AmbiguousSymbolError);
    expect(() => resolve('s_count')).toThrow(/heap\.c::s_count, timer\.c::s_count/);
  });

  it('picks a file-static by basename or path suffix, quoted or not', () => {
    expect(resolve("'heap.c'::s_count").address).toBe(0x2000_1000);
    expect(resolve('timer.c::s_count').address).toBe(0x2000_1004);
    expect(resolve('src/timer.c::s_count').address).toBe(0x2000_1004);
    expect(() => resolve('mer.c::s_count')).toThrow(UnknownSymbolError);
  });

  it('picks a function-static by function name', () => {
    expect(resolve('worker::count').address).toBe(0x2000_1008);
    expect(resolve("'app.c'::idle::count").address).toBe(0x2000_100c);
    expect(() => resolve('count')).toThrow(/exists in worker::count, idle::count/);
  });

  it('says how to keep an optimized-out variable', () => {
    expect(() => resolve('g_gone')).toThrow(OptimizedOutError);
    expect(() => resolve('g_gone')).toThrow(/'g_gone' was optimized out: mark it volatile or build with -O0/);
  });

  it('decodes through the watch with the ELF byte order', () => {
    expect(resolve('g_stats.free').decode(Uint8Array.of(1, 0, 0, 0))).toBe(1);
    expect(resolve('g_stats.free', false).decode(Uint8Array.of(0, 0, 0, 1))).toBe(1);
    expect(resolve('g_big').decode(new Uint8Array(8).fill(0xff))).toBe(0xffffffffffffffffn);
  });

  it('expands a struct watch into one column per scalar leaf', () => {
    const w = resolve('g_outer');
    const names = w.columns().map((c) => c.name);
    expect(names).toEqual([
      'g_outer.u.w',
      'g_outer.u.halves.a',
      'g_outer.u.halves.b',
      'g_outer.asFloat',
      'g_outer.asInt',
      'g_outer.name',
      'g_outer.next',
      'g_outer.opaque',
    ]);
    const b = new Uint8Array(24);
    b.set([0x6f, 0x6b], 8);
    b[2] = 0xfe;
    b[3] = 0xff;
    const byName = Object.fromEntries(w.columns().map((c) => [c.name, c.decode(b)]));
    expect(byName['g_outer.name']).toBe('ok');
    expect(byName['g_outer.u.halves.b']).toBe(-2);
  });

  it('names array columns by index and bitfield columns by member', () => {
    expect(resolve('g_matrix').columns().map((c) => c.name)).toEqual([
      'g_matrix[0][0]', 'g_matrix[0][1]', 'g_matrix[0][2]', 'g_matrix[1][0]', 'g_matrix[1][1]', 'g_matrix[1][2]',
    ]);
    const cols = resolve('g_stats').columns();
    expect(cols.map((c) => c.name)).toEqual(['g_stats.used', 'g_stats.free', 'g_stats.st', 'g_stats.flags', 'g_stats.level']);
    const b = new Uint8Array(16);
    b[12] = 0b00010_011;
    expect(cols[3]!.decode(b)).toBe(3);
    expect(cols[4]!.decode(b)).toBe(2);
  });

  it('parenthesises a dereference in column names', () => {
    expect(resolve('*g_pool').columns()[0]!.name).toBe('(*g_pool).used');
  });

  it('caps column expansion of a huge array', () => {
    const big = T.variable({ name: 'ucHeap', type: { kind: 'array', element: T.uint8_t, dims: [65536], byteSize: 65536 } });
    const w = resolveWatch(T.debugOf([big]), T.elfOf(), 'ucHeap');
    expect(w.byteSize).toBe(65536);
    expect(w.columns()).toHaveLength(256);
    expect(w.columns()[255]!.name).toBe('ucHeap[255]');
  });

  it('gives a scalar watch one column named by its expression', () => {
    const cols = resolve('g_stats.used').columns();
    expect(cols).toHaveLength(1);
    expect(cols[0]!.name).toBe('g_stats.used');
  });
});

describe('resolveWatch with a global and a file-static of the same name', () => {
  const d = T.debugOf([
    T.variable({ name: 'x', type: T.int, file: 'src/main.c', address: 0x100 }),
    T.variable({ name: 'x', type: T.int, scope: 'file-static', file: 'src/other.c', address: 0x200 }),
  ]);
  it('calls the plain name ambiguous and names both by file, each of which resolves', () => {
    expect(() => resolveWatch(d, T.elfOf(), 'x')).toThrow(/exists in main\.c::x, other\.c::x/);
    expect(resolveWatch(d, T.elfOf(), 'main.c::x').address).toBe(0x100);
    expect(resolveWatch(d, T.elfOf(), 'other.c::x').address).toBe(0x200);
  });
});

describe('resolveWatch through several pointers', () => {
  // struct node { int value; struct node *next; }: a cyclic type, walked one hop per `->`.
  const node: { kind: 'struct'; name: string; byteSize: number; declaration: boolean; members: Array<{ name: string; type: unknown; offset: number }> } = {
    kind: 'struct', name: 'node', byteSize: 8, declaration: false, members: [],
  };
  node.members.push({ name: 'value', type: T.int, offset: 0 });
  node.members.push({ name: 'next', type: { kind: 'pointer', flavor: 'pointer', byteSize: 4, target: node }, offset: 4 });
  const d = T.debugOf([T.variable({ name: 'g_list', type: node as never, address: 0x2000_0040 })]);

  it('gives one hop per dereference, each carrying the member offset after it', () => {
    const w = resolveWatch(d, T.elfOf(), 'g_list.next->next->value');
    expect(w.address).toBe(0x2000_0044);
    expect(w.hops).toEqual([
      { pointerSize: 4, offset: 4 },
      { pointerSize: 4, offset: 0 },
    ]);
    expect(w.typeName).toBe('int');
  });

  it('expands a self-referencing struct without following its pointers', () => {
    expect(resolveWatch(d, T.elfOf(), 'g_list').columns().map((c) => c.name)).toEqual(['g_list.value', 'g_list.next']);
  });
});

