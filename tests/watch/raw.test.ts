import { describe, expect, it } from 'vitest';
import type { ElfSymbol } from '../../src/elf/elf.js';
import { AmbiguousSymbolError, ExpressionError, UnknownSymbolError } from '../../src/errors.js';
import { rawDataSymbols, resolveRawWatch } from '../../src/watch/raw.js';
import type { WatchElf } from '../../src/watch/resolve.js';
import { demangleDataName } from '../../src/watch/demangle.js';
import { openElf } from '../../src/elf/elf.js';
import { readOracle } from '../fixtures/elf/corpus.js';

// A symbol table as .symtab orders it: STT_FILE, that file's locals, ..., then the globals.
function sym(name: string, type: ElfSymbol['type'], value = 0, size = 0, binding: ElfSymbol['binding'] = 'local'): ElfSymbol {
  return { name, value, size, type, binding, sectionIndex: type === 'file' ? 0xfff1 : 3, sectionName: type === 'file' ? null : '.bss' };
}
const symbols: ElfSymbol[] = [
  sym('heap.c', 'file'),
  sym('s_count', 'object', 0x2000_0010, 4),
  sym('timer.c', 'file'),
  sym('s_count', 'object', 0x2000_0014, 4),
  sym('ticks16', 'object', 0x2000_0018, 2),
  sym('main', 'func', 0x101, 20, 'global'),
  sym('g_heap', 'object', 0x2000_0100, 24, 'global'),
  sym('g_total', 'object', 0x2000_0120, 8, 'global'),
  sym('g_word', 'object', 0x2000_0128, 4, 'global'),
];
const elf = (littleEndian = true): WatchElf => ({ littleEndian, symbols: () => symbols });

describe('resolveRawWatch (symbol table only)', () => {
  it('lists data objects with the file of each local', () => {
    const raw = rawDataSymbols(elf());
    expect(raw.map((s) => s.name)).toEqual(['s_count', 's_count', 'ticks16', 'g_heap', 'g_total', 'g_word']);
    expect(raw[1]).toMatchObject({ file: 'timer.c', address: 0x2000_0014 });
    expect(raw[3]!.file).toBeNull();
  });

  it('decodes a 4-byte object as an unsigned integer in ELF byte order', () => {
    const w = resolveRawWatch(elf(), 'g_word');
    expect(w).toMatchObject({ address: 0x2000_0128, byteSize: 4, typeName: 'uint32_t', hops: [] });
    expect(w.decode(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toBe(0xffffffff);
    expect(resolveRawWatch(elf(false), 'g_word').decode(Uint8Array.of(0, 0, 1, 0))).toBe(256);
  });

  it('decodes 8-byte objects as bigint and other sizes as hex', () => {
    expect(resolveRawWatch(elf(), 'g_total').decode(new Uint8Array(8).fill(1))).toBe(0x0101010101010101n);
    const w = resolveRawWatch(elf(), 'g_heap');
    expect(w.typeName).toBe('uint8_t [24]');
    const bytes = new Uint8Array(24);
    bytes[0] = 0xab;
    expect(w.decode(bytes)).toBe('ab' + '00'.repeat(23));
    expect(w.columns()).toHaveLength(1);
  });

  it('tells clashing locals apart by their STT_FILE', () => {
    expect(() => resolveRawWatch(elf(), 's_count')).toThrow(AmbiguousSymbolError);
    expect(resolveRawWatch(elf(), 'timer.c::s_count').address).toBe(0x2000_0014);
    expect(resolveRawWatch(elf(), "'heap.c'::s_count").address).toBe(0x2000_0010);
  });

  it('suggests close names and refuses functions and expressions', () => {
    expect(() => resolveRawWatch(elf(), 'g_heep')).toThrow(UnknownSymbolError);
    expect(() => resolveRawWatch(elf(), 'g_heep')).toThrow(/did you mean 'g_heap'/);
    expect(() => resolveRawWatch(elf(), 'main')).toThrow(UnknownSymbolError);
    expect(() => resolveRawWatch(elf(), 'g_heap.used')).toThrow(UnknownSymbolError);
    expect(() => resolveRawWatch(elf(), 'g_heap[1]')).toThrow(ExpressionError);
  });
});

describe('--raw on C++ firmware (mangled data symbols)', () => {
  const cxx = openElf('tests/fixtures/elf/corpus/cxx-arm-gcc-dwarf4-O0.elf');
  const oracle = readOracle('cxx-arm-gcc-dwarf4-O0.elf').variables;
  const at = (n: string) => oracle.find((v) => v.name === n)!.address;

  it('demangles namespace, class and unnamed-namespace names; leaves templates and function statics mangled', () => {
    expect(demangleDataName('_ZN3app9g_counterE')).toBe('app::g_counter');
    expect(demangleDataName('_ZN3app5inner9g_counterE')).toBe('app::inner::g_counter');
    expect(demangleDataName('_ZN12_GLOBAL__N_17s_countE')).toBe('(anonymous namespace)::s_count');
    expect(demangleDataName('_ZL7s_state')).toBe('s_state');
    expect(demangleDataName('_ZN3app4PoolILi64EE7s_countE')).toBeNull();
    expect(demangleDataName('_ZZN3app4tickEvE7s_calls')).toBeNull();
    expect(demangleDataName('g_plain')).toBeNull();
  });

  it('resolves qualified names, mangled names and file-scoped unnamed-namespace names', () => {
    expect(resolveRawWatch(cxx, 'app::inner::g_counter').address).toBe(at('app::inner::g_counter'));
    expect(resolveRawWatch(cxx, '_ZN3app9g_counterE').address).toBe(at('app::g_counter'));
    expect(resolveRawWatch(cxx, '(anonymous namespace)::s_count').address).toBe(at('(anonymous namespace)::s_count'));
    expect(resolveRawWatch(cxx, "'pool.cpp'::s_count").address).toBe(at('(anonymous namespace)::s_count'));
    expect(rawDataSymbols(cxx).find((s) => s.name === 'drivers::g_counter')).toMatchObject({ linkageName: '_ZN7drivers9g_counterE' });
  });
});
