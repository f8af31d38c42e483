// RSP behaviours no real peer we can run produces on demand (console `O` packets and a stray stop
// reply in front of a memory reply, a run-length-encoded reply, a `-` nak, an `E` reply): a scripted
// TCP peer sends exactly those bytes. This is a stand-in for a server, and says so; everything else
// in tests/probe runs against real servers.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetMemoryError } from '../../src/errors.js';
import { openProbe } from '../../src/probe/url.js';
import { encodePacket, rspChecksum } from '../../src/probe/rsp-framing.js';
import { freePort } from '../peers/process.js';

/** Answers each complete `$cmd#cs` with reply(cmd) (raw bytes, already framed), acking with `+`. */
async function scriptedPeer(reply: (cmd: string, sock: Socket) => string | undefined): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let m = /\$([^#]*)#../.exec(buf); m; m = /\$([^#]*)#../.exec(buf)) {
        buf = buf.slice(m.index + m[0].length);
        const out = reply(m[1]!, sock);
        if (out !== undefined) sock.write('+' + out);
      }
    });
    sock.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { port, server, sockets };
}

let peer: { port: number; server: Server; sockets: Set<Socket> } | undefined;
afterEach(async () => {
  if (!peer) return;
  for (const s of peer.sockets) s.destroy();
  await new Promise<void>((r) => peer!.server.close(() => r()));
  peer = undefined;
});

const handshake = (cmd: string): string | undefined => {
  if (cmd.startsWith('qSupported')) return encodePacket('PacketSize=100');
  if (cmd === '?') return encodePacket('S05');
  if (cmd === 'D') return encodePacket('OK');
  if (cmd.startsWith('Q') || cmd.startsWith('q')) return encodePacket('');
  return undefined;
};

describe('RSP client against a scripted peer (fault/edge bytes only)', () => {
  it('skips console output and a stray stop reply, expands run-length replies', async () => {
    peer = await scriptedPeer((cmd) => {
      // '1* ' = '1' + 3 more: the reply expands to 1111222233334444.
      if (cmd === 'm1000,8') return encodePacket('O48690a') + encodePacket('T05thread:01;') + `$1* 2* 3* 4* #${rspChecksum('1* 2* 3* 4* ')}`;
      return handshake(cmd);
    });
    const r = await openProbe(`gdb://127.0.0.1:${peer.port}`);
    try {
      const [b] = await r.readBlocks([{ address: 0x1000, length: 8 }]);
      expect([...b!]).toEqual([0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44]);
    } finally {
      await r.close();
    }
  });

  it('retransmits a packet the server naks', async () => {
    let naked = false;
    let mCount = 0;
    peer = await scriptedPeer((cmd, sock) => {
      if (cmd.startsWith('m')) {
        mCount++;
        if (!naked) {
          naked = true;
          sock.write('-');
          return undefined;
        }
        return encodePacket('2a000000');
      }
      return handshake(cmd);
    });
    const r = await openProbe(`gdb://127.0.0.1:${peer.port}`);
    try {
      const [b] = await r.readBlocks([{ address: 0x2000, length: 4 }]);
      expect(b![0]).toBe(0x2a);
      expect(mCount).toBe(2);
    } finally {
      await r.close();
    }
  });

  it('an E reply becomes a TargetMemoryError naming the address', async () => {
    peer = await scriptedPeer((cmd) => (cmd.startsWith('m') ? encodePacket('E01') : handshake(cmd)));
    const r = await openProbe(`gdb://127.0.0.1:${peer.port}`);
    try {
      const err = await r.readBlocks([{ address: 0xdead0000, length: 4 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetMemoryError);
      expect((err as TargetMemoryError).address).toBe(0xdead0000);
      expect((err as Error).message).toContain('0xdead0000');
    } finally {
      await r.close();
    }
  });

  it('splits reads so each reply fits the server PacketSize', async () => {
    const asked: string[] = [];
    peer = await scriptedPeer((cmd) => {
      if (cmd.startsWith('m')) {
        asked.push(cmd);
        const len = parseInt(cmd.split(',')[1]!, 16);
        return encodePacket('ab'.repeat(len));
      }
      return handshake(cmd);
    });
    const r = await openProbe(`gdb://127.0.0.1:${peer.port}`);
    try {
      const [b] = await r.readBlocks([{ address: 0x3000, length: 300 }]);
      expect(b!.length).toBe(300);
      expect(b!.every((x) => x === 0xab)).toBe(true);
      // PacketSize=0x100: replies of `$` + 2 hex per byte + `#cs` must stay within 256 bytes.
      for (const m of asked) expect(parseInt(m.split(',')[1]!, 16) * 2 + 4).toBeLessThanOrEqual(0x100);
      expect(asked.length).toBeGreaterThan(1);
    } finally {
      await r.close();
    }
  });
});
