// The built-in `sim:` target: rp2040js running the bundled firmware in a worker thread.
// Needs `npm run build` (the worker runs from dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { openSim, bundledFirmware, HEAP_PATTERNS } from '../../src/probe/sim/index.js';
import { ElfFormatError, ProbeDisconnectedError, ProbeError, TargetMemoryError } from '../../src/errors.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { pollUntil, readSnapshot, requireBuiltWorker, symbolAddresses, u32 } from './sim-helpers.js';

beforeAll(() => requireBuiltWorker());

describe('bundledFirmware', () => {
  it('returns an existing absolute path for every pattern and core', () => {
    for (const core of ['m0plus', 'm3'] as const) {
      for (const pattern of HEAP_PATTERNS) {
        const p = bundledFirmware(pattern, core);
        expect(isAbsolute(p)).toBe(true);
        expect(existsSync(p)).toBe(true);
        expect(p.endsWith(`heapdemo-${core}-${pattern}.elf`)).toBe(true);
      }
    }
  });

  it('defaults to the Cortex-M0+ leak demo', () => {
    expect(bundledFirmware()).toBe(bundledFirmware('leak', 'm0plus'));
  });

  it('rejects an unknown pattern with a ProbeError naming the valid ones', () => {
    expect(() => bundledFirmware('nope' as never)).toThrow(/sawtooth, leak, fragmentation, warmup/);
    expect(() => bundledFirmware('nope' as never)).toThrow(ProbeError);
  });
});

describe('openSim on the bundled leak demo', () => {
  const elf = bundledFirmware('leak', 'm0plus');
  const sym = symbolAddresses(elf);
  let sim: MemoryReader;

  beforeAll(async () => {
    sim = await openSim({ elfPath: elf });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('describes itself as a non-halting rp2040js sim of the ELF', () => {
    expect(sim.description).toBe('sim rp2040js heapdemo-m0plus-leak.elf');
    expect(sim.nonHalting).toBe(true);
    expect(sim.maxBlockBytes).toBeGreaterThanOrEqual(4096);
  });

  it('reads the constant g_magic exactly', async () => {
    const [b] = await sim.readBlocks([{ address: sym.g_magic!, length: 4 }]);
    expect(u32(b!)).toBe(0xc0ffee42);
  });

  it('reads the string g_name', async () => {
    const [b] = await sim.readBlocks([{ address: sym.g_name!, length: 16 }]);
    expect(Buffer.from(b!).toString('latin1').replace(/\0+$/, '')).toBe('heapscope');
  });

  it('sees g_ticks advance between two reads while the core runs', async () => {
    const first = u32((await sim.readBlocks([{ address: sym.g_ticks!, length: 4 }]))[0]!);
    const later = await pollUntil('g_ticks to advance', 10_000, async () => {
      const v = u32((await sim.readBlocks([{ address: sym.g_ticks!, length: 4 }]))[0]!);
      return v > first ? v : undefined;
    });
    expect(later).toBeGreaterThan(first);
  });

  it('reads g_heap counters that are self-consistent (used + free == capacity)', async () => {
    for (let i = 0; i < 20; i++) {
      const { heap } = await readSnapshot(sim, sym);
      expect(heap.capacity).toBe(16384);
      expect(heap.used + heap.free).toBe(heap.capacity);
      expect(heap.largest_free).toBeLessThanOrEqual(heap.free);
      expect(heap.min_ever_free).toBeLessThanOrEqual(heap.free);
      expect(heap.fragments).toBeGreaterThanOrEqual(heap.free > 0 ? 1 : 0);
      expect(heap.alloc_count).toBeGreaterThanOrEqual(heap.free_count);
    }
  });

  it('reads g_heap_ptr, which points at g_heap', async () => {
    const [p] = await sim.readBlocks([{ address: sym.g_heap_ptr!, length: 4 }]);
    expect(u32(p!)).toBe(sym.g_heap);
  });

  it('reads erased flash (0xff) through the worker, since only SRAM is shared directly', async () => {
    const [b] = await sim.readBlocks([{ address: 0x1000_0000, length: 8 }]);
    expect([...b!]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('returns blocks in request order when one call mixes SRAM and flash', async () => {
    const [a, b] = await sim.readBlocks([
      { address: sym.g_magic!, length: 4 },
      { address: 0x1000_0000, length: 2 },
    ]);
    expect(u32(a!)).toBe(0xc0ffee42);
    expect([...b!]).toEqual([0xff, 0xff]);
  });

  it('rejects an unmapped address with TargetMemoryError naming the readable ranges', async () => {
    const err = await sim.readBlocks([{ address: 0x3000_0000, length: 4 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetMemoryError);
    expect((err as TargetMemoryError).address).toBe(0x3000_0000);
    expect((err as Error).message).toMatch(/0x30000000.*SRAM 0x20000000-0x20041fff/);
  });

  it('rejects a read that runs off the end of SRAM', async () => {
    await expect(sim.readBlocks([{ address: 0x2004_1ffe, length: 4 }])).rejects.toBeInstanceOf(TargetMemoryError);
  });

  it('refuses peripheral registers (reads there can have side effects)', async () => {
    await expect(sim.readBlocks([{ address: 0x4005_4028, length: 4 }])).rejects.toBeInstanceOf(TargetMemoryError);
  });

  it('reports a running rp2040js target in info()', async () => {
    const info = await sim.info();
    expect(info.kind).toBe('sim');
    expect(info.server).toMatch(/^rp2040js \d+\.\d+\.\d+$/);
    expect(info.targetState).toBe('running');
    expect(info.extra?.speed).toBe(1);
  });
});

describe('openSim errors', () => {
  it('rejects a file that is not an ELF with ElfFormatError', async () => {
    await expect(openSim({ elfPath: new URL(import.meta.url).pathname })).rejects.toBeInstanceOf(ElfFormatError);
  });

  it('rejects a Cortex-M3 ELF linked for another memory map with a ProbeError that says so', async () => {
    await expect(openSim({ elfPath: bundledFirmware('leak', 'm3') })).rejects.toThrow(/outside RP2040 SRAM/);
  });

  it('rejects a speed that is not a positive number', async () => {
    await expect(openSim({ speed: 0 })).rejects.toBeInstanceOf(ProbeError);
  });
});

describe('start-up', () => {
  it('has booted the firmware before openSim resolves: the first read sees an initialised heap', async () => {
    const elf = bundledFirmware('sawtooth', 'm0plus');
    const sim = await openSim({ elfPath: elf });
    try {
      const [cap] = await sim.readBlocks([{ address: symbolAddresses(elf).g_heap!, length: 4 }]);
      expect(u32(cap!)).toBe(16384);
    } finally {
      await sim.close();
    }
  });
});

describe('close()', () => {
  it('ends the worker thread, and later reads fail with ProbeDisconnectedError', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const sim = await openSim();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length).toBe(before + 1);
    await sim.close();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length).toBe(before);
    await expect(sim.readBlocks([{ address: 0x2000_0000, length: 4 }])).rejects.toBeInstanceOf(ProbeDisconnectedError);
    await sim.close(); // idempotent
  });
});
