// An M0+ firmware ELF turned into what the emulator needs: the bytes of each PT_LOAD segment at its
// load address, and where the vector table is. Plain data (no class instances) so it can be posted
// to the worker thread.
import { openElf, PT_LOAD } from '../../elf/elf.js';
import { ProbeError } from '../../errors.js';
import { FLASH_BASE, SRAM_BASE } from './memory-map.js';

const EM_ARM = 40;
const SRAM_BYTES = 264 * 1024;
const FLASH_BYTES = 16 * 1024 * 1024;

export interface ImageSegment {
  /** Load (physical) address. */
  address: number;
  /** File bytes; the rest up to memsz is zero-filled (the emulator's memories start zeroed). */
  bytes: Uint8Array;
  memsz: number;
}

export interface FirmwareImage {
  path: string;
  segments: ImageSegment[];
  /** Address of the vector table: word 0 = initial SP, word 1 = reset handler. */
  vectorTable: number;
}

function inside(addr: number, size: number, base: number, len: number): boolean {
  return addr >= base && addr + size <= base + len;
}

export function loadFirmwareImage(path: string): FirmwareImage {
  const elf = openElf(path);
  if (elf.is64 || !elf.littleEndian || elf.machine !== EM_ARM) {
    throw new ProbeError(
      `${path}: the sim runs 32-bit little-endian ARM (Cortex-M0+) firmware; this ELF is ${elf.machineName}` +
        `${elf.is64 ? ' 64-bit' : ''}${elf.littleEndian ? '' : ' big-endian'}`,
    );
  }
  const segments: ImageSegment[] = [];
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || seg.memsz === 0) continue;
    const address = seg.paddr;
    const fits = inside(address, seg.memsz, SRAM_BASE, SRAM_BYTES) || inside(address, seg.filesz, FLASH_BASE, FLASH_BYTES);
    if (!fits) {
      throw new ProbeError(
        `${path}: segment at 0x${address.toString(16)} (${seg.memsz} bytes) is outside RP2040 SRAM ` +
          `(0x20000000, 264 KiB) and flash (0x10000000): link the firmware for the RP2040 memory map`,
      );
    }
    segments.push({ address, bytes: seg.data().slice(), memsz: seg.memsz });
  }
  if (segments.length === 0) throw new ProbeError(`${path}: no loadable (PT_LOAD) segments`);
  // Linked to SRAM: the table is at the start of SRAM (our firmware). Linked to flash: at the start
  // of flash, or after the 256-byte second-stage bootloader when there is one (pico-sdk's .boot2).
  // The boot ROM is not emulated, so a flash image that calls ROM functions will not get far.
  const inSram = segments.some((s) => s.address === SRAM_BASE);
  const inFlash = segments.some((s) => s.address === FLASH_BASE);
  let vectorTable: number;
  if (inSram) vectorTable = SRAM_BASE;
  else if (inFlash) vectorTable = elf.section('.boot2') ? FLASH_BASE + 0x100 : FLASH_BASE;
  else {
    throw new ProbeError(
      `${path}: no vector table at 0x20000000 (SRAM) or 0x10000000 (flash): the sim starts firmware from one of those`,
    );
  }
  return { path, segments, vectorTable };
}
