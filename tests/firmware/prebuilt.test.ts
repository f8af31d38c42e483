// The committed ELFs under firmware/prebuilt/: the layout the loaders rely on, the globals the other
// tests and the docs name, and (when the cross compiler is installed) that they match the sources.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openElf, PT_LOAD } from '../../src/elf/elf.js';
import { bundledFirmware, heapscopeRoot, HEAP_PATTERNS } from '../../src/probe/sim/bundled.js';

const CORES = ['m0plus', 'm3'] as const;
const SIZES: Record<string, number> = {
  g_ticks: 4,
  g_heap: 36,
  g_truth: 60,
  g_boot_count: 4,
  g_magic: 4,
  g_free_list: 4,
  g_heap_ptr: 4,
  g_name: 16,
  g_flags: 4,
  g_config: 16,
  g_samples: 16,
  g_matrix: 24,
  g_mode: 1,
  g_temperature: 4,
  g_ratio: 8,
  g_big: 8,
  g_ubig: 8,
  g_heap_used_pct: 4,
};

const hasCrossCompiler = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;

describe.each(CORES)('prebuilt %s ELFs', (core) => {
  it.each(HEAP_PATTERNS)('%s has every documented global with its size', (pattern) => {
    const elf = openElf(bundledFirmware(pattern, core));
    const syms = new Map(elf.symbols().map((s) => [s.name, s]));
    for (const [name, size] of Object.entries(SIZES)) {
      expect(syms.get(name)?.size, name).toBe(size);
    }
    const arenaSize = core === 'm0plus' ? 16384 : 32768;
    expect(syms.get('g_heap_arena')?.size).toBe(arenaSize);
  });

  it.each(HEAP_PATTERNS)('%s starts with a vector table whose reset vector is the entry point', (pattern) => {
    const elf = openElf(bundledFirmware(pattern, core));
    expect(elf.machineName).toBe('ARM');
    const base = core === 'm0plus' ? 0x2000_0000 : 0;
    const seg = elf.segments.find((s) => s.type === PT_LOAD && s.paddr === base);
    expect(seg, 'a PT_LOAD segment at the vector table address').toBeDefined();
    const v = new DataView(seg!.data().buffer, seg!.data().byteOffset);
    const sp = v.getUint32(0, true);
    const reset = v.getUint32(4, true);
    expect(sp >>> 28).toBe(0x2); // stack in SRAM
    expect(reset).toBe(elf.entry | 1); // Thumb bit set
  });
});

describe('prebuilt ELFs are up to date', () => {
  it.skipIf(!hasCrossCompiler)('rebuilding heapdemo-m0plus-leak.elf from firmware/src gives identical bytes', () => {
    const out = mkdtempSync(join(tmpdir(), 'heapscope-fw-'));
    try {
      const target = join(out, 'heapdemo-m0plus-leak.elf');
      execFileSync('make', ['-s', '-C', join(heapscopeRoot(), 'firmware'), `OUT=${out}`, target], { stdio: 'pipe' });
      expect(Buffer.compare(readFileSync(target), readFileSync(bundledFirmware('leak', 'm0plus')))).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
