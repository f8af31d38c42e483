// C++ qualified names on hand-built DWARF 4 (tests/elf/synthetic-elf.ts): the shapes gcc emits
// (a unit-level definition completing a declaration inside a namespace) plus corrupt ones no compiler
// emits (a DW_AT_specification that points at itself) that must end, not hang.
import { expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { typeName } from '../../src/elf/dwarf/type-name.js';
import { parseElf } from '../../src/elf/elf.js';
import { Bytes, elf32 } from './synthetic-elf.js';

function build(): Uint8Array {
  const ab = new Bytes();
  // 1: compile_unit, children: name string, language data1
  ab.uleb(1).uleb(0x11).u8(1).uleb(0x03).uleb(0x08).uleb(0x13).uleb(0x0b).u8(0, 0);
  // 2: namespace, children: name string
  ab.uleb(2).uleb(0x39).u8(1).uleb(0x03).uleb(0x08).u8(0, 0);
  // 3: namespace, children, no name (C++ `namespace { }`)
  ab.uleb(3).uleb(0x39).u8(1).u8(0, 0);
  // 4: structure_type: name string, byte_size data1, specification ref4
  ab.uleb(4).uleb(0x13).u8(0).uleb(0x03).uleb(0x08).uleb(0x0b).uleb(0x0b).uleb(0x47).uleb(0x13).u8(0, 0);
  // 5: variable (declaration): name string, type ref4, external flag_present, declaration flag_present
  ab.uleb(5).uleb(0x34).u8(0).uleb(0x03).uleb(0x08).uleb(0x49).uleb(0x13).uleb(0x3f).uleb(0x19).uleb(0x3c).uleb(0x19).u8(0, 0);
  // 6: variable (definition): specification ref4, location exprloc
  ab.uleb(6).uleb(0x34).u8(0).uleb(0x47).uleb(0x13).uleb(0x02).uleb(0x18).u8(0, 0);
  // 7: variable: name string, type ref4, location exprloc (defined in place, as clang does)
  ab.uleb(7).uleb(0x34).u8(0).uleb(0x03).uleb(0x08).uleb(0x49).uleb(0x13).uleb(0x02).uleb(0x18).u8(0, 0);
  ab.u8(0);

  const dies = new Bytes();
  const at = () => 11 + dies.length; // section offset (unit at 0, 11-byte v4 header)
  dies.uleb(1).str('a.cpp').u8(0x04); // DW_LANG_C_plus_plus
  dies.uleb(2).str('ns');
  const structOff = at();
  dies.uleb(4).str('Loop').u8(4).u32(structOff); // corrupt: its own specification
  const declOff = at();
  dies.uleb(5).str('v').u32(structOff);
  dies.uleb(3);
  dies.uleb(7).str('hidden').u32(structOff).uleb(5).u8(0x03).u32(0x20000010);
  dies.u8(0); // end of the unnamed namespace
  dies.u8(0); // end of ns
  dies.uleb(6).u32(declOff).uleb(5).u8(0x03).u32(0x20000000);
  dies.u8(0);
  const info = new Bytes().u32(7 + dies.length).u16(4).u32(0).u8(4).u8(...dies.bytes());
  return elf32([
    { name: '.debug_info', data: info.bytes() },
    { name: '.debug_abbrev', data: ab.bytes() },
  ]);
}

const debug = loadDebugInfo(parseElf(build(), 'cxx-synthetic.elf'));

it('names a unit-level definition after the namespace of the declaration it completes', () => {
  expect(debug.findVariables('ns::v').map((v) => [v.address, v.scope])).toEqual([[0x2000_0000, 'global']]);
});

it("names an unnamed namespace's variable as gdb does: ns::(anonymous namespace)::hidden", () => {
  expect(debug.findVariables('ns::(anonymous namespace)::hidden').map((v) => v.address)).toEqual([0x2000_0010]);
});

it('stops at a DW_AT_specification that points at itself and still names the type', () => {
  expect(typeName(debug.findVariables('ns::v')[0]!.type)).toBe('ns::Loop');
});
