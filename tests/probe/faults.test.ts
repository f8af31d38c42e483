// Faults a user meets with a gdb:// URL, each against a real TCP peer that produces it: nothing
// listening, an HTTP server, a server that accepts and closes at once (a tiny TCP server that closes
// is the genuine fault, not a mock of a GDB server), a server that accepts and never answers, and bad URLs.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProbeDisconnectedError, ProbeError, ProbeTimeoutError, UsageError } from '../../src/errors.js';
import { openProbe, parseProbeUrl } from '../../src/probe/url.js';
import { freePort } from '../peers/process.js';

const servers: Array<Server | ReturnType<typeof createHttpServer>> = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function listen<T extends Server | ReturnType<typeof createHttpServer>>(srv: T): Promise<number> {
  servers.push(srv);
  srv.on('connection', (s: Socket) => sockets.add(s));
  const port = await freePort();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  return port;
}

describe('probe faults', () => {
  it('nothing listening: ProbeDisconnectedError that says so', async () => {
    const port = await freePort();
    const err = await openProbe(`gdb://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeDisconnectedError);
    expect((err as Error).message).toMatch(/nothing is listening on 127\.0\.0\.1:\d+/);
  });

  it('an HTTP server on the port: ProbeError naming what answered', async () => {
    const port = await listen(createHttpServer((_q, res) => res.end('hi')));
    const err = await openProbe(`gdb://127.0.0.1:${port}`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as Error).message).toMatch(/not a GDB server.*HTTP/);
  });

  it('a server that sends a banner (SSH-style) first: ProbeError naming it', async () => {
    const srv = createServer((s) => s.end('SSH-2.0-OpenSSH_9.2p1 Debian\r\n'));
    const port = await listen(srv);
    const err = await openProbe(`gdb://127.0.0.1:${port}`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as Error).message).toMatch(/SSH server/);
  });

  it('a server that accepts and closes: ProbeDisconnectedError', async () => {
    const srv = createServer((s) => s.destroy());
    const port = await listen(srv);
    const err = await openProbe(`gdb://127.0.0.1:${port}`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeDisconnectedError);
    expect((err as Error).message).toMatch(/closed the connection/);
  });

  it('a server that accepts and never answers: ProbeTimeoutError', async () => {
    const srv = createServer(() => undefined);
    const port = await listen(srv);
    const err = await openProbe(`gdb://127.0.0.1:${port}`, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeTimeoutError);
    expect((err as Error).message).toMatch(/did not answer 'qSupported.*within 300 ms/);
  });

  it('bad URLs are UsageErrors listing the accepted forms', () => {
    for (const bad of ['gdb:127.0.0.1:3333', 'gdb://127.0.0.1', 'ftp://x', 'qmp:', 'gdb://h:99999', 'nocolon']) {
      expect(() => parseProbeUrl(bad), bad).toThrow(UsageError);
    }
    expect(() => parseProbeUrl('tcp://x:1')).toThrow(/gdb:\/\/host:port/);
  });

  it('good URLs parse to their transports', () => {
    expect(parseProbeUrl('gdb://localhost:3333')).toEqual({ kind: 'gdb', host: 'localhost', port: 3333 });
    expect(parseProbeUrl('openocd://10.0.0.2')).toEqual({ kind: 'openocd', host: '10.0.0.2', port: 6666 });
    expect(parseProbeUrl('serial:/dev/ttyACM0?baud=9600')).toEqual({ kind: 'serial', path: '/dev/ttyACM0', baudRate: 9600 });
    expect(parseProbeUrl('qmp:/tmp/q.sock')).toEqual({ kind: 'qmp', path: '/tmp/q.sock' });
    expect(parseProbeUrl('qmp://127.0.0.1:4444')).toEqual({ kind: 'qmp', host: '127.0.0.1', port: 4444 });
    expect(parseProbeUrl('sim:')).toEqual({ kind: 'sim' });
  });
});
