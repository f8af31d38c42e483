// The ELF container: header, section headers, program headers, compressed sections, build-id.
//
// Our own reader rather than the `elfy` npm package: elfy misreads ELF64 align/entsize, hands NOBITS
// sections (.bss) bytes from the file that do not belong to them, and does not parse .symtab. Firmware
// tooling lives or dies by .bss and the symbol table, so we read the container ourselves.
//
// Everything is a view over the caller's bytes (DataView / subarray); only decompressed sections are
// new buffers, and those are cached. Every offset read from the file is bounds-checked before use, and
// any inconsistency is an ElfFormatError naming the file and what is wrong.

import { readFileSync, statSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { inflateSync } from 'node:zlib';
import { ElfFormatError } from '../errors.js';
import { cString } from './c-string.js';
import { machineNameOf } from './machines.js';
import { readSymbols, type ElfSymbol } from './symbols.js';

export type { ElfSymbol } from './symbols.js';

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  entsize: number;
  link: number;
  info: number;
  addralign: number;
}

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
  /** The file bytes of the segment (filesz bytes; the memsz - filesz tail is zero-fill, not stored). */
  data(): Uint8Array;
}

export interface ElfFile {
  path: string;
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  machineName: string;
  type: number;
  entry: number;
  sections: ElfSection[];
  segments: ElfSegment[];
  /** First section with this exact name. */
  section(name: string): ElfSection | undefined;
  /** Section contents, decompressed (SHF_COMPRESSED, and `.zdebug_x` when asked for `.debug_x` or
   * `.zdebug_x`). NOBITS (.bss) and missing sections give undefined. */
  sectionData(name: string): Uint8Array | undefined;
  /** Contents of a section by header (same rules as sectionData). */
  sectionBytes(section: ElfSection): Uint8Array | undefined;
  /** .symtab + .dynsym, parsed on first call and cached. */
  symbols(): ElfSymbol[];
  /** GNU build-id as lowercase hex, or null. */
  buildId(): string | null;
}

export const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHT_SYMTAB_SHNDX = 18;
export const SHF_COMPRESSED = 0x800;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const SHN_XINDEX = 0xffff;
const NT_GNU_BUILD_ID = 3;

/** Reads header fields of either width and endianness from one DataView, with bounds checks. */
export class ElfBytes {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(what: string): never {
    throw new ElfFormatError(`${this.path}: ${what}`);
  }
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.byteLength) {
      this.fail(
        `truncated at ${what} (needs bytes ${offset}..${offset + length}, file has ${this.bytes.byteLength})`,
      );
    }
  }
  u8(o: number): number {
    return this.view.getUint8(o);
  }
  u16(o: number): number {
    return this.view.getUint16(o, this.littleEndian);
  }
  u32(o: number): number {
    return this.view.getUint32(o, this.littleEndian);
  }
  /** 64-bit field as a number. Values above 2^53 (kernel-space addresses) lose low bits; offsets and
   * sizes that large cannot be inside a file we hold in memory and fail the bounds checks anyway. */
  u64(o: number): number {
    return Number(this.view.getBigUint64(o, this.littleEndian));
  }
  word(o: number, is64: boolean): number {
    return is64 ? this.u64(o) : this.u32(o);
  }
}

