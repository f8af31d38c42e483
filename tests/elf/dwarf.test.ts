// The DWARF reader on the small committed fixtures (tests/fixtures/elf-unit: a.c, b.c, types.h built by
// build.sh with gcc/clang for ARM LE/BE, x86-64, DWARF 2-5, compressed, type units).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openElf, parseElf } from '../../src/elf/elf.js';
import { loadDebugInfo, typeName, byteSizeOf, stripQualifiers } from '../../src/elf/dwarf/index.js';
import type { AggregateType, ArrayType, EnumType, PointerType, VariableInfo } from '../../src/elf/dwarf/model.js';
import { NoDebugInfoError, UnsupportedDwarfError } from '../../src/errors.js';

const fx = (name: string) => join(import.meta.dirname, '../fixtures/elf-unit', name);
const WITH_DWARF = [
  'arm-gcc-dwarf2-O0.elf',
  'arm-gcc-dwarf3-be.elf',
  'arm-gcc-dwarf4-Os.elf',
  'arm-gcc-dwarf5-O2.elf',
  'arm-gcc-dwarf5-be.elf',
  'arm-gcc-gz-zlib.elf',
  'arm-gcc-gz-gnu.elf',
  'clang-thumb-dwarf4-O1.elf',
  'clang-thumb-dwarf5.elf',
  'x86_64-gcc-dwarf5.elf',
  'x86_64-gcc-dwarf4-types.elf',
  'x86_64-gcc-dwarf5-types.elf',
];
const load = (name: string) => {
  const elf = openElf(fx(name));
  return { elf, debug: loadDebugInfo(elf) };
};
const one = (vars: VariableInfo[], name: string): VariableInfo => {
  expect(vars.map((v) => v.name)).toContain(name);
  expect(vars.filter((v) => v.name === name)).toHaveLength(1);
  return vars.find((v) => v.name === name)!;
};

describe('no debug info', () => {
  it('says how to fix a debug-stripped ELF', () => {
    const elf = openElf(fx('arm-gcc-stripped.elf'));
    expect(() => loadDebugInfo(elf)).toThrow(NoDebugInfoError);
    expect(() => loadDebugInfo(elf)).toThrow(
      `no DWARF in ${fx('arm-gcc-stripped.elf')}: rebuild with -g, or watch raw symbols with --raw`,
    );
  });
});

