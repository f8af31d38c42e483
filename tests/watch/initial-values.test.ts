// Decoders on real ELFs: the initial values of initialised globals are in the ELF's load segments,
// so decoding those bytes through a resolved watch must give back the C initialisers (little- and
// big-endian, gcc and clang, 32- and 64-bit).
import { describe, expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { openElf } from '../../src/elf/elf.js';
import type { ElfFile } from '../../src/elf/elf.js';
import { resolveWatch } from '../../src/watch/resolve.js';
import type { Watch } from '../../src/watch/types.js';

/** The bytes a static watch reads at reset: from the PT_LOAD segment that holds its address. */
function initialBytes(elf: ElfFile, w: Watch): Uint8Array {
  for (const s of elf.segments) {
    if (s.type === 1 && w.address >= s.vaddr && w.address + w.byteSize <= s.vaddr + s.filesz) {
      const off = w.address - s.vaddr;
      return s.data().subarray(off, off + w.byteSize);
    }
  }
  throw new Error(`${w.expr} @0x${w.address.toString(16)} is not in a loaded segment`);
}

function valuesOf(path: string) {
  const elf = openElf(path);
  const debug = loadDebugInfo(elf);
  return (expr: string) => {
    const w = resolveWatch(debug, elf, expr);
    return w.decode(initialBytes(elf, w));
  };
}

const corpus = [
  'arm-gcc-dwarf4-O0.elf',
  'armbe-gcc-dwarf4-O0.elf',
  'arm-clang-dwarf5-O0.elf',
  'rv64-gcc-dwarf4-O0.elf',
];

describe.each(corpus)('initial values of %s', (name) => {
  const value = valuesOf(`tests/fixtures/elf/corpus/${name}`);

  it('decodes integers, 64-bit integers and floats', () => {
    expect(value('g_counter')).toBe(5);
    expect(value('g_short')).toBe(-2);
    expect(value('g_schar')).toBe(-1);
    expect(value('g_uchar')).toBe(200);
    expect(value('g_llong')).toBe(-4n);
    expect(value('g_u64')).toBe(0x1122334455667788n);
    expect(value('g_float')).toBe(1.5);
    expect(value('g_double')).toBe(2.25);
    expect(value('g_flag')).toBe(true);
  });

  it('decodes enums of every size to their names', () => {
    expect(value('g_color')).toBe('COLOR_GREEN');
    expect(value('g_wide')).toBe('WIDE_BIG');
    expect(value('g_signed_enum')).toBe('SIGNED_NEG');
    expect(value('g_huge')).toBe('HUGE_BIG');
    expect(value('g_state')).toBe('STATE_RUN');
  });

  it('decodes a char array as a string and a struct with a nested struct', () => {
    expect(value('g_name')).toBe('firmware');
    expect(value('g_sample.pos')).toEqual({ x: 1, y: 2 });
    expect(value('g_sample.col')).toBe('COLOR_BLUE');
  });

  it('decodes bitfields, signed ones sign-extended', () => {
    expect(value('g_bits')).toMatchObject({ a: 1, b: 0, c: -3, d: 0, e: 0xabc, f: -1000, wide: 0x12345678 });
    expect(value('g_bits.c')).toBe(-3);
    expect(value('g_bits.f')).toBe(-1000);
  });

  it('decodes packed structs with unaligned members', () => {
    expect(value('g_packed')).toMatchObject({ tag: 1, value: 0xdeadbeef, q: 300, r: -7 });
  });

  it('decodes a struct with a flexible array member up to its fixed part', () => {
    expect(value('g_msg')).toEqual({ len: 3, kind: 1, payload: [] });
  });
});

describe('initial values of the bundled firmware', () => {
  const value = valuesOf('firmware/prebuilt/heapdemo-m0plus-leak.elf');

  it('matches the firmware initialisers', () => {
    expect(value('g_magic')).toBe(0xc0ffee42);
    expect(value('g_mode')).toBe('MODE_RUN');
    expect(value('g_flags')).toEqual({ enabled: 1, mode: 5, level: 9, delta: -3, reserved: 0 });
    expect(value('g_config.pos')).toEqual({ x: -5, y: 12 });
    expect(value('g_config.bytes')).toEqual([0xaa, 0xbb, 0xcc]);
    expect(value('g_config.mode')).toBe('MODE_SLEEP');
    expect(value('g_samples')).toEqual([1, 2, 3, 5, 8, 13, 21, 34]);
    expect(value('g_matrix')).toEqual([
      [1, -2, 3],
      [-4, 5, -6],
    ]);
    expect(value('g_matrix[1][2]')).toBe(-6);
    expect(value('g_temperature')).toBe(36.5);
    expect(value('g_ratio')).toBe(3.141592653589793);
    expect(value('g_big')).toBe(-1234567890123n);
    expect(value('g_ubig')).toBe(0xdeadbeefcafef00dn);
    expect(value('g_name')).toBe('heapscope');
    expect(value('g_small')).toBe(-7);
    expect(value('g_bytes')).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(value('g_flag_true')).toBe(true);
  });
});
