import { describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../src/elf/dwarf/model.js';
import { bitfieldReader, valueReader } from '../../src/watch/decode.js';
import * as T from './hand-types.js';

function decode(type: TypeInfo, bytes: number[], le = true) {
  const b = Uint8Array.from(bytes);
  return valueReader(type, le)(b, 0);
}
function bits(type: TypeInfo, bitOffset: number, bitSize: number, bytes: number[], le = true) {
  const b = Uint8Array.from(bytes);
  return bitfieldReader(type, { bitOffset, bitSize }, le)(b, 0);
}

describe('decoders', () => {
  it('decodes signed and unsigned integers of 1, 2 and 4 bytes as numbers', () => {
    expect(decode(T.u8, [0xff])).toBe(255);
    expect(decode(T.i16, [0xfe, 0xff])).toBe(-2);
    expect(decode(T.int, [0xff, 0xff, 0xff, 0xff])).toBe(-1);
    expect(decode(T.uint32_t, [0x78, 0x56, 0x34, 0x12])).toBe(0x12345678);
  });

  it('honours big-endian byte order', () => {
    expect(decode(T.uint32_t, [0x12, 0x34, 0x56, 0x78], false)).toBe(0x12345678);
    expect(decode(T.i16, [0xff, 0xfe], false)).toBe(-2);
  });

  it('decodes 64-bit integers as bigint', () => {
    expect(decode(T.u64, [1, 0, 0, 0, 0, 0, 0, 0x80])).toBe(0x8000000000000001n);
    expect(decode(T.i64, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(-1n);
  });

  it('decodes float and double', () => {
    const f = new Uint8Array(new Float32Array([1.5]).buffer);
    expect(decode(T.float, [...f])).toBe(1.5);
    const d = new Uint8Array(new Float64Array([-0.1]).buffer);
    expect(decode(T.double, [...d])).toBe(-0.1);
  });

  it('decodes bool as boolean through qualifiers', () => {
    expect(decode({ kind: 'qualified', qualifier: 'volatile', target: T.bool }, [2])).toBe(true);
    expect(decode(T.bool, [0])).toBe(false);
  });

  it('decodes enums to their names and unknown values to numbers', () => {
    expect(decode(T.state, [7])).toBe('ERROR');
    expect(decode(T.state, [5])).toBe(5);
  });

  it('decodes pointers as the number they hold', () => {
    expect(decode(T.poolPtr, [0x34, 0x12, 0x00, 0x20])).toBe(0x2000_1234);
  });

  it('decodes a plain char array as a string up to the first NUL', () => {
    const t: TypeInfo = { kind: 'array', element: T.char, dims: [8], byteSize: 8 };
    expect(decode(t, [0x68, 0x65, 0x61, 0x70, 0, 0x78, 0x78, 0x78])).toBe('heap');
    expect(decode(t, [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68])).toBe('abcdefgh');
  });

  it('keeps uint8_t arrays numeric', () => {
    expect(decode(T.bytes4, [1, 0, 3, 4])).toEqual([1, 0, 3, 4]);
  });

  it('decodes multi-dimensional arrays as nested arrays', () => {
    const b = new Uint8Array(new Int32Array([1, 2, 3, 4, 5, -6]).buffer);
    expect(decode(T.matrix, [...b])).toEqual([
      [1, 2, 3],
      [4, 5, -6],
    ]);
  });

  it('decodes structs as objects with bitfields, enums and anonymous members flattened', () => {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x1234, true); // u.w
    v.setFloat32(4, 2.5, true); // asFloat
    b.set([0x68, 0x69], 8); // "hi"
    v.setUint32(16, 0x2000_0100, true);
    expect(decode(T.outer, [...b])).toEqual({
      u: { w: 0x1234, halves: { a: 0x1234, b: 0 } },
      asFloat: 2.5,
      asInt: 0x40200000,
      name: 'hi',
      next: 0x2000_0100,
      opaque: 0,
    });
    const s = new Uint8Array(16);
    s[8] = 1; // BUSY
    s[12] = 0b11111_101; // flags = 5, level = -1
    expect(decode(T.poolStats, [...s])).toEqual({ used: 0, free: 0, st: 'BUSY', flags: 5, level: -1 });
  });

  it('extracts little-endian bitfields counted from the LSB', () => {
    expect(bits(T.uint, 0, 3, [0b01100_101])).toBe(5);
    expect(bits(T.uint, 3, 5, [0b01100_101])).toBe(12);
    // a field straddling two bytes: bits 6..9
    expect(bits(T.uint, 6, 4, [0b11_000000, 0b10])).toBe(0b1011);
  });

  it('extracts big-endian bitfields counted from the MSB', () => {
    expect(bits(T.uint, 0, 3, [0b101_01100], false)).toBe(5);
    expect(bits(T.uint, 3, 5, [0b101_01100], false)).toBe(12);
    expect(bits(T.uint, 6, 4, [0b000000_10, 0b11_000000], false)).toBe(0b1011);
  });

  it('sign-extends signed bitfields', () => {
    expect(bits(T.int, 3, 5, [0b10000_000])).toBe(-16);
    expect(bits(T.int, 0, 1, [1])).toBe(-1);
    expect(bits(T.int, 3, 5, [0b000_10000], false)).toBe(-16);
  });

  it('decodes wide bitfields of 64-bit types', () => {
    // 60-bit field at bit 2: bigint above 52 bits
    const b = [0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f];
    expect(bits(T.u64, 2, 60, b)).toBe(0x0fffffffffffffffn);
    expect(bits(T.i64, 2, 40, b)).toBe(-1);
  });

  it('maps enum and bool bitfields', () => {
    expect(bits(T.state, 1, 3, [0b1110])).toBe('ERROR');
    expect(bits(T.bool, 7, 1, [0x80])).toBe(true);
  });

  it('decodes every integer width in both byte orders at full range', () => {
    for (const le of [true, false]) {
      const order = (xs: number[]) => (le ? xs : [...xs].reverse());
      expect(decode(T.int, order([0x00, 0x00, 0x00, 0x80]), le)).toBe(-0x80000000);
      expect(decode(T.uint, order([0xff, 0xff, 0xff, 0xff]), le)).toBe(0xffffffff);
      expect(decode(T.i16, order([0x00, 0x80]), le)).toBe(-0x8000);
      expect(decode({ kind: 'base', name: 'unsigned short', byteSize: 2, encoding: 'unsigned' }, order([0xff, 0xff]), le)).toBe(0xffff);
      expect(decode(T.i64, order([0, 0, 0, 0, 0, 0, 0, 0x80]), le)).toBe(-(2n ** 63n));
      expect(decode({ kind: 'base', name: 'signed char', byteSize: 1, encoding: 'signed-char' }, [0x80], le)).toBe(-128);
    }
  });

  it('decodes big-endian floats', () => {
    const f = new Uint8Array(4);
    new DataView(f.buffer).setFloat32(0, -2.5, false);
    expect(decode(T.float, [...f], false)).toBe(-2.5);
    const d = new Uint8Array(8);
    new DataView(d.buffer).setFloat64(0, 1e300, false);
    expect(decode(T.double, [...d], false)).toBe(1e300);
  });

  it('reads members at their offsets inside a larger buffer', () => {
    const b = Uint8Array.from([9, 9, 9, 1, 0, 0, 0, 2, 0, 0, 0]);
    const pair: TypeInfo = {
      kind: 'struct', name: 'pair', byteSize: 8, declaration: false,
      members: [{ name: 'a', type: T.uint, offset: 0 }, { name: 'b', type: T.uint, offset: 4 }],
    };
    expect(valueReader(pair, true)(b, 3)).toEqual({ a: 1, b: 2 });
  });

  it('keeps a member named __proto__ as an ordinary key', () => {
    const odd: TypeInfo = {
      kind: 'struct', name: 'odd', byteSize: 2, declaration: false,
      members: [{ name: '__proto__', type: T.u8, offset: 0 }, { name: 'x', type: T.u8, offset: 1 }],
    };
    const v = decode(odd, [7, 8]) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe(7);
    expect(v.x).toBe(8);
  });
});
