import { describe, expect, it } from 'vitest';
import { decodePacketBody, encodePacket, isConsoleOutput, isStopReply, RspDecoder, rspChecksum } from '../../src/probe/rsp-framing.js';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('RSP framing', () => {
  it('checksums are the modulo-256 sum in two hex digits', () => {
    expect(rspChecksum('OK')).toBe('9a');
    expect(rspChecksum('')).toBe('00');
    expect(encodePacket('m20000000,4')).toBe(`$m20000000,4#${rspChecksum('m20000000,4')}`);
  });

  it('escapes the reserved bytes $ # } * when framing', () => {
    expect(encodePacket('a$b#c}d*')).toBe(`$a}\x04b}\x03c}]d}\x0a#${rspChecksum('a}\x04b}\x03c}]d}\x0a')}`);
  });

  it('expands run-length encoding: X*n repeats X n-29 more times', () => {
    // "0* " = '0' + 3 more -> "0000"; "f*!" = 'f' + 4 more
    expect(Buffer.from(decodePacketBody(bytes('0* 1f*!'))).toString()).toBe('00001fffff');
  });

  it('decodes } escapes after run-length expansion', () => {
    expect(Buffer.from(decodePacketBody(bytes('a}\x03b}]'))).toString('latin1')).toBe('a#b}');
  });

  it('reassembles a packet split across chunks and verifies its checksum', () => {
    const d = new RspDecoder();
    const frame = encodePacket('deadbeef');
    expect(d.feed(bytes(frame.slice(0, 5)))).toEqual([]);
    expect(d.feed(bytes(frame.slice(5)))).toEqual([{ kind: 'packet', payload: 'deadbeef', ok: true }]);
  });

  it('flags a packet whose checksum does not match', () => {
    const ev = new RspDecoder().feed(bytes('$OK#00'));
    expect(ev).toEqual([{ kind: 'packet', payload: 'OK', ok: false }]);
  });

  it('reports acks, naks and packets in arrival order', () => {
    const ev = new RspDecoder().feed(bytes(`+-${encodePacket('OK')}+`));
    expect(ev.map((e) => e.kind)).toEqual(['ack', 'nak', 'packet', 'ack']);
  });

  it('reports bytes outside packets as garbage (another protocol answered)', () => {
    const ev = new RspDecoder().feed(bytes('HTTP/1.1 400 Bad Request\r\n'));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.kind).toBe('garbage');
  });

  it('tells stop replies and console output from ordinary replies', () => {
    expect(isStopReply('S05')).toBe(true);
    expect(isStopReply('T05thread:01;')).toBe(true);
    expect(isStopReply('W00')).toBe(true);
    expect(isStopReply('OK')).toBe(false);
    expect(isStopReply('12345678')).toBe(false);
    expect(isConsoleOutput('O48656c6c6f')).toBe(true);
    expect(isConsoleOutput('OK')).toBe(false);
  });
});
