// GDB Remote Serial Protocol framing: `$payload#cs` packets, `+`/`-` acks, `%` notifications,
// run-length (`*`) expansion and `}` escapes. Pure byte handling, no I/O, so it is testable on its own
// and shared by the TCP and serial transports.

/** Modulo-256 sum of the bytes between `$` and `#`, as two lowercase hex digits. */
export function rspChecksum(raw: Uint8Array | string): string {
  let sum = 0;
  if (typeof raw === 'string') for (let i = 0; i < raw.length; i++) sum += raw.charCodeAt(i) & 0xff;
  else for (const b of raw) sum += b;
  return (sum & 0xff).toString(16).padStart(2, '0');
}

// Bytes that cannot appear literally inside a packet body.
const MUST_ESCAPE = new Set([0x23 /* # */, 0x24 /* $ */, 0x7d /* } */, 0x2a /* * */]);

/** Frames an (ASCII) command as `$...#cs`, escaping the bytes the protocol reserves. */
export function encodePacket(payload: string): string {
  let body = '';
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    body += MUST_ESCAPE.has(c) ? '}' + String.fromCharCode(c ^ 0x20) : payload[i];
  }
  return `$${body}#${rspChecksum(body)}`;
}

/**
 * Expands run-length encoding and then `}` escapes, in that order (as GDB's read_frame followed by
 * remote_unescape_input do): `X*n` repeats X (n - 29) more times, `}c` is c ^ 0x20.
 */
export function decodePacketBody(raw: Uint8Array): Uint8Array {
  const expanded: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x2a /* * */ && expanded.length > 0 && i + 1 < raw.length) {
      const repeat = raw[i + 1]! - 29;
      const prev = expanded[expanded.length - 1]!;
      for (let k = 0; k < repeat; k++) expanded.push(prev);
      i++;
      continue;
    }
    expanded.push(c);
  }
  const out: number[] = [];
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c === 0x7d /* } */ && i + 1 < expanded.length) {
      out.push(expanded[++i]! ^ 0x20);
    } else out.push(c);
  }
  return Uint8Array.from(out);
}

export type RspEvent =
  | { kind: 'ack' }
  | { kind: 'nak' }
  /** A packet; `ok` is false when its checksum did not match (in ack mode: answer `-`). */
  | { kind: 'packet'; payload: string; ok: boolean }
  /** An asynchronous `%name:data#cs` notification (non-stop mode); we never ask for them. */
  | { kind: 'notification'; payload: string }
  /** Bytes outside any packet that are not acks: another protocol answered, or line noise. */
  | { kind: 'garbage'; bytes: Uint8Array };

/** Incremental parser: feed it whatever the transport delivers, get complete events back. */
export class RspDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  feed(chunk: Uint8Array): RspEvent[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf, 0);
    merged.set(chunk, this.buf.length);
    const events: RspEvent[] = [];
    let i = 0;
    let garbageStart = -1;
    const flushGarbage = (end: number): void => {
      if (garbageStart >= 0 && end > garbageStart) {
        events.push({ kind: 'garbage', bytes: merged.slice(garbageStart, end) });
      }
      garbageStart = -1;
    };
    while (i < merged.length) {
      const c = merged[i]!;
      if (c === 0x2b /* + */) {
        flushGarbage(i);
        events.push({ kind: 'ack' });
        i++;
      } else if (c === 0x2d /* - */) {
        flushGarbage(i);
        events.push({ kind: 'nak' });
        i++;
      } else if (c === 0x24 /* $ */ || c === 0x25 /* % */) {
        flushGarbage(i);
        const hash = merged.indexOf(0x23 /* # */, i + 1);
        if (hash < 0 || hash + 2 >= merged.length) break; // incomplete: wait for more bytes
        const raw = merged.subarray(i + 1, hash);
        const sent = String.fromCharCode(merged[hash + 1]!, merged[hash + 2]!).toLowerCase();
        const payload = Buffer.from(decodePacketBody(raw)).toString('latin1');
        if (c === 0x25) events.push({ kind: 'notification', payload });
        else events.push({ kind: 'packet', payload, ok: sent === rspChecksum(raw) });
        i = hash + 3;
      } else {
        if (garbageStart < 0) garbageStart = i;
        i++;
      }
    }
    flushGarbage(i);
    this.buf = merged.slice(i);
    return events;
  }

  /** Bytes of an unfinished packet still waiting for its end. */
  get pending(): number {
    return this.buf.length;
  }
}

/** `S05`, `T05thread:01;`, `W00`, `X09`: the replies that report the target stopped or exited. */
export function isStopReply(payload: string): boolean {
  return /^[ST][0-9a-fA-F]{2}/.test(payload) || /^[WX][0-9a-fA-F]{2}/.test(payload);
}

/** `O<hex>` console output that servers send while the target runs (not `OK`). */
export function isConsoleOutput(payload: string): boolean {
  return /^O([0-9a-fA-F]{2})+$/.test(payload);
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