export function parseElf(bytes: Uint8Array, path = '<memory>'): ElfFile {
  if (bytes.byteLength === 0) throw new ElfFormatError(`${path}: empty file, not an ELF`);
  if (
    bytes.byteLength < 4 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    const hint = bytes[0] === 0x4d && bytes[1] === 0x5a ? ' (it looks like a Windows PE/MZ file)' : '';
    throw new ElfFormatError(`${path}: not an ELF file (no \\x7fELF magic)${hint}`);
  }
  if (bytes.byteLength < 16) throw new ElfFormatError(`${path}: truncated at ELF identification`);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw new ElfFormatError(`${path}: bad ELF class ${cls} (expected 1 or 2)`);
  if (data !== 1 && data !== 2) throw new ElfFormatError(`${path}: bad ELF data encoding ${data}`);
  const is64 = cls === 2;
  const r = new ElfBytes(bytes, data === 1, path);
  const ehsize = is64 ? 64 : 52;
  r.need(0, ehsize, 'ELF header');

  const type = r.u16(16);
  const machine = r.u16(18);
  const entry = r.word(24, is64);
  const phoff = is64 ? r.u64(32) : r.u32(28);
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const o = is64 ? 52 : 40; // e_ehsize onwards
  const phentsize = r.u16(o + 2);
  let phnum = r.u16(o + 4);
  const shentsize = r.u16(o + 6);
  let shnum = r.u16(o + 8);
  let shstrndx = r.u16(o + 10);

  const wantSh = is64 ? 64 : 40;
  const wantPh = is64 ? 56 : 32;
  if (shoff !== 0 && shentsize < wantSh) r.fail(`bad section header size ${shentsize} (expected ${wantSh})`);
  if (phoff !== 0 && phnum !== 0 && phentsize < wantPh) {
    r.fail(`bad program header size ${phentsize} (expected ${wantPh})`);
  }

  // Extended numbering: more than 0xff00 sections keep the real counts in section header 0.
  if (shoff !== 0) {
    r.need(shoff, shentsize, 'section header 0');
    if (shnum === 0) shnum = r.word(shoff + (is64 ? 32 : 20), is64);
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + (is64 ? 40 : 24));
    if (phnum === 0xffff) phnum = r.u32(shoff + (is64 ? 44 : 28));
  } else {
    shnum = 0;
  }
  if (shnum > 0) r.need(shoff, shnum * shentsize, `section header table (${shnum} entries at offset ${shoff})`);
  if (phnum > 0 && phoff !== 0) {
    r.need(phoff, phnum * phentsize, `program header table (${phnum} entries at offset ${phoff})`);
  } else {
    phnum = 0;
  }

  const sections: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const b = shoff + i * shentsize;
    sections.push(
      is64
        ? {
            index: i,
            name: '',
            type: r.u32(b + 4),
            flags: r.u64(b + 8),
            addr: r.u64(b + 16),
            offset: r.u64(b + 24),
            size: r.u64(b + 32),
            link: r.u32(b + 40),
            info: r.u32(b + 44),
            addralign: r.u64(b + 48),
            entsize: r.u64(b + 56),
          }
        : {
            index: i,
            name: '',
            type: r.u32(b + 4),
            flags: r.u32(b + 8),
            addr: r.u32(b + 12),
            offset: r.u32(b + 16),
            size: r.u32(b + 20),
            link: r.u32(b + 24),
            info: r.u32(b + 28),
            addralign: r.u32(b + 32),
            entsize: r.u32(b + 36),
          },
    );
  }

  // Section names.
  if (shnum > 0 && shstrndx !== 0) {
    if (shstrndx >= shnum) r.fail(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
    const strtab = sections[shstrndx];
    r.need(strtab.offset, strtab.size, `section name table (section ${shstrndx})`);
    const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
    for (let i = 0; i < shnum; i++) {
      const nameOff = r.u32(shoff + i * shentsize);
      if (i === 0 && nameOff === 0) continue;
      if (nameOff >= names.byteLength) r.fail(`section ${i} has a name offset ${nameOff} outside the name table`);
      sections[i].name = cString(names, nameOff);
    }
  }

  // Every section that occupies file bytes must lie inside the file: a truncated file fails here, once,
  // naming the first section it cuts, instead of later in some reader.
  for (const s of sections) {
    if (s.type === SHT_NOBITS || s.type === SHT_NULL) continue;
    if (s.offset + s.size > bytes.byteLength || s.offset > bytes.byteLength) {
      r.fail(
        `truncated at section ${s.name || '#' + s.index} (offset ${s.offset} + size ${s.size} > file size ${bytes.byteLength})`,
      );
    }
  }

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = phoff + i * phentsize;
    const seg = is64
      ? {
          type: r.u32(b),
          flags: r.u32(b + 4),
          offset: r.u64(b + 8),
          vaddr: r.u64(b + 16),
          paddr: r.u64(b + 24),
          filesz: r.u64(b + 32),
          memsz: r.u64(b + 40),
          align: r.u64(b + 48),
        }
      : {
          type: r.u32(b),
          offset: r.u32(b + 4),
          vaddr: r.u32(b + 8),
          paddr: r.u32(b + 12),
          filesz: r.u32(b + 16),
          memsz: r.u32(b + 20),
          flags: r.u32(b + 24),
          align: r.u32(b + 28),
        };
    if (seg.filesz > 0) r.need(seg.offset, seg.filesz, `segment ${i} (program header type ${seg.type})`);
    segments.push({ ...seg, data: () => bytes.subarray(seg.offset, seg.offset + seg.filesz) });
  }

  return new ElfFileImpl(r, path, is64, machine, type, entry, sections, segments);
}

class ElfFileImpl implements ElfFile {
  readonly littleEndian: boolean;
  readonly machineName: string;
  private readonly byName = new Map<string, ElfSection>();
  private readonly dataCache = new Map<number, Uint8Array>();
  private symbolCache: ElfSymbol[] | undefined;
  private buildIdCache: string | null | undefined;

