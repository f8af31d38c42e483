// GDB RSP against a real server: rp2040js's GDB server running the bundled Cortex-M0+ heap demo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteTransport } from '../../src/probe/byte-transport.js';
import { openGdbRsp } from '../../src/probe/gdb-rsp.js';
import { openTcpTransport } from '../../src/probe/tcp-transport.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { openProbe } from '../../src/probe/url.js';
import { readWatches } from '../../src/sample/read-watches.js';
import { sleep } from '../peers/process.js';
import { M0_ELF, startRp2040GdbServer, type RunningPeer } from './peers.js';
import { symbolAddress, u32, u32Watch } from './watch-fixtures.js';

/** Wraps a real transport and records every byte we send: observation, not a mock. */
function recording(t: ByteTransport): { transport: ByteTransport; sent: () => string } {
  let sent = '';
  const transport: ByteTransport = {
    get description() {
      return t.description;
    },
    kind: t.kind,
    get closed() {
      return t.closed;
    },
    write(d) {
      sent += typeof d === 'string' ? d : Buffer.from(d).toString('latin1');
      t.write(d);
    },
    onData: (l) => t.onData(l),
    onClose: (l) => t.onClose(l),
    close: () => t.close(),
    abort: () => t.abort(),
  };
  return { transport, sent: () => sent };
}

describe('GDB RSP over TCP against the rp2040js GDB server', () => {
  let server: RunningPeer;
  let reader: MemoryReader;
  const ticks = symbolAddress(M0_ELF, 'g_ticks');
  const magic = symbolAddress(M0_ELF, 'g_magic');

  beforeAll(async () => {
    server = await startRp2040GdbServer();
    reader = await openProbe(`gdb://127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    await reader?.close();
    await server?.stop();
  });

  it('is detected as a server that reads while the core runs', () => {
    expect(reader.nonHalting).toBe(true);
  });

  it('reads a constant global back exactly', async () => {
    const [b] = await reader.readBlocks([{ address: magic, length: 4 }]);
    expect(u32(b!)).toBe(0xc0ffee42);
  });

  it('sees a counter change between reads while the core runs', async () => {
    const [a] = await reader.readBlocks([{ address: ticks, length: 4 }]);
    let changed = false;
    for (let i = 0; i < 50 && !changed; i++) {
      await sleep(50);
      const [b] = await reader.readBlocks([{ address: ticks, length: 4 }]);
      changed = u32(b!) !== u32(a!);
    }
    expect(changed).toBe(true);
  });

  it('reads struct members at their offsets (g_config.port == 3333, g_config.id == 7)', async () => {
    const [b] = await reader.readBlocks([{ address: symbolAddress(M0_ELF, 'g_config'), length: 16 }]);
    expect(b![0]).toBe(7);
    expect(b![2]! | (b![3]! << 8)).toBe(3333);
    expect(u32(b!, 4)).toBe(0x80000001);
  });

  it('splits a read larger than the packet size and returns every byte', async () => {
    const arena = symbolAddress(M0_ELF, 'g_vectors');
    const big = reader.maxBlockBytes * 2 + 10;
    const [whole] = await reader.readBlocks([{ address: arena, length: big }]);
    const [tail] = await reader.readBlocks([{ address: arena + big - 8, length: 8 }]);
    expect(whole!.length).toBe(big);
    // The vector table's first word is the initial stack pointer, in SRAM.
    expect(u32(whole!) >>> 24).toBe(0x20);
    expect([...whole!.subarray(big - 8)]).toEqual([...tail!]);
  });

  it('follows a pointer watch (g_heap_ptr->capacity equals g_heap.capacity)', async () => {
    const heap = symbolAddress(M0_ELF, 'g_heap');
    const viaPointer = u32Watch('g_heap_ptr->capacity', symbolAddress(M0_ELF, 'g_heap_ptr'), [{ pointerSize: 4, offset: 0 }]);
    const direct = u32Watch('g_heap.capacity', heap);
    const nullPtr = u32Watch('g_null_ptr->used', symbolAddress(M0_ELF, 'g_null_ptr'), [{ pointerSize: 4, offset: 4 }]);
    const [a, b, c] = await readWatches(reader, [viaPointer, direct, nullPtr]);
    expect(u32(a!)).toBe(16384);
    expect(u32(b!)).toBe(16384);
    expect(c!.length).toBe(0);
  });

  it('never sends a write packet on the wire (M, X, P, G, vFlash...)', async () => {
    const { transport, sent } = recording(await openTcpTransport('127.0.0.1', server.port, { timeoutMs: 3000, what: 'GDB server' }));
    const r = await openGdbRsp(transport);
    await readWatches(r, [u32Watch('g_ticks', ticks), u32Watch('g_magic', magic)]);
    await r.readBlocks([{ address: ticks, length: r.maxBlockBytes + 4 }]);
    await r.close();
    const packets = [...sent().matchAll(/\$([^#]*)#/g)].map((m) => m[1]!);
    expect(packets.some((p) => p.startsWith('m'))).toBe(true);
    expect(packets.filter((p) => /^(M|X|P|G|vFlash|QPassSignals|z|Z)/.test(p))).toEqual([]);
  });
});
