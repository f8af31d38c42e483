// A read position over one DWARF section: fixed-width integers in the ELF's byte order, LEB128, 32/64-bit
// DWARF offsets, NUL-terminated strings. Every read is bounds-checked against `end` and fails with a
// DwarfError that names the section and offset, so corrupt debug info never reads past its section.

import { DwarfError } from '../../errors.js';

export class Cursor {
  readonly view: DataView;
  pos: number;
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
    readonly section: string,
    pos = 0,
    end = bytes.byteLength,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.end = end;
  }

  /** A cursor over the same bytes at another position (cheap: shares the DataView). */
  at(pos: number, end = this.end): Cursor {
    const c = Object.create(Cursor.prototype) as Cursor;
    (c as { view: DataView }).view = this.view;
    (c as { bytes: Uint8Array }).bytes = this.bytes;
    (c as { le: boolean }).le = this.le;
    (c as { section: string }).section = this.section;
    c.pos = pos;
    c.end = end;
    return c;
  }

  fail(what: string, at = this.pos): never {
    throw new DwarfError(`corrupt DWARF: ${what} in ${this.section} at offset 0x${at.toString(16)}`);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail(`read of ${n} bytes runs past the end (0x${this.end.toString(16)})`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1);
    return this.bytes[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, this.le);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return this.le ? b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) : (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }
  u64big(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, this.le);
    this.pos += 8;
    return v;
  }
  /** 64-bit value as a number; exact up to 2^53 (addresses and offsets in practice). */
  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(this.pos + (this.le ? 4 : 0), this.le);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }
  /** Unsigned integer of 1, 2, 3, 4 or 8 bytes. */
  uN(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 3:
        return this.u24();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        return this.fail(`unsupported integer size ${size}`);
    }
  }
  /** A DWARF section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  offset(offsetSize: number): number {
    return offsetSize === 8 ? this.u64() : this.u32();
  }

  uleb(): number {
    const b = this.bytes;
    let p = this.pos;
    if (p < this.end && b[p] < 0x80) {
      this.pos = p + 1;
      return b[p];
    }
    let result = 0;
    let mul = 1;
    for (;;) {
      if (p >= this.end) this.fail('unterminated LEB128', this.pos);
      const byte = b[p++];
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 128;
      if (mul > 2 ** 70) {
        // Keep consuming a long (padded) encoding, but the value no longer fits: saturate.
        while (p < this.end && b[p] >= 0x80) p++;
        p++;
        break;
      }
    }
    this.pos = p;
    return result;
  }

  sleb(): number {
    const b = this.bytes;
    let p = this.pos;
    let result = 0;
    let mul = 1;
    let byte: number;
    do {
      if (p >= this.end) this.fail('unterminated LEB128', this.pos);
      byte = b[p++];
      result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte >= 0x80 && mul <= 2 ** 70);
    while (byte >= 0x80) {
      if (p >= this.end) this.fail('unterminated LEB128', this.pos);
      byte = b[p++];
    }
    if (byte & 0x40) result -= mul;
    this.pos = p;
    return result;
  }

  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return result;
    }
  }

  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte >= 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return result;
  }

  /** Skips a LEB128 without decoding it. */
  skipLeb(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end && b[p] >= 0x80) p++;
    if (p >= this.end) this.fail('unterminated LEB128', this.pos);
    this.pos = p + 1;
  }

  /** Skips a NUL-terminated string and returns its start. */
  skipCString(): number {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= this.end) this.fail('unterminated string', start);
    this.pos = nul + 1;
    return start;
  }

  subarray(n: number): Uint8Array {
    this.need(n);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
