// The ELF container reader against committed fixtures (tests/fixtures/elf-unit/build.sh builds them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openElf, parseElf, SHF_COMPRESSED } from '../../src/elf/elf.js';
import { ElfFormatError } from '../../src/errors.js';

const fx = (name: string) => join(import.meta.dirname, '../fixtures/elf-unit', name);

describe('ELF header and tables', () => {
  it('reads a 32-bit little-endian ARM ELF header', () => {
    const elf = openElf(fx('arm-gcc-dwarf2-O0.elf'));
    expect(elf.is64).toBe(false);
    expect(elf.littleEndian).toBe(true);
    expect(elf.machine).toBe(40);
    expect(elf.machineName).toBe('ARM');
    expect(elf.type).toBe(2);
    expect(elf.entry).toBe(0x0800009d);
  });

  it('reads a 32-bit big-endian ARM ELF header and its sections', () => {
    const elf = openElf(fx('arm-gcc-dwarf3-be.elf'));
    expect(elf.littleEndian).toBe(false);
    expect(elf.entry).toBe(0x0800009d);
    const data = elf.section('.data')!;
    expect(data.addr).toBe(0x20000000);
    expect(data.size).toBe(0x50);
  });

  it('reads a 64-bit x86-64 ELF', () => {
    const elf = openElf(fx('x86_64-gcc-dwarf5.elf'));
    expect(elf.is64).toBe(true);
    expect(elf.machineName).toBe('x86-64');
    expect(elf.section('.data')!.addr).toBe(0x403000);
    expect(elf.section('.bss')!.addr).toBe(0x403060);
  });

  it('lists program headers with file and memory sizes', () => {
    const elf = openElf(fx('arm-gcc-dwarf2-O0.elf'));
    const rw = elf.segments.find((s) => s.type === 1 && s.vaddr === 0x20000000)!;
    expect(rw.filesz).toBe(0x50);
    expect(rw.memsz).toBe(0x148);
    expect(rw.data().byteLength).toBe(0x50);
  });

  it('gives no bytes for a NOBITS section (.bss)', () => {
    const elf = openElf(fx('arm-gcc-dwarf2-O0.elf'));
    expect(elf.section('.bss')!.type).toBe(8);
    expect(elf.sectionData('.bss')).toBeUndefined();
  });

  it('returns section data as a view into the file bytes, not a copy', () => {
    const bytes = new Uint8Array(readFileSync(fx('arm-gcc-dwarf2-O0.elf')));
    const elf = parseElf(bytes);
    const d = elf.sectionData('.data')!;
    expect(d.buffer).toBe(bytes.buffer);
  });
});

