// OpenOCD's remote_bitbang protocol over TCP, served by a simulated JTAG-DP + AHB-AP in front of a
// live rp2040js target. The hardware stand-in for tests: OpenOCD itself is the real peer.
//   '0'..'7'  set TCK/TMS/TDI (value = tck<<2 | tms<<1 | tdi)     'R'  reply '0' or '1' (TDO)
//   'r'..'u'  TRST/SRST levels (r: 0 0, s: 0 1, t: 1 0, u: 1 1)   'B'/'b' LED   'Q' quit
// Each chunk OpenOCD sends is decoded in one loop and all TDO replies go back in one write.
import { createServer, type Server, type Socket } from 'node:net';
import { JtagDp } from './jtag-dp.js';
import { JtagTap } from './jtag-tap.js';
import { LiveTarget, type LiveTargetOptions } from './jtag-target.js';

export interface JtagSim {
  readonly port: number;
  readonly target: LiveTarget;
  readonly dp: JtagDp;
  readonly tap: JtagTap;
  /** Bytes of remote_bitbang traffic received so far. */
  bytesIn(): number;
  /** Stop the emulated core (its memory stays readable). */
  pauseCore(): void;
  /** Close the server and drop OpenOCD's connection: the "adapter unplugged" fault. */
  close(): Promise<void>;
}

export async function startJtagSim(
  opts: LiveTargetOptions & { port?: number; host?: string } = {},
): Promise<JtagSim> {
  const target = new LiveTarget(opts);
  const dp = new JtagDp(target);
  const tap = new JtagTap(dp);
  const sockets = new Set<Socket>();
  let bytesIn = 0;
  const ONE = 0x31;
  const ZERO = 0x30;

  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sockets.delete(sock));
    sock.on('data', (chunk: Buffer) => {
      bytesIn += chunk.length;
      let out: Buffer | undefined;
      let n = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (c >= 0x30 && c <= 0x37) {
          const v = c - 0x30;
          tap.pins(v >> 2, (v >> 1) & 1, v & 1);
        } else if (c === 0x52 /* R */) {
          out ??= Buffer.allocUnsafe(chunk.length);
          out[n++] = tap.tdo ? ONE : ZERO;
        } else if (c >= 0x72 && c <= 0x75 /* r s t u */) {
          if ((c - 0x72) & 2) tap.reset(); // TRST asserted
        } else if (c === 0x51 /* Q */) {
          sock.end();
          return;
        }
        // 'B'/'b' (LED) and anything else: ignored
      }
      if (out && n > 0) sock.write(out.subarray(0, n));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  target.start();

  return {
    port,
    target,
    dp,
    tap,
    bytesIn: () => bytesIn,
    pauseCore: () => target.stop(),
    async close() {
      target.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
