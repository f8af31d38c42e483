// Probe read throughput and latency: 1, 8 and 64 watched u32 variables, read per tick
//   coalesced   : readWatches -> one planned block (the sampler's path)
//   per-var|pipe: one block per variable in one readBlocks (RSP: `m` packets pipelined; QMP: commands in flight)
//   per-var|seq : one readBlocks per variable, one round trip each (what a naive reader does)
// against the rp2040js GDB server (Cortex-M0+ heap demo) and QEMU QMP (Cortex-M3 heap demo), side by
// side in one run. Ratios are what to read; absolute numbers depend on the machine's load.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openElf } from '../src/elf/elf.js';
import { openGdbRsp } from '../src/probe/gdb-rsp.js';
import { openTcpTransport } from '../src/probe/tcp-transport.js';
import type { MemoryBlock, MemoryReader } from '../src/probe/types.js';
import { openProbe } from '../src/probe/url.js';
import { readWatches } from '../src/sample/read-watches.js';
import type { Watch } from '../src/watch/types.js';
import { freePort, sleep, startPeer, waitForPort, type Peer } from '../tests/peers/process.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');
const M0 = join(ROOT, 'firmware/prebuilt/heapdemo-m0plus-sawtooth.elf');
const M3 = join(ROOT, 'firmware/prebuilt/heapdemo-m3-sawtooth.elf');
const COUNTS = [1, 8, 64];
const CASE_MS = 1000;
const MAX_TICKS = 80;

/** N u32 variables 8 bytes apart from the start of .data: packed globals, as in real firmware. */
function watchesFor(elfPath: string, n: number): Watch[] {
  const data = openElf(elfPath).section('.data');
  if (!data) throw new Error(`${elfPath} has no .data`);
  return Array.from({ length: n }, (_, i) => ({
    expr: `v${i}`,
    address: data.addr + i * 8,
    hops: [],
    byteSize: 4,
    type: { kind: 'base', name: 'uint32_t', byteSize: 4, encoding: 'unsigned' } as const,
    typeName: 'uint32_t',
    littleEndian: true,
    decode: () => 0,
    columns: () => [],
  }));
}

interface Stats {
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Runs the cases round-robin (A B C A B C ...) for the same time budget, so that load spikes and
 * warm-up hit every case alike: on a shared machine that matters more than anything else.
 */
async function measureSideBySide(ticks: Array<() => Promise<unknown>>): Promise<Stats[]> {
  for (const t of ticks) await t(); // warm-up
  const lat: number[][] = ticks.map(() => []);
  const busy: number[] = ticks.map(() => 0);
  const start = performance.now();
  while (lat[0]!.length < MAX_TICKS && (performance.now() - start < CASE_MS * ticks.length || lat[0]!.length < 5)) {
    for (let k = 0; k < ticks.length; k++) {
      const t = performance.now();
      await ticks[k]!();
      const d = performance.now() - t;
      lat[k]!.push(d);
      busy[k]! += d;
    }
  }
  return lat.map((l, k) => {
    const sorted = [...l].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    return { perSecond: (l.length * 1000) / busy[k]!, p50: q(0.5), p99: q(0.99) };
  });
}

const fmt = (s: Stats) => `${s.perSecond.toFixed(1).padStart(7)} ticks/s  p50 ${s.p50.toFixed(2).padStart(7)} ms  p99 ${s.p99.toFixed(2).padStart(7)} ms`;

async function benchReader(name: string, reader: MemoryReader, elf: string): Promise<void> {
  process.stdout.write(`\n${name} (${reader.description}, max block ${reader.maxBlockBytes} B)\n`);
  for (const n of COUNTS) {
    const watches = watchesFor(elf, n);
    const blocks: MemoryBlock[] = watches.map((w) => ({ address: w.address, length: w.byteSize }));
    const [coalesced, pipelined, sequential] = await measureSideBySide([
      () => readWatches(reader, watches),
      () => reader.readBlocks(blocks),
      async () => {
        for (const b of blocks) await reader.readBlocks([b]);
      },
    ]);
    process.stdout.write(
      `  ${String(n).padStart(2)} vars  coalesced    ${fmt(coalesced)}\n` +
        `           per-var|pipe ${fmt(pipelined)}\n` +
        `           per-var|seq  ${fmt(sequential)}\n` +
        `           => coalesced is ${(coalesced.perSecond / pipelined.perSecond).toFixed(2)}x per-var|pipe, ` +
        `${(coalesced.perSecond / sequential.perSecond).toFixed(2)}x per-var|seq (ticks/s); ` +
        `p99 ${(sequential.p99 / coalesced.p99).toFixed(2)}x lower than per-var|seq\n`,
    );
  }
}

async function benchRp2040(): Promise<void> {
  const port = await freePort();
  const server = join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js');
  const peer = startPeer(process.execPath, [server, '--elf', M0, '--port', String(port)], { cwd: ROOT });
  try {
    await waitForPort(port, 30_000);
    const reader = await openProbe(`gdb://127.0.0.1:${port}`);
    try {
      await benchReader('rp2040js GDB server', reader, M0);
      // Pipelining alone: 64 separate `m` packets, all in flight vs one at a time.
      const blocks = watchesFor(M0, 64).map((w) => ({ address: w.address, length: 4 }));
      const serial = await openGdbRsp(await openTcpTransport('127.0.0.1', port, { timeoutMs: 5000, what: 'GDB server' }), { pipelineDepth: 1 });
      try {
        const [piped, unpiped] = await measureSideBySide([() => reader.readBlocks(blocks), () => serial.readBlocks(blocks)]);
        process.stdout.write(
          `  pipelining, 64 m packets in one readBlocks: depth 16 ${fmt(piped)}\n` +
            `                                              depth 1  ${fmt(unpiped)}\n` +
            `           => pipelined is ${(piped.perSecond / unpiped.perSecond).toFixed(2)}x faster\n`,
        );
      } finally {
        await serial.close();
      }
    } finally {
      await reader.close();
    }
  } finally {
    await peer.stop();
  }
}

async function benchQmp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'heapscope-bench-'));
  const sock = join(dir, 'qmp.sock');
  let peer: Peer | undefined;
  try {
    peer = startPeer('qemu-system-arm', ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', M3, '-qmp', `unix:${sock},server=on,wait=off`]);
    for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(50);
    const reader = await openProbe(`qmp:${sock}`);
    try {
      await benchReader('QEMU QMP', reader, M3);
    } finally {
      await reader.close();
    }
  } finally {
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  process.stdout.write(`probe reads: ${COUNTS.join(', ')} u32 variables, ~${CASE_MS} ms per case\n`);
  await benchRp2040();
  await benchQmp();
}
