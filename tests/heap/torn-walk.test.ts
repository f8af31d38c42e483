// A walk racing a workload that churns the free list at full speed (firmware/alloc-variants churn:
// heapscope's allocator, never sleeping, so snapshots land inside heap_alloc/heap_free). The rule under
// test: a walk reported consistent never carries a wrong largest-free value; torn snapshots are
// rejected, retried, and finally reported as inconsistent.
//
// The firmware keeps a seqlock (g_churn.seq odd while an operation runs, g_churn.ops completed ones)
// and a ring of the largest free block after each operation. A pass-through reader (it reads the real
// target; it only adds blocks) reads g_churn.seq/ops first and last in every readBlocks call, so the test
// knows which operations a walk's read overlapped: a consistent walk must report the largest free block
// after one of ops_first .. ops_last (+1 if an operation was in flight at the end).
// Two targets: the sim (one readBlocks is one atomic snapshot, so torn = mid-operation) and the rp2040js
// GDB server (RSP `m` packets answered while the core runs: the firmware moves during a read).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSim } from '../../src/probe/sim/index.js';
import { openProbe } from '../../src/probe/url.js';
import type { MemoryBlock, MemoryReader } from '../../src/probe/types.js';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';
import { detectAllocator, walkFreeList } from '../../src/heap/index.js';
import type { FreeListLayout } from '../../src/heap/types.js';
import { freePort, startPeer, waitForPort, type Peer } from '../peers/process.js';
import { contextFor, variantElf } from './helpers.js';

const elfPath = variantElf('churn-heapscope');
const ctx = contextFor(elfPath);
const RING = 16384;
const churn = ctx.symbols.get('g_churn')!.value;
const layout: FreeListLayout = detectAllocator(ctx)!.profile.freeList!(ctx)!;

interface Tag {
  seq: number;
  ops: number;
}

