// When the leak exhausts the heap, the firmware resets its heap ("reboot", g_boot_count++) instead
// of crashing or corrupting itself. The committed leak ELF needs minutes to get there, so this test
// builds a variant with a 2000-byte leak per cycle (needs arm-none-eabi-gcc; skipped without it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSim } from '../../src/probe/sim/index.js';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { pollUntil, readSnapshot, requireBuiltWorker, symbolAddresses } from '../probe/sim-helpers.js';

const hasCrossCompiler = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;

describe.skipIf(!hasCrossCompiler)('leak firmware that exhausts its heap', () => {
  let dir: string;
  let elf: string;
  let sim: MemoryReader;

  beforeAll(async () => {
    requireBuiltWorker();
    dir = mkdtempSync(join(tmpdir(), 'heapscope-leakfast-'));
    elf = join(dir, 'heapdemo-m0plus-leak.elf');
    execFileSync('make', ['-s', '-C', join(heapscopeRoot(), 'firmware'), `OUT=${dir}`, 'EXTRA_CFLAGS=-DHEAP_LEAK_BYTES=2000u', elf], {
      stdio: 'pipe',
    });
    sim = await openSim({ elfPath: elf, speed: Infinity });
  });
  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reboots its heap (g_boot_count rises) and stays consistent across the reboot', async () => {
    const sym = symbolAddresses(elf);
    const after = await pollUntil('g_boot_count >= 1', 45_000, async () => {
      const s = await readSnapshot(sim, sym);
      expect(s.heap.used + s.heap.free).toBe(s.heap.capacity);
      expect(s.truth.mismatches).toBe(0);
      expect(s.truth.corrupt).toBe(0);
      return s.boots >= 1 ? s : undefined;
    });
    expect(after.boots).toBeGreaterThanOrEqual(1);
    expect(after.heap.capacity).toBe(16384);
  });
});
