// The live target behind the simulated AHB-AP: an rp2040js Cortex-M0+ core running firmware, so
// OpenOCD reads memory that changes while the core runs. By default it runs a tiny hand-assembled
// counter loop (no cross compiler or prebuilt ELF needed); with an ELF it runs that firmware instead
// (PT_LOAD segments copied into SRAM, SP/PC from the vector table, as DESIGN.md describes).
import { readFileSync } from 'node:fs';
import { RP2040 } from 'rp2040js';

export const SRAM_BASE = 0x2000_0000;
const FLASH_BASE = 0x1000_0000;
const CYCLE_NS = 1e9 / 125e6;

/** Addresses of the built-in counter program's globals (fixed: the program is hand-assembled). */
export const COUNTER_PROGRAM = {
  /** u32 incremented by every loop iteration while the core runs. */
  counter: 0x2000_1000,
  /** u32 constant 0xC0FFEE42, never written. */
  magic: 0x2000_1004,
  magicValue: 0xc0ffee42,
  /** struct { u16 a = 0x1234; u8 b = 0x56; u8 c = 0x78; u32 arr[4] = {1,2,3,4}; char name[8] = "heapscp" } */
  struct: 0x2000_1008,
  structBytes: Uint8Array.from([
    0x34, 0x12, 0x56, 0x78, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
    ...Buffer.from('heapscp\0', 'latin1'),
  ]),
} as const;

/** What the MEM-AP sees: 32-bit bus reads that either return a word or fault. */
export interface TargetBus {
  /** Aligned 32-bit read; null is a bus fault (unmapped address). */
  read32(address: number): number | null;
}

export interface LiveTargetOptions {
  /** Firmware ELF (Cortex-M0+, linked to SRAM). Without it, the built-in counter program runs. */
  elfPath?: string;
  /** Instructions per batch between event-loop turns. */
  batch?: number;
  /** Idle time between batches in ms: keeps the emulator from starving OpenOCD's adapter traffic. */
  idleMs?: number;
}

export class LiveTarget implements TargetBus {
  readonly mcu = new RP2040();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Instructions executed so far. */
  steps = 0;

  constructor(private readonly opts: LiveTargetOptions = {}) {
    if (opts.elfPath) this.loadElf(opts.elfPath);
    else this.loadCounterProgram();
  }

  read32(address: number): number | null {
    address >>>= 0;
    const sram = this.mcu.sram;
    if (address >= SRAM_BASE && address + 4 <= SRAM_BASE + sram.length) {
      return this.mcu.sramView.getUint32(address - SRAM_BASE, true);
    }
    const flash = this.mcu.flash;
    if (address >= FLASH_BASE && address + 4 <= FLASH_BASE + flash.length) {
      return this.mcu.flashView.getUint32(address - FLASH_BASE, true);
    }
    return null; // everything else faults, so OpenOCD sees a sticky error as on real silicon
  }

  /** Direct read of SRAM, the oracle the tests compare OpenOCD's answers with. */
  readDirect(address: number, length: number): Uint8Array {
    const off = address - SRAM_BASE;
    return this.mcu.sram.slice(off, off + length);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const batch = this.opts.batch ?? 20_000;
    const idle = this.opts.idleMs ?? 4;
    const tick = () => {
      if (!this.running) return;
      // Same stepping as rp2040js's Simulator: advance the clock by the cycles each instruction took,
      // and jump to the next alarm while the core sleeps in WFI, so timer-driven firmware runs.
      const { core, clock } = this.mcu;
      const simClock = clock as unknown as { tick(ns: number): void; nanosToNextAlarm: number };
      for (let i = 0; i < batch; i++) {
        if (core.waiting) {
          const ns = simClock.nanosToNextAlarm;
          if (ns <= 0) break;
          simClock.tick(ns);
          i += ns / CYCLE_NS;
        } else {
          simClock.tick(core.executeInstruction() * CYCLE_NS);
          this.steps++;
        }
      }
      this.timer = setTimeout(tick, idle);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  private loadCounterProgram(): void {
    // Thumb code at 0x20000000:
    //   00: ldr r0, [pc, #8]    ; r0 = &counter (literal at 0x0c)
    //   02: ldr r1, [r0, #0]
    //   04: adds r1, #1
    //   06: str r1, [r0, #0]
    //   08: b 02
    //   0a: nop
    //   0c: .word 0x20001000
    const code = [0x4802, 0x6801, 0x3101, 0x6001, 0xe7fb, 0xbf00];
    const view = this.mcu.sramView;
    code.forEach((h, i) => view.setUint16(i * 2, h, true));
    view.setUint32(0x0c, COUNTER_PROGRAM.counter, true);
    view.setUint32(COUNTER_PROGRAM.magic - SRAM_BASE, COUNTER_PROGRAM.magicValue, true);
    this.mcu.sram.set(COUNTER_PROGRAM.structBytes, COUNTER_PROGRAM.struct - SRAM_BASE);
    this.mcu.core.SP = SRAM_BASE + 0x4_0000;
    this.mcu.core.PC = SRAM_BASE;
  }

  private loadElf(path: string): void {
    const b = readFileSync(path);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv.getUint32(0, false) !== 0x7f454c46 || b[4] !== 1) throw new Error(`${path}: not an ELF32 file`);
    const phoff = dv.getUint32(28, true);
    const phentsize = dv.getUint16(42, true);
    const phnum = dv.getUint16(44, true);
    let vectors = -1;
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (dv.getUint32(p, true) !== 1 /* PT_LOAD */) continue;
      const offset = dv.getUint32(p + 4, true);
      const paddr = dv.getUint32(p + 12, true);
      const filesz = dv.getUint32(p + 16, true);
      if (paddr < SRAM_BASE || paddr >= SRAM_BASE + this.mcu.sram.length || filesz === 0) continue;
      this.mcu.sram.set(b.subarray(offset, offset + filesz), paddr - SRAM_BASE);
      if (vectors < 0 || paddr < vectors) vectors = paddr;
    }
    if (vectors < 0) throw new Error(`${path}: no PT_LOAD segment in SRAM`);
    this.mcu.core.SP = this.mcu.sramView.getUint32(vectors - SRAM_BASE, true);
    this.mcu.core.PC = this.mcu.sramView.getUint32(vectors - SRAM_BASE + 4, true) & ~1;
  }
}
