// ARM ADIv5 JTAG-DP with one MEM-AP (an AHB-AP), as seen through the DPACC/APACC scan chains.
// Only what OpenOCD's adi_v5 code uses: posted reads (a read's result arrives in the NEXT scan,
// or in RDBUFF), CTRL/STAT power-up handshake and sticky errors, SELECT banking, and the MEM-AP
// registers CSW/TAR/DRW/BD0-3/CFG/BASE/IDR with single auto-increment inside a 1 KiB page.
// Writes to target memory are refused and counted: heapscope must never write, and the tests
// check this counter as a second witness beside the TCL wire log.
import type { TargetBus } from './jtag-target.js';

export const DP_IDCODE = 0x4ba00477;
/** AHB-AP of a Cortex-M3: class MEM-AP (IDR[16:13] = 8), type AHB. */
export const AHB_AP_IDR = 0x24770011;

const ACK_OK_FAULT = 0b010;

// CTRL/STAT bits
const CSYSPWRUPREQ = 1 << 30;
const CDBGPWRUPREQ = 1 << 28;
const CDBGRSTREQ = 1 << 26;
const STICKYERR = 1 << 5;
const STICKY_W1C = (1 << 7) | (1 << 5) | (1 << 4) | (1 << 1); // WDATAERR, STICKYERR, STICKYCMP, STICKYORUN

export interface DpStats {
  apReads: number;
  apWrites: number;
  memReads: number;
  /** Attempted target memory writes (refused). Must stay 0 under heapscope. */
  memWrites: number;
  faults: number;
}

export class JtagDp {
  private ctrlStat = 0;
  private select = 0;
  /** Result of the last read, shifted out by the next DPACC/APACC capture (posted reads). */
  private readResult = 0;
  private csw = 0x0300_0052; // word size, single increment, DeviceEn
  private tar = 0;
  readonly stats: DpStats = { apReads: 0, apWrites: 0, memReads: 0, memWrites: 0, faults: 0 };

  constructor(private readonly bus: TargetBus) {}

  /** Capture-DR of DPACC/APACC: ACK in bits [2:0], previous read result in [34:3]. */
  capture(): { lo: number; hi: number } {
    return { lo: ((this.readResult << 3) | ACK_OK_FAULT) >>> 0, hi: this.readResult >>> 29 };
  }

  /** Update-DR of DPACC (ap=false) or APACC (ap=true) with the 35 bits shifted in. */
  update(ap: boolean, lo: number, hi: number): void {
    const rnw = (lo & 1) === 1;
    const a = (lo >>> 1) & 3;
    const data = ((lo >>> 3) | (hi << 29)) >>> 0;
    if (!ap) {
      if (rnw) this.readResult = this.readDp(a);
      else this.writeDp(a, data);
      return;
    }
    // With a sticky error pending the DP drops AP transactions until the debugger clears it.
    if (this.ctrlStat & STICKYERR) {
      if (rnw) this.readResult = 0;
      return;
    }
    const reg = (this.select & 0xf0) | (a << 2);
    const apsel = this.select >>> 24;
    if (rnw) {
      this.stats.apReads++;
      this.readResult = apsel === 0 ? this.readAp(reg) : 0;
    } else {
      this.stats.apWrites++;
      if (apsel === 0) this.writeAp(reg, data);
    }
  }

  /** ABORT scan: DAPABORT (bit 0) cancels; nothing is ever in flight here. */
  abort(): void {}

  private readDp(a: number): number {
    switch (a) {
      case 1: {
        // Power-up acks follow their requests at once (bits 31/29/27 mirror 30/28/26).
        const acks = ((this.ctrlStat & (CSYSPWRUPREQ | CDBGPWRUPREQ | CDBGRSTREQ)) << 1) >>> 0;
        return (this.ctrlStat | acks) >>> 0;
      }
      case 2:
        return this.select;
      case 3:
        return this.readResult; // RDBUFF: the last AP read's result, no side effect
      default:
        return 0; // JTAG-DP v0: address 0 reserved
    }
  }

  private writeDp(a: number, data: number): void {
    if (a === 1) {
      const sticky = this.ctrlStat & STICKY_W1C & ~data; // writing 1 clears a sticky flag
      this.ctrlStat = ((data & ~STICKY_W1C & 0x57ff_ff0f) | sticky) >>> 0;
    } else if (a === 2) {
      this.select = data >>> 0;
    }
  }

  private readAp(reg: number): number {
    switch (reg) {
      case 0x00:
        return (this.csw | 0x40) >>> 0; // DeviceEn always set: the bus is usable
      case 0x04:
        return this.tar;
      case 0x0c: {
        const v = this.busRead(this.tar, this.csw & 7);
        this.autoIncrement();
        return v;
      }
      case 0x10:
      case 0x14:
      case 0x18:
      case 0x1c:
        return this.busRead(((this.tar & ~0xf) | (reg & 0xc)) >>> 0, 2);
      case 0xf4:
        return 0; // CFG: little-endian, 32-bit addresses
      case 0xf8:
        return 0x0000_0002; // BASE: ADIv5 format, no ROM table
      case 0xfc:
        return AHB_AP_IDR;
      default:
        return 0;
    }
  }

  private writeAp(reg: number, data: number): void {
    switch (reg) {
      case 0x00: {
        // Packed transfers (AddrInc = 0b10) are not implemented: clear them so that OpenOCD's
        // read-back probe sees they did not stick and falls back to one access per element.
        let v = data;
        if (((v >>> 4) & 3) === 2) v &= ~0x30;
        if ((v & 7) > 2) v = (v & ~7) | 2;
        this.csw = v >>> 0;
        return;
      }
      case 0x04:
        this.tar = data >>> 0;
        return;
      case 0x0c:
        this.stats.memWrites++;
        this.autoIncrement();
        return;
      default:
        if (reg >= 0x10 && reg <= 0x1c) this.stats.memWrites++;
    }
  }

  /** One bus access of 1 << size bytes at addr; data on the byte lanes of addr, as real AHB-APs do. */
  private busRead(addr: number, size: number): number {
    this.stats.memReads++;
    const word = this.bus.read32((addr & ~3) >>> 0);
    if (word === null) {
      this.stats.faults++;
      this.ctrlStat = (this.ctrlStat | STICKYERR) >>> 0;
      return 0;
    }
    if (size === 0) return (word & (0xff << ((addr & 3) * 8))) >>> 0;
    if (size === 1) return (word & (0xffff << ((addr & 2) * 8))) >>> 0;
    return word >>> 0;
  }

  private autoIncrement(): void {
    if (((this.csw >>> 4) & 3) !== 1) return;
    const step = 1 << Math.min(this.csw & 7, 2);
    // TAR auto-increment wraps inside a 1 KiB page (ADIv5 guarantees no more); OpenOCD knows.
    this.tar = ((this.tar & ~0x3ff) | ((this.tar + step) & 0x3ff)) >>> 0;
  }
}
