// A JTAG TAP controller (IEEE 1149.1 state machine) for an ARM JTAG-DP: 4-bit IR with IDCODE,
// ABORT, DPACC, APACC and BYPASS. Driven pin by pin: the caller reports TCK/TMS/TDI levels and
// reads TDO. Shift registers are held in two numbers (bits 0-31 and 32-34) so each bit costs a
// few integer operations: OpenOCD's remote_bitbang sends one byte per pin change.
import { DP_IDCODE, type JtagDp } from './jtag-dp.js';

const enum S {
  TLR, RTI, SelDR, CapDR, ShiftDR, Exit1DR, PauseDR, Exit2DR, UpdDR,
  SelIR, CapIR, ShiftIR, Exit1IR, PauseIR, Exit2IR, UpdIR,
}

// NEXT[state * 2 + tms]
const NEXT = new Uint8Array([
  S.RTI, S.TLR, // TLR
  S.RTI, S.SelDR, // RTI
  S.CapDR, S.SelIR, // SelDR
  S.ShiftDR, S.Exit1DR, // CapDR
  S.ShiftDR, S.Exit1DR, // ShiftDR
  S.PauseDR, S.UpdDR, // Exit1DR
  S.PauseDR, S.Exit2DR, // PauseDR
  S.ShiftDR, S.UpdDR, // Exit2DR
  S.RTI, S.SelDR, // UpdDR
  S.CapIR, S.TLR, // SelIR
  S.ShiftIR, S.Exit1IR, // CapIR
  S.ShiftIR, S.Exit1IR, // ShiftIR
  S.PauseIR, S.UpdIR, // Exit1IR
  S.PauseIR, S.Exit2IR, // PauseIR
  S.ShiftIR, S.UpdIR, // Exit2IR
  S.RTI, S.SelDR, // UpdIR
]);

export const IR_ABORT = 0x8;
export const IR_DPACC = 0xa;
export const IR_APACC = 0xb;
export const IR_IDCODE = 0xe;
export const IR_BYPASS = 0xf;

export class JtagTap {
  private state: S = S.TLR;
  private ir = IR_IDCODE;
  private tck = 0;
  // The active shift register: length and contents (lo = bits 0-31, hi = bits 32+).
  private len = 32;
  private lo = 0;
  private hi = 0;
  /** Bits clocked through Shift-DR/Shift-IR, for rate measurements. */
  shiftedBits = 0;

  constructor(private readonly dp: JtagDp) {}

  /** TDO as sampled by the debugger while TCK is low: the shift register's LSB in a shift state. */
  get tdo(): number {
    return this.state === S.ShiftDR || this.state === S.ShiftIR ? this.lo & 1 : 0;
  }

  /** New pin levels; the TAP acts on TCK's rising edge. */
  pins(tck: number, tms: number, tdi: number): void {
    const rising = tck === 1 && this.tck === 0;
    this.tck = tck;
    if (rising) this.clock(tms, tdi);
  }

  /** TRST: asynchronous reset to Test-Logic-Reset. */
  reset(): void {
    this.state = S.TLR;
    this.ir = IR_IDCODE;
  }

  private clock(tms: number, tdi: number): void {
    const st = this.state;
    if (st === S.ShiftDR || st === S.ShiftIR) this.shift(tdi);
    else if (st === S.CapDR) this.captureDr();
    else if (st === S.CapIR) this.load(4, 0b0001, 0); // IR capture pattern ends in 01
    const next = NEXT[st * 2 + tms] as S;
    this.state = next;
    if (next === S.UpdDR) this.updateDr();
    else if (next === S.UpdIR) this.ir = this.lo & 0xf;
    else if (next === S.TLR) this.ir = IR_IDCODE;
  }

  private shift(tdi: number): void {
    this.shiftedBits++;
    const len = this.len;
    if (len <= 32) {
      this.lo = ((this.lo >>> 1) | (tdi << (len - 1))) >>> 0;
    } else {
      this.lo = ((this.lo >>> 1) | ((this.hi & 1) << 31)) >>> 0;
      this.hi = (this.hi >>> 1) | (tdi << (len - 33));
    }
  }

  private load(len: number, lo: number, hi: number): void {
    this.len = len;
    this.lo = lo >>> 0;
    this.hi = hi;
  }

  private captureDr(): void {
    switch (this.ir) {
      case IR_IDCODE:
        return this.load(32, DP_IDCODE, 0);
      case IR_DPACC:
      case IR_APACC: {
        const c = this.dp.capture();
        return this.load(35, c.lo, c.hi);
      }
      case IR_ABORT:
        return this.load(35, 0, 0);
      default:
        return this.load(1, 0, 0); // BYPASS captures 0
    }
  }

  private updateDr(): void {
    if (this.ir === IR_DPACC) this.dp.update(false, this.lo, this.hi);
    else if (this.ir === IR_APACC) this.dp.update(true, this.lo, this.hi);
    else if (this.ir === IR_ABORT) this.dp.abort();
  }
}
