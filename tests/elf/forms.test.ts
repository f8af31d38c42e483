// Attribute forms the fixtures' compilers do not emit, on hand-built DWARF 5 (tests/elf/synthetic-elf.ts):
// strx1/strx3 through .debug_str_offsets, addrx through .debug_addr, implicit_const, ref_udata,
// ref_addr, DW_FORM_indirect, data16; and the dwz forms, refused by name.
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/elf.js';
import { loadDebugInfo, typeName } from '../../src/elf/dwarf/index.js';
import type { EnumType } from '../../src/elf/dwarf/model.js';
import { UnsupportedDwarfError } from '../../src/errors.js';
import { Bytes, elf32 } from './synthetic-elf.js';

/** One DWARF 5 compile unit; `nameForm` is the form of the first variable's DW_AT_name. */
function build(opts: { gnuStrpAlt?: boolean } = {}): Uint8Array {
  const str = new Bytes().str('synthetic.c').str('g_strx').str('my_enum'); // offsets 0, 12, 19
  const strOffsets = new Bytes().u32(4 + 8).u16(5).u16(0).u32(0).u32(12);
  const addr = new Bytes().u32(4 + 4).u16(5).u8(4, 0).u32(0x20000100);
  const ab = new Bytes();
  // 1: compile_unit, children: name strx1, str_offsets_base sec_offset, addr_base sec_offset
  ab.uleb(1).uleb(0x11).u8(1).uleb(0x03).uleb(0x25).uleb(0x72).uleb(0x17).uleb(0x73).uleb(0x17).u8(0, 0);
  // 2: variable: name strx3 (or GNU_strp_alt), type ref_udata, external flag_present, location exprloc
  ab.uleb(2).uleb(0x34).u8(0).uleb(0x03).uleb(opts.gnuStrpAlt ? 0x1f21 : 0x27).uleb(0x49).uleb(0x15);
  ab.uleb(0x3f).uleb(0x19).uleb(0x02).uleb(0x18).u8(0, 0);
  // 3: base_type: name string, byte_size implicit_const 4, encoding data1
  ab.uleb(3).uleb(0x24).u8(0).uleb(0x03).uleb(0x08).uleb(0x0b).uleb(0x21).uleb(4).uleb(0x3e).uleb(0x0b).u8(0, 0);
  // 4: variable: name indirect, type ref_addr, location indirect
  ab.uleb(4).uleb(0x34).u8(0).uleb(0x03).uleb(0x16).uleb(0x49).uleb(0x10).uleb(0x02).uleb(0x16).u8(0, 0);
  // 5: enumeration_type, children: name strp, byte_size data1
  ab.uleb(5).uleb(0x04).u8(1).uleb(0x03).uleb(0x0e).uleb(0x0b).uleb(0x0b).u8(0, 0);
  // 6: enumerator: name string, const_value data16
  ab.uleb(6).uleb(0x28).u8(0).uleb(0x03).uleb(0x08).uleb(0x1c).uleb(0x1e).u8(0, 0);
  // 7: variable: name string, type ref4, location exprloc
  ab.uleb(7).uleb(0x34).u8(0).uleb(0x03).uleb(0x08).uleb(0x49).uleb(0x13).uleb(0x02).uleb(0x18).u8(0, 0);
  ab.u8(0);

  const dies = new Bytes();
  const at = () => 12 + dies.length; // section offset (unit at 0, 12-byte v5 header)
  dies.uleb(1).u8(0).u32(8).u32(8); // CU: strx1 #0 "synthetic.c"
  const intOff = at();
  dies.uleb(3).str('int').u8(5);
  if (opts.gnuStrpAlt) dies.uleb(2).u32(0);
  else dies.uleb(2).u8(1, 0, 0); // strx3 #1 "g_strx"
  dies.uleb(intOff).uleb(2).u8(0xa1, 0x00); // type; location DW_OP_addrx 0
  dies.uleb(4).uleb(0x08).str('g_indirect').u32(intOff).uleb(0x18).uleb(5).u8(0x03).u32(0x20000200);
  const enumOff = at();
  dies.uleb(5).u32(19).u8(8);
  dies.uleb(6).str('BIG').u32(5).u32(0).u32(0).u32(0);
  dies.u8(0);
  dies.uleb(7).str('g_enum').u32(enumOff).uleb(5).u8(0x03).u32(0x20000300);
  dies.u8(0);
  const info = new Bytes().u32(8 + dies.length).u16(5).u8(1, 4).u32(0).u8(...dies.bytes());
  return elf32([
    { name: '.debug_info', data: info.bytes() },
    { name: '.debug_abbrev', data: ab.bytes() },
    { name: '.debug_str', data: str.bytes() },
    { name: '.debug_str_offsets', data: strOffsets.bytes() },
    { name: '.debug_addr', data: addr.bytes() },
  ]);
}

describe('DWARF 5 forms on hand-built debug info', () => {
  const debug = loadDebugInfo(parseElf(build(), 'synthetic.elf'));

  it('reads strx1/strx3 names through str_offsets_base and an addrx location through addr_base', () => {
    const v = debug.findVariables('g_strx');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ file: 'synthetic.c', scope: 'global', address: 0x20000100 });
  });

  it('reads implicit_const (byte_size) and ref_udata (type)', () => {
    const t = debug.findVariables('g_strx')[0].type;
    expect(t).toEqual({ kind: 'base', name: 'int', byteSize: 4, encoding: 'signed' });
  });

  it('reads DW_FORM_indirect values and DW_FORM_ref_addr references', () => {
    const v = debug.findVariables('g_indirect')[0];
    expect(v.address).toBe(0x20000200);
    expect(typeName(v.type)).toBe('int');
    expect(v.scope).toBe('file-static');
  });

  it('reads a data16 enumerator value', () => {
    const e = debug.findVariables('g_enum')[0].type as EnumType;
    expect(e).toMatchObject({ kind: 'enum', name: 'my_enum', byteSize: 8 });
    expect(e.enumerators).toEqual([{ name: 'BIG', value: 5n }]);
  });

  it('refuses DW_FORM_GNU_strp_alt (dwz) by name', () => {
    const d = loadDebugInfo(parseElf(build({ gnuStrpAlt: true }), 'dwz.elf'));
    expect(() => d.variables()).toThrow(UnsupportedDwarfError);
    expect(() => loadDebugInfo(parseElf(build({ gnuStrpAlt: true }), 'dwz.elf')).variables()).toThrow(
      /DW_FORM_GNU_strp_alt .*\.debug_info\+0x0.*dwz/,
    );
  });
});
