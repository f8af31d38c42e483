// What the sim lets a reader see: the RP2040's plain memories (boot ROM, flash, SRAM), read straight
// from their backing arrays. Peripheral registers are left out on purpose: reading some of them has
// side effects (TIMELR latches TIMEHR), and a debugger read must never change the target.
import { TargetMemoryError } from '../../errors.js';

export interface SimMemories {
  bootrom: Uint32Array;
  flash: Uint8Array;
  sram: Uint8Array;
}

export const BOOTROM_BASE = 0x0000_0000;
export const FLASH_BASE = 0x1000_0000;
export const SRAM_BASE = 0x2000_0000;

interface Region {
  name: string;
  base: number;
  bytes: Uint8Array;
}

function regionsOf(m: SimMemories): Region[] {
  return [
    { name: 'boot ROM', base: BOOTROM_BASE, bytes: new Uint8Array(m.bootrom.buffer, m.bootrom.byteOffset, m.bootrom.byteLength) },
    { name: 'flash', base: FLASH_BASE, bytes: m.flash },
    { name: 'SRAM', base: SRAM_BASE, bytes: m.sram },
  ];
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/** Human list of the readable ranges, for error messages. */
export function describeMap(m: SimMemories): string {
  return regionsOf(m)
    .map((r) => `${r.name} ${hex(r.base)}-${hex(r.base + r.bytes.byteLength - 1)}`)
    .join(', ');
}

/** Copies `length` bytes at `address`; the range must lie inside one memory. */
export function readSimMemory(m: SimMemories, address: number, length: number): Uint8Array {
  for (const r of regionsOf(m)) {
    const off = address - r.base;
    if (off >= 0 && off + length <= r.bytes.byteLength) return r.bytes.slice(off, off + length);
  }
  throw new TargetMemoryError(
    `sim: cannot read ${length} byte(s) at ${hex(address)}: outside the emulated memories (${describeMap(m)})`,
    address,
    length,
  );
}
