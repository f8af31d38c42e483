// Free-list walk cost: readBlocks calls and milliseconds per walk for free lists of 10, 100 and 1000
// blocks (firmware/alloc-variants freelist-N: heapscope's allocator, 64 KiB arena), walked
//   whole        : the arena read whole in the same call as the counters (the walker's choice for
//                  regions up to DEFAULT_PREFETCH_BYTES = 32 KiB: one atomic snapshot on the sim)
//   paged        : pages read along the list, growing 1, 2, 4 .. 16 KiB (the walker's choice above that)
//   node-by-node : one read per block header, as a naive walker (or a debugger script) does
// on the sim (SharedArrayBuffer reads), the rp2040js GDB server (RSP over TCP) and QEMU mps2-an385 over
// QMP (Cortex-M3 builds), side by side in one run. Ratios are what to read.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openElf } from '../src/elf/elf.js';
import { loadDebugInfo } from '../src/elf/dwarf/index.js';
import { detectAllocator, heapContext, walkFreeList } from '../src/heap/index.js';
import type { FreeListLayout, WalkResult } from '../src/heap/types.js';
import type { MemoryReader } from '../src/probe/types.js';
import { openProbe } from '../src/probe/url.js';
import { openSim } from '../src/probe/sim/index.js';
import { freePort, sleep, startPeer, waitForPort, type Peer } from '../tests/peers/process.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');
const SIZES = [10, 100, 1000];
const CASE_MS = 600;

const elfFor = (n: number, core: 'm0plus' | 'm3'): string =>
  join(ROOT, 'firmware/alloc-variants/prebuilt', core === 'm3' ? `freelist-m3-${n}.elf` : `freelist-${n}.elf`);

function layoutFor(elfPath: string): FreeListLayout {
  const elf = openElf(elfPath);
  const ctx = heapContext(elf, loadDebugInfo(elf));
  return detectAllocator(ctx)!.profile.freeList!(ctx)!;
}

interface Measured {
  msPerWalk: number;
  readsPerWalk: number;
  bytesPerWalk: number;
  last: WalkResult;
}

async function measure(reader: MemoryReader, layout: FreeListLayout, mode: 'whole' | 'paged' | 'node-by-node'): Promise<Measured> {
  const opts =
    mode === 'node-by-node' ? { mode } : { mode: 'coalesced' as const, maxPrefetchBytes: mode === 'whole' ? Infinity : 0 };
  let walks = 0;
  let reads = 0;
  let bytes = 0;
  let last: WalkResult | undefined;
  const t0 = performance.now();
  // at least 2 walks, then until CASE_MS has passed
  while (walks < 2 || performance.now() - t0 < CASE_MS) {
    last = await walkFreeList(reader, layout, { ...opts, attempts: 1 });
    walks++;
    reads += last.reads;
    bytes += last.bytesRead;
  }
  const ms = performance.now() - t0;
  return { msPerWalk: ms / walks, readsPerWalk: reads / walks, bytesPerWalk: bytes / walks, last: last! };
}

/** Waits until the firmware has built its list (N holes + the rest of the arena). */
async function settled(reader: MemoryReader, layout: FreeListLayout, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const w = await walkFreeList(reader, layout, { attempts: 1 });
    if (w.consistent && w.freeBlocks === n + 1) return;
    await sleep(50);
  }
  throw new Error(`freelist-${n}: the firmware did not reach ${n + 1} free blocks`);
}

async function benchTarget(target: string, n: number, layout: FreeListLayout, reader: MemoryReader): Promise<void> {
  await settled(reader, layout, n);
  const c = await measure(reader, layout, 'whole');
  const p = await measure(reader, layout, 'paged');
  const s = await measure(reader, layout, 'node-by-node');
  const line = (name: string, m: Measured): string =>
    `    ${name.padEnd(13)} ${m.readsPerWalk.toFixed(0).padStart(5)} reads ${(m.bytesPerWalk / 1024).toFixed(1).padStart(6)} KiB ${m.msPerWalk.toFixed(2).padStart(9)} ms/walk` +
    (m === s ? '' : `  => ${(s.msPerWalk / m.msPerWalk).toFixed(1)}x node-by-node speed, ${(s.readsPerWalk / m.readsPerWalk).toFixed(0)}x fewer reads`) +
    '\n';
  process.stdout.write(`  ${target}, ${n + 1} free blocks in a 64 KiB arena\n` + line('whole', c) + line('paged', p) + line('node-by-node', s));
  if (c.last.largestFree !== s.last.largestFree || p.last.largestFree !== s.last.largestFree) throw new Error(`${target}: the walks disagree`);
}

async function withPeer(start: () => Promise<{ peer: Peer; url: string; cleanup?: () => void }>, body: (reader: MemoryReader) => Promise<void>): Promise<void> {
  const { peer, url, cleanup } = await start();
  try {
    const reader = await openProbe(url);
    try {
      await body(reader);
    } finally {
      await reader.close();
    }
  } finally {
    await peer.stop();
    cleanup?.();
  }
}

export async function run(): Promise<void> {
  for (const n of SIZES) {
    const elf = elfFor(n, 'm0plus');
    const layout = layoutFor(elf);
    const sim = await openSim({ elfPath: elf, speed: Infinity });
    try {
      await benchTarget('sim (shared memory)', n, layout, sim);
    } finally {
      await sim.close();
    }
    await withPeer(
      async () => {
        const port = await freePort();
        const peer = startPeer(process.execPath, [join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js'), '--elf', elf, '--port', String(port)], { cwd: ROOT });
        await waitForPort(port, 30_000);
        return { peer, url: `gdb://127.0.0.1:${port}` };
      },
      (reader) => benchTarget('rp2040js GDB server', n, layout, reader),
    );
    const m3 = elfFor(n, 'm3');
    const dir = mkdtempSync(join(tmpdir(), 'heapscope-bench-'));
    const sock = join(dir, 'qmp.sock');
    try {
      await withPeer(
        async () => {
          const peer = startPeer('qemu-system-arm', ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', m3, '-qmp', `unix:${sock},server=on,wait=off`]);
          for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(50);
          return { peer, url: `qmp:${sock}` };
        },
        (reader) => benchTarget('QEMU mps2-an385 QMP', n, layoutFor(m3), reader),
      );
    } catch (e) {
      process.stdout.write(`  QEMU mps2-an385 QMP    ${n + 1} free blocks: skipped (${(e as Error).message})\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// `node dist/bench/heap-walk.js` runs it alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await run();