describe.each(WITH_DWARF)('%s', (name) => {
  it('gives every global the address the symbol table gives it', () => {
    const { elf, debug } = load(name);
    const syms = elf.symbols().filter((s) => s.type === 'object' && s.binding === 'global');
    expect(syms.length).toBeGreaterThan(15);
    for (const s of syms) {
      const v = debug.findVariables(s.name).filter((x) => x.scope === 'global');
      expect(v.map((x) => x.address), s.name).toEqual([s.value]);
    }
  });

  it('counts one compilation unit per source file', () => {
    expect(load(name).debug.unitCount).toBeGreaterThanOrEqual(2);
  });

  it('reports an extern declaration and its definition as one global, in the defining file', () => {
    const v = one(load(name).debug.findVariables('g_shared'), 'g_shared');
    expect(v.scope).toBe('global');
    expect(v.file).toMatch(/b\.c$/);
  });

  it('keeps same-named file-statics of two files apart', () => {
    const vars = load(name).debug.findVariables('s_count');
    expect(vars.map((v) => v.scope)).toEqual(['file-static', 'file-static']);
    expect(vars.map((v) => v.file?.replace(/.*\//, '')).sort()).toEqual(['a.c', 'b.c']);
  });

  it('finds function-static variables with their function and the symbol-table address', () => {
    const { elf, debug } = load(name);
    const ticks = one(debug.findVariables('ticks'), 'ticks');
    expect(ticks).toMatchObject({ scope: 'function-static', functionName: 'helper' });
    // gcc names the symbol ticks.N, clang helper.ticks.
    const sym = elf.symbols().find((s) => /^(helper\.)?ticks(\.\d+)?$/.test(s.name))!;
    expect(ticks.address).toBe(sym.value);
    expect(typeName(ticks.type)).toBe('volatile uint16_t');
  });

  it('decodes bitfields to the same memory positions as gdb', () => {
    const t = stripQualifiers(one(load(name).debug.variables() as VariableInfo[], 'g_stats').type) as AggregateType;
    const bits = Object.fromEntries(
      t.members.filter((m) => m.bitSize !== undefined).map((m) => [m.name, [m.offset, m.bitOffset, m.bitSize]]),
    );
    // gdb bitpos 112, 115, 120, 121 on every target here (LE counts from the LSB, BE from the MSB).
    expect(bits).toEqual({ kind: [14, 0, 3], level: [14, 3, 5], dirty: [15, 0, 1], small: [15, 1, 4] });
  });

  it('spells variable types like gdb whatis', () => {
    const vars = load(name).debug.variables() as VariableInfo[];
    const spell = (n: string) => typeName(one(vars, n).type);
    expect(spell('g_counter')).toBe('volatile uint32_t');
    expect(spell('p_stats')).toBe('struct pool_stats *');
    expect(spell('greeting')).toBe('const char *');
    expect(spell('matrix')).toBe('int [4][8]');
    expect(spell('g_callback')).toBe('void (*)(int)');
    expect(spell('g_const_ptr')).toBe('char * const');
    expect(spell('g_word')).toBe('union word');
    expect(spell('g_mode')).toBe('enum mode');
    expect(byteSizeOf(one(vars, 'matrix').type)).toBe(128);
  });
});

describe('types', () => {
  const { debug } = load('arm-gcc-dwarf2-O0.elf');
  const vars = debug.variables() as VariableInfo[];

  it('does not build a type until VariableInfo.type is read', () => {
    const { debug: fresh } = load('arm-gcc-dwarf4-Os.elf');
    const v = fresh.findVariables('g_stats')[0];
    expect(typeof Object.getOwnPropertyDescriptor(v, 'type')!.get).toBe('function');
    expect(v.type.kind).toBe('struct');
    expect(Object.getOwnPropertyDescriptor(v, 'type')!.get).toBeUndefined();
  });

  it('builds each type DIE once (shared objects)', () => {
    const p = stripQualifiers(one(vars, 'p_stats').type) as PointerType;
    expect(p.target).toBe(one(vars, 'g_stats').type);
  });

  it('handles a self-referencing struct as a cycle of two objects', () => {
    const node = one(vars, 'g_list').type as AggregateType;
    const next = node.members[0].type as PointerType;
    expect(next.target).toBe(node);
  });

  it('reads 1-byte enums (arm-none-eabi short enums) with unsigned and negative values', () => {
    const mode = stripQualifiers(one(vars, 'g_mode').type) as EnumType;
    expect(mode).toMatchObject({ byteSize: 1, signed: false });
    expect(mode.enumerators).toEqual([
      { name: 'MODE_IDLE', value: 0n },
      { name: 'MODE_RUN', value: 5n },
      { name: 'MODE_FAULT', value: 200n },
    ]);
    const delta = stripQualifiers(one(vars, 'g_delta').type) as EnumType;
    expect(delta.signed).toBe(true);
    expect(delta.enumerators.map((e) => e.value)).toEqual([-1n, 0n, 1n]);
  });

  it('keeps anonymous members with a null name and their own members', () => {
    const t = one(vars, 'g_anon').type as AggregateType;
    const anon = t.members[1];
    expect(anon.name).toBeNull();
    expect(anon.offset).toBe(4);
    expect(typeName(anon.type)).toBe('union {...}');
    expect((anon.type as AggregateType).members.map((m) => m.name)).toEqual(['as_int', 'as_float']);
    expect(typeName(t.members[2].type)).toBe('struct {...}');
  });

  it('gives a flexible array member an unknown dimension and no size', () => {
    const msg = (stripQualifiers(one(vars, 'g_msg').type) as PointerType).target as AggregateType;
    const data = msg.members.find((m) => m.name === 'data')!;
    expect(data.offset).toBe(4);
    expect((data.type as ArrayType).dims).toEqual([null]);
    expect(byteSizeOf(data.type)).toBeNull();
    expect(typeName(data.type)).toBe('uint8_t []');
  });

  it('lists union members at offset 0 and nested struct members at their offsets', () => {
    const w = one(vars, 'g_word').type as AggregateType;
    expect(w.members.map((m) => [m.name, m.offset])).toEqual([['w', 0], ['halves', 0], ['bytes', 0]]);
    const halves = w.members[1].type as AggregateType;
    expect(halves.members.map((m) => [m.name, m.offset])).toEqual([['lo', 0], ['hi', 2]]);
  });

  it('completes an opaque struct pointer with the definition from another unit, like gdb', () => {
    for (const name of WITH_DWARF) {
      const p = stripQualifiers(one(load(name).debug.variables() as VariableInfo[], 'g_opaque').type) as PointerType;
      expect(typeName(p), name).toBe('struct private_pool *');
      expect(byteSizeOf(p.target), name).toBe(8);
      expect((p.target as AggregateType).members.map((m) => m.name), name).toEqual(['a', 'b']);
    }
  });

  it('describes function pointer parameters and return type', () => {
    const fp = one(vars, 'g_callback').type as PointerType;
    expect(fp.target).toMatchObject({ kind: 'function', prototyped: true, variadic: false });
  });
});

describe('variables and locations', () => {
  it('reports a file-static the optimizer folded into constants with a null address, never a guess', () => {
    const vars = load('arm-gcc-dwarf5-O2.elf').debug.findVariables('s_count');
    expect(vars).toHaveLength(2);
    for (const v of vars) expect(v.address).toBeNull();
  });

  it('resolves clang DWARF 5 strx/addrx forms through .debug_str_offsets and .debug_addr', () => {
    const { elf, debug } = load('clang-thumb-dwarf5.elf');
    expect(elf.section('.debug_str_offsets')).toBeDefined();
    expect(elf.section('.debug_addr')).toBeDefined();
    const g = one(debug.variables() as VariableInfo[], 'g_stats');
    expect(g.address).toBe(elf.symbols().find((s) => s.name === 'g_stats')!.value);
    expect(g.file).toBe('a.c');
  });

  it('follows DW_FORM_ref_sig8 into .debug_types (DWARF 4) and DW_UT_type units (DWARF 5)', () => {
    for (const name of ['x86_64-gcc-dwarf4-types.elf', 'x86_64-gcc-dwarf5-types.elf']) {
      const t = stripQualifiers(one(load(name).debug.variables() as VariableInfo[], 'g_stats').type) as AggregateType;
      expect(t.name).toBe('pool_stats');
      expect(t.members.map((m) => m.name)).toEqual(['used', 'free_bytes', 'largest_free', 'allocs', 'kind', 'level', 'dirty', 'small', 'mode']);
    }
  });

  it('records the declaration line and file (from the .debug_line file table)', () => {
    for (const name of ['arm-gcc-dwarf2-O0.elf', 'arm-gcc-dwarf4-Os.elf', 'arm-gcc-dwarf5-be.elf', 'clang-thumb-dwarf5.elf']) {
      const v = load(name).debug.findVariables('g_counter')[0];
      expect(v.declLine, name).toBe(6);
      expect(v.declFile, name).toBe('a.c');
      expect(load(name).debug.findVariables('ticks')[0].declFile, name).toBe('b.c');
    }
  });

  it('finds nothing for an unknown name', () => {
    expect(load('arm-gcc-dwarf2-O0.elf').debug.findVariables('no_such_variable')).toEqual([]);
  });
});

describe('C++ names are qualified like gdb\'s (tests/fixtures/elf/corpus/cxx-* check everything against gdb)', () => {
  const { elf, debug } = load('arm-g++-dwarf4.elf');
  const vars = debug.variables() as VariableInfo[];

  it('reports a class static member once, at its definition, named Namespace::Class::member', () => {
    const v = one(vars, 'heap::Pool::instances');
    expect(v.address).toBe(elf.symbols().find((s) => s.name === '_ZN4heap4Pool9instancesE')!.value);
    expect(v.linkageName).toBe('_ZN4heap4Pool9instancesE');
    expect(v.scope).toBe('global');
  });

  it('finds variables inside namespaces (qualified) and spells references with &', () => {
    expect(one(vars, 'heap::g_counter').address).not.toBeNull();
    expect(typeName(one(vars, 'g_ref').type)).toBe('int &');
  });

  it('lists a base class as an unnamed member and skips static members in the layout', () => {
    const pool = stripQualifiers(one(vars, 'heap::g_pool').type) as AggregateType;
    expect(pool.kind).toBe('class');
    expect(pool.byteSize).toBe(16);
    expect(pool.members.map((m) => [m.name, m.offset])).toEqual([[null, 0], ['id', 8], ['ref_count', 12]]);
    expect((pool.members[0].type as AggregateType).name).toBe('heap::Stats');
    expect(pool.members[0].baseClass).toBe(true);
  });

  it('reads an enum class with a 1-byte underlying type', () => {
    const e = stripQualifiers(one(vars, 'heap::g_level').type) as EnumType;
    expect(e).toMatchObject({ byteSize: 1, signed: false });
    expect(e.enumerators.map((x) => x.value)).toEqual([1n, 200n]);
  });
});

describe('unsupported DWARF', () => {
  it('refuses split DWARF (skeleton units only) with a message naming -gsplit-dwarf', () => {
    const debug = load('x86_64-gcc-split.elf').debug;
    expect(() => debug.variables()).toThrow(UnsupportedDwarfError);
    expect(() => debug.variables()).toThrow(/split DWARF \(-gsplit-dwarf\).*rebuild without -gsplit-dwarf/);
  });

  it('names an unknown attribute form and the unit it is in', () => {
    const bytes = new Uint8Array(readFileSync(fx('arm-gcc-dwarf4-Os.elf')));
    const elf = parseElf(bytes, 'patched.elf');
    const abbrev = elf.section('.debug_abbrev')!;
    // First abbreviation: code 1, tag, children flag, then (attribute, form) pairs. Replace the first
    // form by 0x7f, which no DWARF version defines.
    const a = bytes.subarray(abbrev.offset, abbrev.offset + abbrev.size);
    let p = 0;
    const leb = () => {
      while (a[p] & 0x80) p++;
      p++;
    };
    leb(); // code
    leb(); // tag
    p++; // children
    leb(); // attribute
    a[p] = 0x7f;
    const debug = loadDebugInfo(parseElf(bytes, 'patched.elf'));
    let err: unknown;
    try {
      debug.variables();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedDwarfError);
    expect((err as Error).message).toMatch(/unsupported DWARF form DW_FORM_0x7f .* in the unit at \.debug_info\+0x0/);
  });
});
