// Hostile input for the ELF/DWARF reader: for each case parseElf/openElf -> loadDebugInfo ->
// variables() (and every type touched) either succeeds or throws a HeapscopeError subclass: never
// another exception type, never a hang, never a crash. The reader runs in a worker thread
// (tests/fixtures/elf/isolated-reader.ts) so that a hang is caught by a per-case timeout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../fixtures/elf/corpus.js';
import { IsolatedReader, type Input, type Outcome } from '../fixtures/elf/isolated-reader.js';

// A few corpus ELFs that between them cover little/big-endian, ELF32/ELF64, DWARF 4/5 with 32- and
// 64-bit offsets, gcc/clang forms (strx/addrx) and a zlib-compressed debug section.
const SUBJECTS = [
  'arm-gcc-dwarf5-O2.elf',
  'armbe-gcc-dwarf4-O0.elf',
  'arm-clang-dwarf5-O2.elf',
  'arm-gcc-dwarf4-Os-gz-zlib.elf',
  'rv64-gcc-dwarf5-O2-dwarf64.elf',
];
const CASE_TIMEOUT_MS = 5_000;
const FLIPS_PER_ELF = 40; // x 5 ELFs = 200 seeded mutations

let reader: IsolatedReader;
let scratch: string;

beforeAll(() => {
  reader = new IsolatedReader(CASE_TIMEOUT_MS);
  scratch = mkdtempSync(join(tmpdir(), 'heapscope-bad-files-'));
});

afterAll(async () => {
  await reader?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function acceptable(o: Outcome): boolean {
  return o.result === 'ok' || o.result === 'typed';
}

/** Runs every case, returns the unacceptable ones as readable lines. */
async function failures(cases: readonly { label: string; input: Input }[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of cases) {
    const o = await reader.run(c.input);
    if (!acceptable(o)) out.push(`${c.label}: ${JSON.stringify(o)}`);
    // BAD_INPUT_TRACE=1 prints every outcome (to see which errors the mutations provoke).
    if (process.env.BAD_INPUT_TRACE) console.log(c.label, o.result, 'name' in o ? o.name : '', 'message' in o ? o.message.slice(0, 120) : '');
  }
  return out;
}

interface Layout {
  is64: boolean;
  le: boolean;
  ehsize: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  sections: { name: string; offset: number; size: number; nobits: boolean; headerAt: number }[];
}

/** Our own minimal header reader, so the test does not depend on the code under test. */
function layout(b: Uint8Array): Layout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const word = (o: number): number => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const phoff = word(is64 ? 0x20 : 0x1c);
  const shoff = word(is64 ? 0x28 : 0x20);
  const h = is64 ? 0x34 : 0x28;
  const l: Layout = {
    is64, le, ehsize: u16(h), phoff, phentsize: u16(h + 2), phnum: u16(h + 4),
    shoff, shentsize: u16(h + 6), shnum: u16(h + 8), sections: [],
  };
  const shstrndx = u16(h + 10);
  const strOff = word(shoff + shstrndx * l.shentsize + (is64 ? 0x18 : 0x10));
  for (let i = 0; i < l.shnum; i++) {
    const at = shoff + i * l.shentsize;
    const nameOff = u32(at);
    let end = strOff + nameOff;
    while (b[end] !== 0) end++;
    l.sections.push({
      name: new TextDecoder().decode(b.subarray(strOff + nameOff, end)),
      offset: word(at + (is64 ? 0x18 : 0x10)),
      size: word(at + (is64 ? 0x20 : 0x14)),
      nobits: u32(at + 4) === 8,
      headerAt: at,
    });
  }
  return l;
}

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function read(name: string): Uint8Array {
  return new Uint8Array(readFileSync(corpusPath(name)));
}

describe.each(SUBJECTS)('%s', (name) => {
  it('parses intact (the baseline the mutations start from)', async () => {
    const o = await reader.run({ bytes: read(name) });
    expect(o.result).toBe('ok');
  });

  it('truncated at every header and section boundary: a typed error or a valid read, never anything else', async () => {
    const bytes = read(name);
    const l = layout(bytes);
    const cuts = new Set<number>([0, 1, 4, 5, 6, 16, 0x18, l.ehsize - 1, l.ehsize, bytes.length - 1]);
    for (let i = 0; i <= l.phnum; i++) cuts.add(l.phoff + i * l.phentsize);
    for (let i = 0; i <= l.shnum; i++) cuts.add(l.shoff + i * l.shentsize);
    for (const s of l.sections) {
      if (s.nobits || s.size === 0) continue;
      cuts.add(s.offset);
      cuts.add(s.offset + Math.floor(s.size / 2));
      cuts.add(s.offset + s.size);
    }
    const cases = [...cuts]
      .filter((n) => n >= 0 && n < bytes.length)
      .sort((a, b) => a - b)
      .map((n) => ({ label: `truncated to ${n} bytes`, input: { bytes: bytes.slice(0, n) } }));
    expect(cases.length).toBeGreaterThan(20);
    expect(await failures(cases)).toEqual([]);
  });

  it('with each debug section cut short in its section header: a typed error or a valid read', async () => {
    // Truncating the file removes the section table (it is at the end), so this is how a reader
    // meets a .debug_* section that ends in the middle of a unit, a DIE, a string or a zlib stream.
    const bytes = read(name);
    const l = layout(bytes);
    const cases: { label: string; input: Input }[] = [];
    for (const s of l.sections) {
      if (!/debug/.test(s.name) || s.size < 2) continue;
      for (const keep of [1, Math.floor(s.size / 3), s.size - 1]) {
        const b = bytes.slice();
        const dv = new DataView(b.buffer);
        const sizeAt = s.headerAt + (l.is64 ? 0x20 : 0x14);
        if (l.is64) dv.setBigUint64(sizeAt, BigInt(keep), l.le);
        else dv.setUint32(sizeAt, keep, l.le);
        cases.push({ label: `${s.name} cut to ${keep} of ${s.size} bytes`, input: { bytes: b } });
      }
    }
    expect(cases.length).toBeGreaterThan(6);
    expect(await failures(cases)).toEqual([]);
  });

  it(`with ${FLIPS_PER_ELF} seeded random byte flips: a typed error or a valid read`, async () => {
    const bytes = read(name);
    const l = layout(bytes);
    const debug = l.sections.filter((s) => /debug/.test(s.name) && s.size > 0);
    const rnd = prng(0x5eed + SUBJECTS.indexOf(name));
    const cases: { label: string; input: Input }[] = [];
    for (let i = 0; i < FLIPS_PER_ELF; i++) {
      const b = bytes.slice();
      const flips: string[] = [];
      const n = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < n; k++) {
        // Two thirds land in debug sections (what the DWARF reader parses), the rest anywhere.
        let at: number;
        if (rnd() < 2 / 3 && debug.length > 0) {
          const s = debug[Math.floor(rnd() * debug.length)]!;
          at = s.offset + Math.floor(rnd() * s.size);
        } else {
          at = Math.floor(rnd() * b.length);
        }
        const mask = 1 + Math.floor(rnd() * 255);
        b[at]! ^= mask;
        flips.push(`0x${at.toString(16)}^0x${mask.toString(16)}`);
      }
      cases.push({ label: `flip ${flips.join(',')}`, input: { bytes: b } });
    }
    expect(await failures(cases)).toEqual([]);
  });
});

