// Hand-built Watch objects for probe-layer tests (addresses from the ELF's symbol table), so these
// tests exercise transports and the read planner without depending on the DWARF reader.
import { openElf } from '../../src/elf/elf.js';
import type { PointerHop, Watch } from '../../src/watch/types.js';

export function symbolAddress(elfPath: string, name: string): number {
  const sym = openElf(elfPath).symbols().find((s) => s.name === name);
  if (!sym) throw new Error(`${name} not in ${elfPath}`);
  return sym.value;
}

export function u32Watch(expr: string, address: number, hops: PointerHop[] = [], byteSize = 4): Watch {
  return {
    expr,
    address,
    hops,
    byteSize,
    type: { kind: 'base', name: 'uint32_t', byteSize: 4, encoding: 'unsigned' },
    typeName: 'uint32_t',
    littleEndian: true,
    decode: (b) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true),
    columns: () => [],
  };
}

export const u32 = (b: Uint8Array, at = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
