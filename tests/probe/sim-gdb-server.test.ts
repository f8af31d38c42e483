// The rp2040js GDB-server peer (tests/peers/rp2040-gdb-server.ts) that the RSP tests use: it must
// start, say "listening <port>", and answer `m` reads while the firmware runs.
// Needs `npm run build` (runs dist/tests/peers/rp2040-gdb-server.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { bundledFirmware, heapscopeRoot } from '../../src/probe/sim/bundled.js';
import { freePort, startPeer, type Peer } from '../peers/process.js';
import { pollUntil, symbolAddresses } from './sim-helpers.js';

const script = join(heapscopeRoot(), 'dist', 'tests', 'peers', 'rp2040-gdb-server.js');

/** Minimal RSP: one packet out, one reply in (acks skipped). Enough to check the peer, nothing more. */
class TinyRsp {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(port: number): Promise<TinyRsp> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new TinyRsp(s)));
      s.once('error', reject);
    });
  }
  async request(cmd: string): Promise<string> {
    let sum = 0;
    for (const c of cmd) sum = (sum + c.charCodeAt(0)) & 0xff;
    this.sock.write(`$${cmd}#${sum.toString(16).padStart(2, '0')}`);
    const deadline = Date.now() + 5000;
    for (;;) {
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        this.sock.write('+');
        return m[1]!;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${cmd}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async readU32(addr: number): Promise<number> {
    const hex = await this.request(`m${addr.toString(16)},4`);
    return Buffer.from(hex, 'hex').readUInt32LE(0);
  }
  close(): void {
    this.sock.destroy();
  }
}

describe('rp2040-gdb-server peer', () => {
  const elf = bundledFirmware('sawtooth', 'm0plus');
  const sym = symbolAddresses(elf);
  let peer: Peer;
  let port: number;
  let rsp: TinyRsp;

  beforeAll(async () => {
    if (!existsSync(script)) throw new Error(`${script} missing: run \`npm run build\` first`);
    port = await freePort();
    peer = startPeer(process.execPath, [script, '--elf', elf, '--port', String(port)]);
    await pollUntil('"listening" from the peer', 15_000, async () =>
      peer.output().includes(`listening ${port}`) ? true : undefined,
    );
    rsp = await TinyRsp.open(port);
  });
  afterAll(async () => {
    rsp?.close();
    await peer?.stop();
  });

  it('prints "listening <port>" when ready', () => {
    expect(peer.output()).toContain(`listening ${port}\n`);
  });

  it('answers an m read of g_magic with 0xC0FFEE42', async () => {
    expect(await rsp.readU32(sym.g_magic!)).toBe(0xc0ffee42);
  });

  it('shows g_ticks changing between reads while the core runs', async () => {
    const first = await rsp.readU32(sym.g_ticks!);
    const later = await pollUntil('g_ticks to change', 10_000, async () => {
      const v = await rsp.readU32(sym.g_ticks!);
      return v !== first ? v : undefined;
    });
    expect(later).toBeGreaterThan(first);
  });
});
