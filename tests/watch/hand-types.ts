// Hand-built DWARF types and variables (the shapes src/elf/dwarf produces) so that the watch layer is
// tested without an ELF. Tests on real ELFs live in real-elf.test.ts.
import type { TypeInfo, VariableInfo } from '../../src/elf/dwarf/model.js';
import type { WatchDebugInfo, WatchElf } from '../../src/watch/resolve.js';

export const u8: TypeInfo = { kind: 'base', name: 'unsigned char', byteSize: 1, encoding: 'unsigned-char' };
export const char: TypeInfo = { kind: 'base', name: 'char', byteSize: 1, encoding: 'unsigned-char' };
export const i16: TypeInfo = { kind: 'base', name: 'short int', byteSize: 2, encoding: 'signed' };
export const int: TypeInfo = { kind: 'base', name: 'int', byteSize: 4, encoding: 'signed' };
export const uint: TypeInfo = { kind: 'base', name: 'unsigned int', byteSize: 4, encoding: 'unsigned' };
export const u64: TypeInfo = { kind: 'base', name: 'long long unsigned int', byteSize: 8, encoding: 'unsigned' };
export const i64: TypeInfo = { kind: 'base', name: 'long long int', byteSize: 8, encoding: 'signed' };
export const float: TypeInfo = { kind: 'base', name: 'float', byteSize: 4, encoding: 'float' };
export const double: TypeInfo = { kind: 'base', name: 'double', byteSize: 8, encoding: 'float' };
export const bool: TypeInfo = { kind: 'base', name: '_Bool', byteSize: 1, encoding: 'bool' };
export const uint8_t: TypeInfo = { kind: 'typedef', name: 'uint8_t', target: u8 };
export const uint32_t: TypeInfo = { kind: 'typedef', name: 'uint32_t', target: uint };
export const vu32: TypeInfo = { kind: 'qualified', qualifier: 'volatile', target: uint32_t };
export const voidT: TypeInfo = { kind: 'void' };

export const state: TypeInfo = {
  kind: 'enum',
  name: 'state',
  byteSize: 1,
  signed: false,
  enumerators: [
    { name: 'IDLE', value: 0n },
    { name: 'BUSY', value: 1n },
    { name: 'ERROR', value: 7n },
  ],
};

export const poolStats: TypeInfo = {
  kind: 'struct',
  name: 'pool_stats',
  byteSize: 16,
  declaration: false,
  members: [
    { name: 'used', type: vu32, offset: 0 },
    { name: 'free', type: uint32_t, offset: 4 },
    { name: 'st', type: state, offset: 8 },
    { name: 'flags', type: uint, offset: 12, bitOffset: 0, bitSize: 3 },
    { name: 'level', type: int, offset: 12, bitOffset: 3, bitSize: 5 },
    { name: null, type: uint, offset: 13, bitOffset: 0, bitSize: 8 }, // unnamed padding bitfield
  ],
};
export const poolPtr: TypeInfo = { kind: 'pointer', flavor: 'pointer', byteSize: 4, target: poolStats };

export const halves: TypeInfo = {
  kind: 'struct',
  name: null,
  byteSize: 4,
  declaration: false,
  members: [
    { name: 'a', type: { kind: 'typedef', name: 'uint16_t', target: { kind: 'base', name: 'short unsigned int', byteSize: 2, encoding: 'unsigned' } }, offset: 0 },
    { name: 'b', type: i16, offset: 2 },
  ],
};
export const wordUnion: TypeInfo = {
  kind: 'union',
  name: 'word',
  byteSize: 4,
  declaration: false,
  members: [
    { name: 'w', type: uint32_t, offset: 0 },
    { name: 'halves', type: halves, offset: 0 },
  ],
};
export const outer: TypeInfo = {
  kind: 'struct',
  name: 'outer',
  byteSize: 24,
  declaration: false,
  members: [
    { name: 'u', type: wordUnion, offset: 0 },
    // anonymous union member: its fields are named directly on `outer`
    {
      name: null,
      type: {
        kind: 'union',
        name: null,
        byteSize: 4,
        declaration: false,
        members: [
          { name: 'asFloat', type: float, offset: 0 },
          { name: 'asInt', type: int, offset: 0 },
        ],
      },
      offset: 4,
    },
    { name: 'name', type: { kind: 'array', element: char, dims: [8], byteSize: 8 }, offset: 8 },
    { name: 'next', type: poolPtr, offset: 16 },
    { name: 'opaque', type: { kind: 'pointer', flavor: 'pointer', byteSize: 4, target: voidT }, offset: 20 },
  ],
};

export const matrix: TypeInfo = { kind: 'array', element: int, dims: [2, 3], byteSize: 24 };
export const bytes4: TypeInfo = { kind: 'array', element: uint8_t, dims: [4], byteSize: 4 };

export function variable(v: Partial<VariableInfo> & Pick<VariableInfo, 'name' | 'type'>): VariableInfo {
  return { scope: 'global', file: 'src/main.c', address: 0x2000_0000, ...v };
}

/** A DebugInfo over a list of variables: what src/elf/dwarf/index.ts hands the resolver. */
export function debugOf(vars: VariableInfo[]): WatchDebugInfo {
  return {
    variables: () => vars,
    findVariables: (name) => vars.filter((v) => v.name === name),
  };
}

export function elfOf(littleEndian = true): WatchElf {
  return { littleEndian, symbols: () => [] };
}
