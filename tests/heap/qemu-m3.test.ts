// The heapscope profile on the Cortex-M3 build under qemu-system-arm mps2-an385, read over QMP while
// the VM runs. Unlike the sim, a QMP readBlocks is not one atomic snapshot (each `xp` is its own
// command): the walk's before/after counters and the free-total cross-check carry the consistency.
// Independent check: the allocator's own largest_free, read in the same call, must equal the walk's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAllocator, inspectHeap } from '../../src/heap/index.js';
import { bundledFirmware } from '../../src/probe/sim/index.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { openProbe } from '../../src/probe/url.js';
import { sleep, startPeer, type Peer } from '../peers/process.js';
import { contextFor } from './helpers.js';

const hasQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const elfPath = bundledFirmware('sawtooth', 'm3');

describe.skipIf(!hasQemu)('heapscope profile over QMP on QEMU mps2-an385 (Cortex-M3)', () => {
  let qemu: Peer | undefined;
  let reader: MemoryReader | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapscope-heap-qemu-'));
    const sock = join(dir, 'qmp.sock');
    qemu = startPeer('qemu-system-arm', ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', elfPath, '-qmp', `unix:${sock},server=on,wait=off`]);
    for (let i = 0; i < 300 && !existsSync(sock); i++) await sleep(50);
    reader = await openProbe(`qmp:${sock}`);
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await qemu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('consistent walks agree with the counters read in the same call (free, blocks, largest)', async () => {
    const ctx = contextFor(elfPath);
    const found = detectAllocator(ctx)!;
    let agreed = 0;
    for (let i = 0; i < 60 && agreed < 5; i++) {
      const r = await inspectHeap(reader!, ctx, found);
      if (!r.walk?.consistent) continue;
      expect(r.values.capacity).toBe(32768);
      expect(r.walk.totalFree).toBe(r.values.free);
      expect(r.walk.freeBlocks).toBe(r.values.fragments);
      expect(r.walk.largestFree).toBe(r.values.largestFree);
      if (r.values.allocCount! > 0) agreed++;
      await sleep(100);
    }
    expect(agreed).toBe(5);
  });
});