/** Reads g_churn.seq/.ops before and after the caller's blocks in the same call. */
class SeqTaggingReader implements MemoryReader {
  first: Tag = { seq: 0, ops: 0 };
  last: Tag = { seq: 0, ops: 0 };
  readonly nonHalting = true;
  constructor(private readonly inner: MemoryReader) {}
  get description(): string {
    return this.inner.description;
  }
  get maxBlockBytes(): number {
    return this.inner.maxBlockBytes;
  }
  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const tag = { address: churn, length: 8 };
    const got = await this.inner.readBlocks([tag, ...blocks, tag]);
    const decode = (b: Uint8Array): Tag => {
      const v = new DataView(b.buffer, b.byteOffset, 8);
      return { seq: v.getUint32(0, true), ops: v.getUint32(4, true) };
    };
    this.first = decode(got[0]!);
    this.last = decode(got[got.length - 1]!);
    return got.slice(1, -1);
  }
  info(): ReturnType<MemoryReader['info']> {
    return this.inner.info();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Largest free block after each operation the walk's read could have seen: only those ring entries
 * and g_churn.ops, in one small read right after the walk. Null when the firmware has lapped the ring
 * meanwhile (a very slow probe round trip): that sample cannot be judged.
 */
async function validLargest(reader: MemoryReader, first: Tag, last: Tag): Promise<number[] | null> {
  const upTo = last.ops + (last.seq % 2 === 1 ? 1 : 0);
  const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  // The operation in flight at the last read may have changed the heap already but not yet written its
  // ring entry: wait until it is done, else its entry still holds the value from RING operations ago.
  for (let i = 0; i < 500; i++) {
    const [ops] = await reader.readBlocks([{ address: churn + 4, length: 4 }]);
    if (u32(ops!) >= upTo) break;
    await new Promise((res) => setTimeout(res, 1));
  }
  const ns: number[] = [];
  for (let n = first.ops; n <= upTo; n++) ns.push(n);
  const got = await reader.readBlocks([...ns.map((n) => ({ address: churn + 8 + 4 * (n % RING), length: 4 })), { address: churn + 4, length: 4 }]);
  const now = u32(got[got.length - 1]!);
  if (now - first.ops >= RING - 1) return null;
  return got.slice(0, -1).map(u32);
}

function tornSuite(target: string, open: () => Promise<{ reader: MemoryReader; stop: () => Promise<void> }>, walks: number): void {
  describe(`torn-walk detection against a full-speed churn (${target})`, () => {
    let reader: MemoryReader;
    let stop: () => Promise<void>;
    beforeAll(async () => {
      ({ reader, stop } = await open());
    });
    afterAll(async () => {
      await stop?.();
    });

    it('single attempts: sees torn snapshots, and every consistent one has a true largest free block', async () => {
      const tagged = new SeqTaggingReader(reader);
      let consistent = 0;
      let judged = 0;
      let torn = 0;
      for (let i = 0; i < walks; i++) {
        const walk = await walkFreeList(tagged, layout, { attempts: 1 });
        if (!walk.consistent) {
          torn++;
          expect(walk.reason).toMatch(/inconsistent snapshot/);
          expect(walk.largestFree).toBeUndefined();
          continue;
        }
        consistent++;
        const valid = await validLargest(reader, tagged.first, tagged.last);
        if (!valid) continue;
        judged++;
        expect(valid, `walk over ops ${tagged.first.ops}..${tagged.last.ops}`).toContain(walk.largestFree);
      }
      expect(torn, 'the churn should produce torn snapshots').toBeGreaterThan(0);
      expect(consistent).toBeGreaterThan(0);
      expect(judged).toBeGreaterThan(0);
    });

    it('with retries: a result is either consistent and right, or says "inconsistent snapshot" with no numbers', async () => {
      const tagged = new SeqTaggingReader(reader);
      for (let i = 0; i < walks / 4; i++) {
        const walk = await walkFreeList(tagged, layout, { attempts: 3, retryDelayMs: 0 });
        if (!walk.consistent) {
          expect(walk.reason).toMatch(/^inconsistent snapshot after 3 attempts/);
          expect(walk.totalFree).toBeUndefined();
          continue;
        }
        const valid = await validLargest(reader, tagged.first, tagged.last);
        if (valid) expect(valid).toContain(walk.largestFree);
      }
    });
  });
}

tornSuite(
  'sim',
  async () => {
    const reader = await openSim({ elfPath, speed: Infinity });
    return { reader, stop: () => reader.close() };
  },
  150,
);

tornSuite(
  'rp2040js GDB server',
  async () => {
    const port = await freePort();
    const peer: Peer = startPeer(process.execPath, [join(heapscopeRoot(), 'dist/tests/peers/rp2040-gdb-server.js'), '--elf', elfPath, '--port', String(port), '--speed', '1'], {
      cwd: heapscopeRoot(),
    });
    try {
      await waitForPort(port, 30_000);
      const reader = await openProbe(`gdb://127.0.0.1:${port}`);
      return {
        reader,
        stop: async () => {
          await reader.close().catch(() => undefined);
          await peer.stop();
        },
      };
    } catch (e) {
      await peer.stop();
      throw e;
    }
  },
  80,
);

describe('why the counter cross-check exists', () => {
  let reader: MemoryReader;
  beforeAll(async () => {
    reader = await openSim({ elfPath, speed: Infinity });
  });
  afterAll(async () => {
    await reader?.close();
  });

  it('torn snapshots often pass every structural check and are caught only by the free-total cross-check', async () => {
    let caughtByCounter = 0;
    for (let i = 0; i < 150 && caughtByCounter === 0; i++) {
      const walk = await walkFreeList(reader, layout, { attempts: 1 });
      if (!walk.consistent && /the allocator's counter says/.test(walk.reason!)) caughtByCounter++;
    }
    expect(caughtByCounter).toBeGreaterThan(0);
  });
});