  constructor(
    private readonly r: ElfBytes,
    readonly path: string,
    readonly is64: boolean,
    readonly machine: number,
    readonly type: number,
    readonly entry: number,
    readonly sections: ElfSection[],
    readonly segments: ElfSegment[],
  ) {
    this.littleEndian = r.littleEndian;
    this.machineName = machineNameOf(machine);
    for (const s of sections) if (s.name && !this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  sectionData(name: string): Uint8Array | undefined {
    let s = this.byName.get(name);
    // GNU-style compressed debug sections are renamed .zdebug_*; callers ask for .debug_*.
    if (!s && name.startsWith('.debug_')) s = this.byName.get('.z' + name.slice(1));
    return s ? this.sectionBytes(s) : undefined;
  }

  sectionBytes(s: ElfSection): Uint8Array | undefined {
    if (s.type === SHT_NOBITS || s.type === SHT_NULL) return undefined;
    const cached = this.dataCache.get(s.index);
    if (cached) return cached;
    const raw = this.r.bytes.subarray(s.offset, s.offset + s.size);
    let out = raw;
    if (s.flags & SHF_COMPRESSED) out = this.inflateChdr(s, raw);
    else if (s.name.startsWith('.zdebug_')) out = this.inflateGnu(s, raw);
    this.dataCache.set(s.index, out);
    return out;
  }

  private inflateChdr(s: ElfSection, raw: Uint8Array): Uint8Array {
    const hdrSize = this.is64 ? 24 : 12;
    if (raw.byteLength < hdrSize) this.r.fail(`compressed section ${s.name} is shorter than its header`);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const le = this.littleEndian;
    const chType = v.getUint32(0, le);
    const size = this.is64 ? Number(v.getBigUint64(8, le)) : v.getUint32(4, le);
    if (chType === ELFCOMPRESS_ZSTD) return this.unzstd(s, raw.subarray(hdrSize), size);
    if (chType !== ELFCOMPRESS_ZLIB) {
      this.r.fail(`section ${s.name} uses compression type ${chType}, which heapscope does not know: rebuild with -gz=zlib`);
    }
    return this.inflate(s, raw.subarray(hdrSize), size);
  }

  private inflateGnu(s: ElfSection, raw: Uint8Array): Uint8Array {
    if (raw.byteLength < 12 || String.fromCharCode(raw[0], raw[1], raw[2], raw[3]) !== 'ZLIB') {
      // binutils leaves a .zdebug section uncompressed when compression would not shrink it.
      return raw;
    }
    const size = Number(new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0, false));
    return this.inflate(s, raw.subarray(12), size);
  }

  /** zstd (-gz=zstd) needs node:zlib's zstd support (Node >= 22.15); older Node gets a message. */
  private unzstd(s: ElfSection, body: Uint8Array, size: number): Uint8Array {
    const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: object) => Buffer }).zstdDecompressSync;
    if (!zstd) {
      this.r.fail(
        `section ${s.name} is zstd-compressed (-gz=zstd), which needs Node 22.15 or newer: ` +
          `upgrade Node, or rebuild with -gz=zlib`,
      );
    }
    let out: Buffer;
    try {
      out = zstd(body, { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      this.r.fail(`compressed section ${s.name} is corrupt (${(e as Error).message})`);
    }
    if (out.byteLength !== size) {
      this.r.fail(`compressed section ${s.name} decompresses to ${out.byteLength} bytes, header says ${size}`);
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  private inflate(s: ElfSection, body: Uint8Array, size: number): Uint8Array {
    if (!Number.isSafeInteger(size) || size > 0x7fffffff) {
      this.r.fail(`compressed section ${s.name} claims an impossible size ${size}`);
    }
    let out: Buffer;
    try {
      // maxOutputLength caps a corrupt or hostile stream at the size the header promised.
      out = inflateSync(body, { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      this.r.fail(`compressed section ${s.name} is corrupt (${(e as Error).message})`);
    }
    if (out.byteLength !== size) {
      this.r.fail(`compressed section ${s.name} inflates to ${out.byteLength} bytes, header says ${size}`);
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  symbols(): ElfSymbol[] {
    this.symbolCache ??= readSymbols(this.r, this.is64, this.sections, (s) => this.sectionBytes(s));
    return this.symbolCache;
  }

  buildId(): string | null {
    if (this.buildIdCache !== undefined) return this.buildIdCache;
    let found: string | null = null;
    const notes: Uint8Array[] = [];
    for (const s of this.sections) {
      if (s.type === SHT_NOTE) {
        const b = this.sectionBytes(s);
        if (b) notes.push(b);
      }
    }
    if (notes.length === 0) for (const p of this.segments) if (p.type === PT_NOTE) notes.push(p.data());
    for (const n of notes) {
      found = findBuildId(n, this.littleEndian);
      if (found) break;
    }
    this.buildIdCache = found;
    return found;
  }
}

function findBuildId(notes: Uint8Array, le: boolean): string | null {
  const v = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  let p = 0;
  while (p + 12 <= notes.byteLength) {
    const namesz = v.getUint32(p, le);
    const descsz = v.getUint32(p + 4, le);
    const type = v.getUint32(p + 8, le);
    const nameAt = p + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    if (next > notes.byteLength || next <= p) return null; // malformed: stop, a build-id is optional
    const name = cString(notes.subarray(nameAt, nameAt + namesz), 0);
    if (type === NT_GNU_BUILD_ID && name === 'GNU') {
      return Buffer.from(notes.buffer, notes.byteOffset + descAt, descsz).toString('hex');
    }
    p = next;
  }
  return null;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export function openElf(path: string): ElfFile {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ElfFormatError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(e as Error).message})`,
    );
  }
  if (st.isDirectory()) throw new ElfFormatError(`${path} is a directory, not an ELF file`);
  if (!st.isFile()) throw new ElfFormatError(`${path} is not a regular file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ElfFormatError(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseElf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