describe('compressed debug sections', () => {
  it('inflates SHF_COMPRESSED (-gz=zlib) and .zdebug_* (-gz=zlib-gnu) to the same layout', () => {
    const z = openElf(fx('arm-gcc-gz-zlib.elf'));
    const g = openElf(fx('arm-gcc-gz-gnu.elf'));
    expect(z.section('.debug_info')!.flags & SHF_COMPRESSED).toBeTruthy();
    expect(g.section('.zdebug_info')).toBeDefined();
    const a = z.sectionData('.debug_info')!;
    const b = g.sectionData('.debug_info')!;
    expect(a.byteLength).toBeGreaterThan(z.section('.debug_info')!.size);
    // Same source and flags but the producer string (-gz=...) differs, so string offsets differ: compare
    // the sizes and the unit header (length, version).
    expect(a.byteLength).toBe(b.byteLength);
    expect(Buffer.from(a.subarray(0, 6)).equals(Buffer.from(b.subarray(0, 6)))).toBe(true);
    expect(new DataView(a.buffer, a.byteOffset).getUint16(4, true)).toBe(4);
    // The first unit's 32-bit length covers the rest of the section (one unit per CU, two CUs).
    const len = new DataView(a.buffer, a.byteOffset).getUint32(0, true);
    expect(len + 4).toBeLessThan(a.byteLength);
  });

  it('decompresses zstd sections where node:zlib can (Node >= 22.15), else says what to do', () => {
    const elf = openElf(fx('arm-gcc-gz-zstd.elf'));
    const plain = openElf(fx('arm-gcc-dwarf4-Os.elf')).sectionData('.debug_info')!;
    if (typeof (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync === 'function') {
      expect(Buffer.from(elf.sectionData('.debug_info')!).equals(Buffer.from(plain))).toBe(true);
    } else {
      expect(() => elf.sectionData('.debug_info')).toThrow(ElfFormatError);
      expect(() => elf.sectionData('.debug_info')).toThrow(/zstd-compressed .* Node 22\.15 .* -gz=zlib/);
    }
  });

  it('reports a corrupt compressed section as ElfFormatError', () => {
    const bytes = new Uint8Array(readFileSync(fx('arm-gcc-gz-zlib.elf')));
    const s = parseElf(bytes).section('.debug_info')!;
    bytes.fill(0xff, s.offset + 12, s.offset + 40);
    expect(() => parseElf(bytes, 'x.elf').sectionData('.debug_info')).toThrow(/compressed section \.debug_info/);
  });
});

describe('symbols', () => {
  it('reads .symtab with type, binding, size and section', () => {
    const syms = openElf(fx('arm-gcc-dwarf2-O0.elf')).symbols();
    const g = syms.find((s) => s.name === 'g_stats')!;
    expect(g).toMatchObject({ value: 0x20000000, size: 20, type: 'object', binding: 'global', sectionName: '.data' });
    const statics = syms.filter((s) => s.name === 's_count');
    expect(statics.map((s) => s.value).sort()).toEqual([0x20000044, 0x2000004c]);
    expect(statics.every((s) => s.binding === 'local')).toBe(true);
    expect(syms.find((s) => s.name === 'bump')).toMatchObject({ type: 'func', value: 0x08000001, size: 108 });
    expect(syms.find((s) => s.name === 's_buffer')!.sectionName).toBe('.bss');
  });

  it('reads big-endian and 64-bit symbol tables', () => {
    const be = openElf(fx('arm-gcc-dwarf3-be.elf')).symbols();
    expect(be.find((s) => s.name === 'g_stats')).toMatchObject({ value: 0x20000000, size: 20 });
    const x = openElf(fx('x86_64-gcc-dwarf5.elf')).symbols();
    expect(x.find((s) => s.name === 'g_stats')).toMatchObject({ value: 0x403000, size: 20, type: 'object' });
    expect(x.find((s) => s.name === 'bump')).toMatchObject({ value: 0x401000, size: 113, type: 'func' });
  });

  it('keeps the symbol table in a debug-stripped ELF', () => {
    const elf = openElf(fx('arm-gcc-stripped.elf'));
    expect(elf.section('.debug_info')).toBeUndefined();
    expect(elf.symbols().some((s) => s.name === 'g_counter')).toBe(true);
  });
});

describe('build-id', () => {
  it('reads the GNU build-id note on LE, BE and ELF64', () => {
    expect(openElf(fx('arm-gcc-dwarf2-O0.elf')).buildId()).toBe('1ddb3ace17dc2d9df3cf1078724b4fb9688f8698');
    expect(openElf(fx('arm-gcc-dwarf3-be.elf')).buildId()).toBe('7284b7cb1cb4828b022bbe215c74b5e19aac60b0');
    expect(openElf(fx('x86_64-gcc-dwarf5.elf')).buildId()).toBe('810f73500912b9aabb448fe9fd77f94e33eebcd6');
  });
});

describe('malformed input', () => {
  const bytes = new Uint8Array(readFileSync(fx('arm-gcc-dwarf2-O0.elf')));

  it('rejects an empty file', () => {
    expect(() => parseElf(new Uint8Array(0), 'e.elf')).toThrow(ElfFormatError);
  });

  it('rejects a file without ELF magic and recognises a PE file', () => {
    expect(() => parseElf(new TextEncoder().encode('hello world, not an elf'), 't.txt')).toThrow(/not an ELF/);
    const pe = new Uint8Array(128);
    pe.set([0x4d, 0x5a]);
    expect(() => parseElf(pe, 'a.exe')).toThrow(/PE/);
  });

  it('names the section a truncated file cuts', () => {
    const elf = parseElf(bytes);
    // Move the section header table to stay readable: cut inside .debug_info only if headers precede it.
    const info = elf.section('.debug_info')!;
    const cut = bytes.slice(0, info.offset + 10);
    expect(() => parseElf(cut, 'cut.elf')).toThrow(ElfFormatError);
    expect(() => parseElf(cut, 'cut.elf')).toThrow(/cut\.elf: truncated at/);
  });

  it('says "truncated at section" when the header table survives but a section does not', () => {
    const elf = parseElf(bytes);
    const info = elf.section('.debug_info')!;
    const copy = bytes.slice();
    // Point .debug_info past the end of the file: the reader must name it.
    const shoff = new DataView(copy.buffer).getUint32(32, true);
    const hdr = shoff + info.index * 40;
    new DataView(copy.buffer).setUint32(hdr + 16, copy.byteLength - 4, true);
    expect(() => parseElf(copy, 'x.elf')).toThrow(/truncated at section \.debug_info/);
  });

  it('rejects truncation at every 64-byte step with ElfFormatError only', () => {
    for (let n = 0; n < bytes.byteLength; n += 64) {
      try {
        const e = parseElf(bytes.subarray(0, n), 't.elf');
        e.symbols();
      } catch (err) {
        expect(err).toBeInstanceOf(ElfFormatError);
        continue;
      }
      throw new Error(`truncation to ${n} bytes was accepted`);
    }
  });

  it('rejects a bad class byte', () => {
    const copy = bytes.slice();
    copy[4] = 9;
    expect(() => parseElf(copy, 'c.elf')).toThrow(/bad ELF class/);
  });

  it('reports a directory and a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-elf-'));
    try {
      expect(() => openElf(dir)).toThrow(/is a directory/);
      expect(() => openElf(join(dir, 'nope.elf'))).toThrow(/no such file/);
      writeFileSync(join(dir, 'z.elf'), '');
      expect(() => openElf(join(dir, 'z.elf'))).toThrow(/empty file/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
