// typeName spells types the way gdb's `whatis` does; byteSizeOf / stripQualifiers look through typedefs
// and qualifiers. Built from hand-made TypeInfo values so every declarator shape is covered.
import { describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../src/elf/dwarf/model.js';
import { byteSizeOf, isVolatile, stripQualifiers, typeName } from '../../src/elf/dwarf/type-name.js';

const int: TypeInfo = { kind: 'base', name: 'int', byteSize: 4, encoding: 'signed' };
const char: TypeInfo = { kind: 'base', name: 'char', byteSize: 1, encoding: 'unsigned-char' };
const u32: TypeInfo = { kind: 'typedef', name: 'uint32_t', target: { kind: 'base', name: 'long unsigned int', byteSize: 4, encoding: 'unsigned' } };
const q = (qualifier: 'const' | 'volatile' | 'restrict' | 'atomic', target: TypeInfo): TypeInfo => ({ kind: 'qualified', qualifier, target });
const ptr = (target: TypeInfo): TypeInfo => ({ kind: 'pointer', flavor: 'pointer', byteSize: 4, target });
const arr = (element: TypeInfo, ...dims: (number | null)[]): TypeInfo => ({
  kind: 'array', element, dims,
  byteSize: dims.some((d) => d === null) ? null : dims.reduce<number>((a, d) => a * d!, byteSizeOf(element) ?? 0),
});
const pool: TypeInfo = { kind: 'struct', name: 'pool_stats', byteSize: 20, members: [], declaration: false };
const voidT: TypeInfo = { kind: 'void' };

describe('typeName (gdb whatis spelling)', () => {
  it('puts qualifiers before a base or typedef name', () => {
    expect(typeName(q('volatile', u32))).toBe('volatile uint32_t');
    expect(typeName(q('volatile', q('const', int)))).toBe('const volatile int');
  });

  it('writes pointers with a space before the star', () => {
    expect(typeName(ptr(pool))).toBe('struct pool_stats *');
    expect(typeName(ptr(q('const', char)))).toBe('const char *');
    expect(typeName(ptr(ptr(char)))).toBe('char **');
  });

  it('writes a qualified pointer with the qualifier after the star', () => {
    expect(typeName(q('const', ptr(char)))).toBe('char * const');
    expect(typeName(ptr(q('const', ptr(char))))).toBe('char * const *');
    expect(typeName(q('volatile', ptr(int)))).toBe('int * volatile');
  });

  it('writes multi-dimensional arrays outermost first', () => {
    expect(typeName(arr(int, 4, 8))).toBe('int [4][8]');
    expect(typeName(arr(char, null))).toBe('char []');
  });

  it('parenthesises pointers to arrays and functions, not arrays of pointers', () => {
    expect(typeName(ptr(arr(int, 8)))).toBe('int (*)[8]');
    expect(typeName(arr(ptr(char), 4))).toBe('char *[4]');
    const fn: TypeInfo = { kind: 'function', returnType: voidT, params: [int], variadic: false, prototyped: true };
    expect(typeName(ptr(fn))).toBe('void (*)(int)');
    expect(typeName(arr(q('const', ptr(fn)), 4))).toBe('void (* const[4])(int)');
  });

  it('spells prototyped, unprototyped and variadic parameter lists like gdb', () => {
    const noArgs: TypeInfo = { kind: 'function', returnType: int, params: [], variadic: false, prototyped: true };
    const kr: TypeInfo = { kind: 'function', returnType: int, params: [], variadic: false, prototyped: false };
    const printf: TypeInfo = { kind: 'function', returnType: int, params: [ptr(q('const', char))], variadic: true, prototyped: true };
    expect(typeName(ptr(noArgs))).toBe('int (*)(void)');
    expect(typeName(ptr(kr))).toBe('int (*)()');
    expect(typeName(ptr(printf))).toBe('int (*)(const char *, ...)');
  });

  it('names anonymous aggregates and enums with {...}', () => {
    expect(typeName({ kind: 'struct', name: null, byteSize: 4, members: [], declaration: false })).toBe('struct {...}');
    expect(typeName({ kind: 'union', name: 'word', byteSize: 4, members: [], declaration: false })).toBe('union word');
    expect(typeName({ kind: 'enum', name: null, byteSize: 1, signed: false, enumerators: [] })).toBe('enum {...}');
    expect(typeName({ kind: 'enum', name: 'mode', byteSize: 1, signed: false, enumerators: [] })).toBe('enum mode');
  });

  it('uses gdb short names for gcc integer base types', () => {
    expect(typeName({ kind: 'base', name: 'short unsigned int', byteSize: 2, encoding: 'unsigned' })).toBe('unsigned short');
    expect(typeName({ kind: 'base', name: 'long long int', byteSize: 8, encoding: 'signed' })).toBe('long long');
    expect(typeName(u32)).toBe('uint32_t');
  });

  it('omits the struct keyword for C++ types, like gdb', () => {
    expect(typeName({ kind: 'class', name: 'Pool', byteSize: 8, members: [], declaration: false, cplusplus: true })).toBe('Pool');
  });

  it('writes C++ references with &', () => {
    expect(typeName({ kind: 'pointer', flavor: 'reference', byteSize: 4, target: int })).toBe('int &');
  });
});

describe('byteSizeOf / stripQualifiers / isVolatile', () => {
  it('sees through typedefs and qualifiers', () => {
    expect(byteSizeOf(q('volatile', u32))).toBe(4);
    expect(stripQualifiers(q('volatile', u32))).toMatchObject({ kind: 'base', name: 'long unsigned int' });
  });

  it('gives null for void, functions, incomplete structs and flexible arrays', () => {
    expect(byteSizeOf(voidT)).toBeNull();
    expect(byteSizeOf({ kind: 'function' })).toBeNull();
    expect(byteSizeOf({ kind: 'struct', name: 'opaque', byteSize: null, members: [], declaration: true })).toBeNull();
    expect(byteSizeOf(arr(char, null))).toBeNull();
  });

  it('finds volatile through typedefs but not behind a pointer', () => {
    expect(isVolatile({ kind: 'typedef', name: 'reg32_t', target: q('volatile', u32) })).toBe(true);
    expect(isVolatile(ptr(q('volatile', int)))).toBe(false);
  });

  it('terminates on a typedef cycle', () => {
    const t = { kind: 'typedef', name: 'loop' } as { kind: 'typedef'; name: string; target: TypeInfo };
    t.target = t;
    expect(byteSizeOf(t)).toBeNull();
    expect(typeName(t)).toBe('loop');
  });
});
