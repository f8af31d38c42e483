// `heapscope heap` end to end: node bin/heapscope.js (run `npm run build` first) on the bundled
// firmware, with its default sim: probe.
import { describe, expect, it } from 'vitest';
import { heapscope } from '../watch/cli-runner.js';
import { bundledFirmware } from '../../src/probe/sim/index.js';
import { variantElf } from './helpers.js';

const bundled = bundledFirmware('fragmentation', 'm0plus');
const plain = 'tests/fixtures/elf-unit/arm-gcc-dwarf4-Os.elf';

describe('heapscope heap', () => {
  it('--json reports the detected allocator, counters and a consistent walk', async () => {
    const r = await heapscope('heap', bundled, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as {
      allocator: string;
      why: string[];
      probe: string;
      values: Record<string, number>;
      largestFree: number;
      walk: { consistent: boolean; freeBlocks: number; histogram: Record<string, number> };
    };
    expect(rep.allocator).toBe('heapscope');
    expect(rep.probe).toMatch(/^sim rp2040js heapdemo-m0plus-fragmentation\.elf/);
    expect(rep.values.capacity).toBe(16384);
    expect(rep.values.used + rep.values.free).toBe(16384);
    expect(rep.walk.consistent).toBe(true);
    expect(rep.largestFree).toBeLessThanOrEqual(rep.values.free);
  });

  it('prints a readable report with the reason for the detection', async () => {
    const r = await heapscope('heap', bundled);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^allocator\s+heapscope/m);
    expect(r.out).toMatch(/matched\s+g_heap: struct heap_stats/);
    expect(r.out).toMatch(/^largest free\s+\d+ B .*free-list walk/m);
    expect(r.out).toMatch(/^fragmentation\s+0\.\d{3}/m);
  });

  it('--list-allocators names every profile and what it looks for', async () => {
    const r = await heapscope('heap', '--list-allocators');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^heapscope\s/m);
    expect(r.out).toMatch(/^newlib-nano\s/m);
    expect(r.out).toMatch(/looks for: __malloc_free_list/);
  });

  it('an ELF without a known allocator: exit 2, what was looked for, how to name counters by hand', async () => {
    const r = await heapscope('heap', plain, '--probe', `sim:${bundled}`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no known heap allocator found in .*arm-gcc-dwarf4-Os\.elf/);
    expect(r.err).toMatch(/heapscope watch fw\.elf my_heap\.used/);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('--allocator with an unknown name: exit 2 listing the known ones', async () => {
    const r = await heapscope('heap', bundled, '--allocator', 'dlmalloc9');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown allocator 'dlmalloc9': one of heapscope, freertos-heap4, /);
  });

  it('a variant ELF outside firmware/prebuilt needs --probe', async () => {
    const r = await heapscope('heap', variantElf('newlib-nano'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no probe given/);
  });

  it('shows FreeRTOS task stacks with size, high-water mark and margin (--json)', async () => {
    const elf = variantElf('freertos-heap4');
    const r = await heapscope('heap', elf, '--probe', `sim:${elf}`, '--json');
    expect(r.err).toBe('');
    const rep = JSON.parse(r.out) as { allocator: string; stackFill: number; stacks: { name: string; sizeBytes: number; usedBytes: number; unusedBytes: number }[] };
    expect(rep.allocator).toBe('freertos-heap4');
    expect(rep.stackFill).toBe(0xa5);
    expect(rep.stacks.map((s) => [s.name, s.sizeBytes])).toEqual([['IDLE', 512], ['net', 768], ['ui', 1024]]);
    for (const s of rep.stacks) expect(s.usedBytes + s.unusedBytes).toBe(s.sizeBytes);
  });

  it('--stack with a name the ELF does not have: exit 2 naming it', async () => {
    const r = await heapscope('heap', bundled, '--stack', '_sstack.._estack');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--stack _sstack\.\._estack: '_sstack' is neither an address nor a symbol of the ELF/);
  });

  it('--fill that is not a byte: exit 2 with an example', async () => {
    const r = await heapscope('heap', bundled, '--fill', '0x1ff');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--fill 0x1ff: a byte value, e\.g\. --fill 0xA5/);
  });
});
