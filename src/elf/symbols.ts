// .symtab and .dynsym: name, value, size, type, binding and section of every symbol. The `--raw`
// path (no DWARF) and the watch resolver's fallbacks read these.

import type { ElfBytes, ElfSection } from './elf.js';
import { cString } from './c-string.js';

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'tls' | 'other';
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  /** st_value as stored: for Thumb functions the low bit is set (the interworking marker). */
  value: number;
  size: number;
  type: ElfSymbolType;
  binding: ElfSymbolBinding;
  /** st_shndx (resolved through .symtab_shndx for SHN_XINDEX). 0 = undefined, 0xfff1 = absolute,
   * 0xfff2 = common. */
  sectionIndex: number;
  /** Name of the section the symbol is defined in; null for undefined/absolute/common symbols. */
  sectionName: string | null;
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHT_SYMTAB_SHNDX = 18;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;

const TYPES: Record<number, ElfSymbolType> = {
  0: 'notype',
  1: 'object',
  2: 'func',
  3: 'section',
  4: 'file',
  5: 'object', // STT_COMMON: an uninitialised common data object
  6: 'tls',
  10: 'func', // STT_GNU_IFUNC
};
const BINDINGS: Record<number, ElfSymbolBinding> = { 0: 'local', 1: 'global', 2: 'weak' };

export function readSymbols(
  r: ElfBytes,
  is64: boolean,
  sections: readonly ElfSection[],
  bytesOf: (s: ElfSection) => Uint8Array | undefined,
): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const tab of sections) {
    if (tab.type !== SHT_SYMTAB && tab.type !== SHT_DYNSYM) continue;
    const entsize = tab.entsize || (is64 ? 24 : 16);
    if (entsize < (is64 ? 24 : 16)) r.fail(`symbol table ${tab.name} has entry size ${entsize}`);
    if (tab.link >= sections.length) r.fail(`symbol table ${tab.name} links to missing string table ${tab.link}`);
    const strs = bytesOf(sections[tab.link]) ?? new Uint8Array(0);
    const shndxSec = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === tab.index);
    const shndxTab = shndxSec ? bytesOf(shndxSec) : undefined;
    const data = bytesOf(tab);
    if (!data) continue;
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const le = r.littleEndian;
    const count = Math.floor(data.byteLength / entsize);
    // Entry 0 is the reserved null symbol.
    for (let i = 1; i < count; i++) {
      const b = i * entsize;
      const nameOff = v.getUint32(b, le);
      let info: number, shndx: number, value: number, size: number;
      if (is64) {
        info = v.getUint8(b + 4);
        shndx = v.getUint16(b + 6, le);
        value = Number(v.getBigUint64(b + 8, le));
        size = Number(v.getBigUint64(b + 16, le));
      } else {
        value = v.getUint32(b + 4, le);
        size = v.getUint32(b + 8, le);
        info = v.getUint8(b + 12);
        shndx = v.getUint16(b + 14, le);
      }
      if (shndx === SHN_XINDEX && shndxTab && (i + 1) * 4 <= shndxTab.byteLength) {
        shndx = new DataView(shndxTab.buffer, shndxTab.byteOffset).getUint32(i * 4, le);
      }
      if (nameOff >= strs.byteLength && nameOff !== 0) {
        r.fail(`symbol ${i} of ${tab.name} has a name offset ${nameOff} outside its string table`);
      }
      const inSection = shndx !== 0 && (shndx < SHN_LORESERVE || shndx > SHN_XINDEX);
      out.push({
        name: nameOff === 0 ? '' : cString(strs, nameOff),
        value,
        size,
        type: TYPES[info & 0xf] ?? 'other',
        binding: BINDINGS[info >> 4] ?? 'other',
        sectionIndex: shndx,
        sectionName: inSection && shndx < sections.length ? sections[shndx].name : null,
      });
    }
  }
  return out;
}
