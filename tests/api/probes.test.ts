// connect() through real network peers: the rp2040js GDB server (a third-party RSP server that reads
// while the core runs), the CLI's halting policy, and probes that are not there.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, HaltingProbeError, loadFirmware, ProbeDisconnectedError, ProbeError, ProbeTimeoutError, type Firmware, type Target } from '../../src/index.js';
import { join } from 'node:path';
import { freePort, startPeer, waitForPort, type Peer } from '../peers/process.js';
import { startRp2040GdbServer, type RunningPeer } from '../probe/peers.js';
import type { SessionEvent } from '../../src/index.js';
import { initialU32, LEAK_ELF, ROOT } from './helpers.js';

/** The rp2040js GDB server on a given port (to restart it where the sampler expects it). */
async function gdbServerOn(port: number): Promise<Peer> {
  const peer = startPeer(process.execPath, [join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js'), '--elf', LEAK_ELF, '--port', String(port)], { cwd: ROOT });
  try {
    await waitForPort(port, 20_000);
  } catch (err) {
    await peer.stop();
    throw new Error(`rp2040js GDB server did not start: ${peer.output()}`, { cause: err });
  }
  return peer;
}

describe('connect over GDB RSP to the rp2040js GDB server', () => {
  let fw: Firmware;
  let server: RunningPeer;

  beforeAll(async () => {
    fw = await loadFirmware(LEAK_ELF);
    server = await startRp2040GdbServer(LEAK_ELF);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads the same values and heap summary as on the sim, without halting', async () => {
    const target = await connect(fw, `gdb://127.0.0.1:${server.port}`);
    try {
      expect(await target.read('g_magic')).toBe(initialU32(LEAK_ELF, 'g_magic'));
      const { g_heap } = await target.read<{ g_heap: { used: number; free: number; capacity: number } }>(['g_heap']);
      expect(g_heap.used + g_heap.free).toBe(16384);
      const h = await target.heap();
      expect(h.allocator).toBe('heapscope');
      expect(h.values.capacity).toBe(16384);
      expect((await target.info()).targetState).not.toBe('halted');
    } finally {
      await target.close();
    }
  });

  it('refuses a server that halts the core unless allowHalt is given', async () => {
    // `?halting=yes` declares the server halting, as a user does for a Black Magic Probe.
    const url = `gdb://127.0.0.1:${server.port}?halting=yes`;
    await expect(connect(fw, url)).rejects.toBeInstanceOf(HaltingProbeError);
    const target = await connect(fw, url, { allowHalt: true });
    try {
      expect(await target.read('g_magic')).toBe(0xc0ffee42);
    } finally {
      await target.close();
    }
  });
});

describe('a probe that drops and comes back', () => {
  let fw: Firmware;
  let port: number;
  let peers: Peer[] = [];
  let target: Target;

  // Each test gets its own server on a fresh port, restarted on that same port to come back.
  beforeEach(async () => {
    fw ??= await loadFirmware(LEAK_ELF);
    port = await freePort();
    peers = [await gdbServerOn(port)];
    target = await connect(fw, `gdb://127.0.0.1:${port}`, { timeoutMs: 1000 });
  });
  afterEach(async () => {
    await target?.close();
    for (const p of peers) await p.stop();
  });

  async function restartServer(): Promise<void> {
    await peers[peers.length - 1]!.stop();
    peers.push(await gdbServerOn(port));
  }

  it('makes a sample stream report a gap, reconnect, and sample on', async () => {
    const events: SessionEvent[] = [];
    const stream = target.sample(['g_magic'], { rateHz: 20, reconnect: { initialMs: 100, maxMs: 400 }, onEvent: (e) => events.push(e) });
    let n = 0;
    let afterReconnect = 0;
    for await (const s of stream) {
      expect(s.values.g_magic).toBe(0xc0ffee42);
      if (++n === 5) await restartServer();
      if (events.some((e) => e.event === 'reconnect') && ++afterReconnect === 5) break;
    }
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['gap', 'reconnect']));
    // A one-shot read uses the re-opened connection.
    expect(await target.read('g_magic')).toBe(0xc0ffee42);
  });

  it('fails a one-shot read while the server is gone, and the next read re-opens the connection', async () => {
    expect(await target.read('g_magic')).toBe(0xc0ffee42);
    await peers[0]!.stop();
    await expect(target.read('g_magic')).rejects.toBeInstanceOf(ProbeError);
    peers.push(await gdbServerOn(port));
    expect(await target.read('g_magic')).toBe(0xc0ffee42);
  });
});

describe('connect to a probe that is not there', () => {
  let fw: Firmware;
  let silent: Server;
  let silentPort = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fw = await loadFirmware(LEAK_ELF);
    // A server that accepts and never answers (a wedged debug server).
    silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
  });

  it('fails with ProbeDisconnectedError when nothing listens on the port', { timeout: 5000 }, async () => {
    const port = await freePort();
    await expect(connect(fw, `gdb://127.0.0.1:${port}`, { timeoutMs: 1000 })).rejects.toBeInstanceOf(ProbeDisconnectedError);
  });

  it('fails with a ProbeError within its timeout when the server never answers', { timeout: 5000 }, async () => {
    const err = await connect(fw, `gdb://127.0.0.1:${silentPort}`, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toBeInstanceOf(ProbeTimeoutError);
  });

  it('fails with ProbeDisconnectedError on OpenOCD that is not running', { timeout: 5000 }, async () => {
    const port = await freePort();
    await expect(connect(fw, `openocd://127.0.0.1:${port}`, { timeoutMs: 1000 })).rejects.toBeInstanceOf(ProbeDisconnectedError);
  });
});
