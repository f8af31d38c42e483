// Pointer hops honour the pointer's DWARF byte size: 8 on x86-64 and RISC-V 64. The x86-64 corpus ELF
// links its data above 4 GiB (RAM_ORIGIN 0x120000000), so a pointer read as 4 bytes would lose its
// high half and the hop would read the wrong address.
import { describe, expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { openElf } from '../../src/elf/elf.js';
import { resolveWatch } from '../../src/watch/resolve.js';
import { readWatches } from '../../src/sample/read-watches.js';
import { readOracle } from '../fixtures/elf/corpus.js';
import { ElfImageReader } from './elf-image-reader.js';

describe('8-byte pointers (cxx-x86_64-gcc-dwarf5-O0.elf, data above 4 GiB)', () => {
  const name = 'cxx-x86_64-gcc-dwarf5-O0.elf';
  const elf = openElf(`tests/fixtures/elf/corpus/${name}`);
  const debug = loadDebugInfo(elf);
  const statsAt = readOracle(name).variables.find((v) => v.name === 'app::g_stats')!.address!;

  it('resolves a pointer hop with the pointer size DWARF gives (8)', () => {
    expect(statsAt).toBeGreaterThan(2 ** 32);
    expect(resolveWatch(debug, elf, 'app::g_stats_ptr->free').hops).toEqual([{ pointerSize: 8, offset: 4 }]);
  });

  it('reads all 8 bytes of the pointer and follows it above 4 GiB', async () => {
    const reader = new ElfImageReader(elf);
    const w = resolveWatch(debug, elf, 'app::g_stats_ptr->free');
    const [bytes] = await readWatches(reader, [w]);
    expect(w.decode(bytes!)).toBe(20);
    expect(reader.requests.at(-1)).toEqual({ address: statsAt + 4, length: 4 });
  });

  it('follows two 8-byte hops (a reference, then a pointer member)', async () => {
    const reader = new ElfImageReader(elf);
    const watches = ['app::inner::g_head->next', 'app::g_stats_ref.hist[3]'].map((e) => resolveWatch(debug, elf, e));
    const bytes = await readWatches(reader, watches);
    // g_nodes is zero-initialised: g_head -> g_nodes[0], whose next is null.
    expect(watches.map((w, i) => w.decode(bytes[i]!))).toEqual([0, 4]);
  });
});

it('4-byte pointers still wrap at 32 bits (Cortex-M)', async () => {
  const elf = openElf('tests/fixtures/elf/corpus/cxx-arm-gcc-dwarf4-O0.elf');
  const debug = loadDebugInfo(elf);
  const w = resolveWatch(debug, elf, 'app::g_stats_ptr->hist[0]');
  expect(w.hops).toEqual([{ pointerSize: 4, offset: 8 }]);
  const [bytes] = await readWatches(new ElfImageReader(elf), [w]);
  expect(w.decode(bytes!)).toBe(1);
});