describe('not an ELF at all', () => {
  it('a zero-length file gives a typed error', async () => {
    const path = join(scratch, 'empty.elf');
    writeFileSync(path, new Uint8Array(0));
    const fromBytes = await reader.run({ bytes: new Uint8Array(0) });
    const fromPath = await reader.run({ path });
    expect([fromBytes.result, fromPath.result]).toEqual(['typed', 'typed']);
  });

  it('a directory gives a typed error', async () => {
    const o = await reader.run({ path: scratch });
    expect(o).toMatchObject({ result: 'typed', name: 'ElfFormatError' });
  });

  it('a missing file gives a typed error', async () => {
    const o = await reader.run({ path: join(scratch, 'no-such.elf') });
    expect(o).toMatchObject({ result: 'typed', name: 'ElfFormatError' });
  });

  it('a PE (Windows) executable gives a typed error', async () => {
    // DOS stub "MZ", e_lfanew at 0x3c -> "PE\0\0", a COFF header for x86-64 and an optional header magic.
    const pe = new Uint8Array(512);
    const dv = new DataView(pe.buffer);
    pe.set([0x4d, 0x5a], 0);
    dv.setUint32(0x3c, 0x80, true);
    pe.set([0x50, 0x45, 0, 0], 0x80);
    dv.setUint16(0x84, 0x8664, true); // Machine
    dv.setUint16(0x86, 1, true); // NumberOfSections
    dv.setUint16(0x94, 0xf0, true); // SizeOfOptionalHeader
    dv.setUint16(0x98, 0x20b, true); // PE32+ magic
    const path = join(scratch, 'app.exe');
    writeFileSync(path, pe);
    expect(await reader.run({ bytes: pe })).toMatchObject({ result: 'typed', name: 'ElfFormatError' });
    expect(await reader.run({ path })).toMatchObject({ result: 'typed', name: 'ElfFormatError' });
  });

  it('a text file gives a typed error', async () => {
    const path = join(scratch, 'firmware.map');
    writeFileSync(path, 'Memory Configuration\n\nName Origin Length Attributes\nFLASH 0x08000000 0x00040000 xr\n');
    expect(await reader.run({ path })).toMatchObject({ result: 'typed', name: 'ElfFormatError' });
  });

  it('an ELF whose debug sections were renamed away gives NoDebugInfoError', async () => {
    // Like a stripped release build: rename .debug_* in the section-name string table.
    const bytes = read(SUBJECTS[0]!);
    const l = layout(bytes);
    const shstr = l.sections.find((s) => s.name === '.shstrtab')!;
    const names = bytes.subarray(shstr.offset, shstr.offset + shstr.size);
    for (let i = 0; i + 6 < names.length; i++) {
      if (new TextDecoder().decode(names.subarray(i, i + 6)) === 'debug_') names[i] = 0x78; // 'x'
    }
    expect(await reader.run({ bytes })).toMatchObject({ result: 'typed', name: 'NoDebugInfoError' });
  });

  it('an ELF header with nothing after it gives a typed error', async () => {
    const bytes = read(SUBJECTS[0]!).slice(0, 52);
    expect(await reader.run({ bytes })).toMatchObject({ result: 'typed' });
  });
});
