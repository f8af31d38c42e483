// The DWARF byte cursor: LEB128, fixed-width integers in both byte orders, 64-bit DWARF offsets, and
// bounds checks that fail as DwarfError instead of reading past a section.
import { describe, expect, it } from 'vitest';
import { Cursor } from '../../src/elf/dwarf/cursor.js';
import { DwarfError } from '../../src/errors.js';

const cur = (bytes: number[], le = true) => new Cursor(Uint8Array.from(bytes), le, '.debug_test');

describe('LEB128', () => {
  it('decodes unsigned LEB128 of one and several bytes', () => {
    const c = cur([0x02, 0x7f, 0x80, 0x01, 0xe5, 0x8e, 0x26]);
    expect([c.uleb(), c.uleb(), c.uleb(), c.uleb()]).toEqual([2, 127, 128, 624485]);
    expect(c.remaining).toBe(0);
  });

  it('decodes signed LEB128 including negative values', () => {
    const c = cur([0x02, 0x7e, 0xff, 0x00, 0x81, 0x7f, 0x80, 0x7f, 0xc0, 0xbb, 0x78]);
    expect([c.sleb(), c.sleb(), c.sleb(), c.sleb(), c.sleb(), c.sleb()]).toEqual([2, -2, 127, -127, -128, -123456]);
  });

  it('decodes 64-bit LEB128 exactly as bigint', () => {
    // 0xffffffffffffffff and -1 as 10-byte encodings
    const c = cur([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x7f]);
    expect(c.ulebBig()).toBe(0xffffffffffffffffn);
    expect(c.slebBig()).toBe(-1n);
  });

  it('fails with DwarfError on an unterminated LEB128', () => {
    expect(() => cur([0x80, 0x80]).uleb()).toThrow(DwarfError);
    expect(() => cur([0x80]).sleb()).toThrow(/unterminated LEB128 in \.debug_test/);
  });

  it('skips a LEB128 without decoding it', () => {
    const c = cur([0xe5, 0x8e, 0x26, 0x07]);
    c.skipLeb();
    expect(c.u8()).toBe(7);
  });
});

describe('fixed-width integers', () => {
  it('reads little-endian 16/24/32/64-bit values', () => {
    const c = cur([0x34, 0x12, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0, 2, 0, 0, 0]);
    expect(c.u16()).toBe(0x1234);
    expect(c.u24()).toBe(0x123456);
    expect(c.u32()).toBe(0x12345678);
    expect(c.u64()).toBe(2 * 2 ** 32 + 1);
  });

  it('reads big-endian 16/24/32/64-bit values', () => {
    const c = cur([0x12, 0x34, 0x12, 0x34, 0x56, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 2, 0, 0, 0, 1], false);
    expect(c.u16()).toBe(0x1234);
    expect(c.u24()).toBe(0x123456);
    expect(c.u32()).toBe(0x12345678);
    expect(c.u64()).toBe(2 * 2 ** 32 + 1);
  });

  it('reads 4-byte offsets in 32-bit DWARF and 8-byte offsets in 64-bit DWARF', () => {
    const c = cur([0x10, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0]);
    expect(c.offset(4)).toBe(0x10);
    expect(c.offset(8)).toBe(0x20);
  });

  it('refuses to read past the end of its range', () => {
    const c = new Cursor(Uint8Array.from([1, 2, 3, 4, 5, 6]), true, '.debug_info', 0, 3);
    expect(() => c.u32()).toThrow(DwarfError);
    expect(() => c.u32()).toThrow(/runs past the end/);
    expect(c.u16()).toBe(0x0201);
    expect(() => c.skip(2)).toThrow(DwarfError);
  });

  it('reads NUL-terminated strings only within the range', () => {
    const c = cur([0x61, 0x62, 0x00, 0x63]);
    expect(c.skipCString()).toBe(0);
    expect(c.pos).toBe(3);
    expect(() => c.skipCString()).toThrow(/unterminated string/);
  });
});
