// loadFirmware(): the ELF side of the API, no probe involved.
import { describe, expect, it } from 'vitest';
import { ElfFormatError, ExpressionError, loadFirmware, UnknownSymbolError } from '../../src/index.js';
import { openElf } from '../../src/elf/elf.js';
import { LEAK_ELF, ROOT } from './helpers.js';

describe('loadFirmware', () => {
  it('resolves a struct member to the symbol address plus its offset, with size and type', async () => {
    const fw = await loadFirmware(LEAK_ELF);
    const base = openElf(LEAK_ELF).symbols().find((s) => s.name === 'g_heap')!.value;
    const r = fw.resolve('g_heap.largest_free');
    expect(r.byteSize).toBe(4);
    expect(r.type).toBe('uint32_t');
    expect(r.address - base).toBeGreaterThan(0);
    expect(r.address - base).toBeLessThan(fw.resolve('g_heap').byteSize);
  });

  it('lists the firmware variables with address and type', async () => {
    const fw = await loadFirmware(LEAK_ELF);
    const magic = fw.variables().find((v) => v.name === 'g_magic');
    expect(magic).toMatchObject({ size: 4, scope: 'global' });
    expect(magic?.type).toMatch(/uint32_t/);
  });

  it('detects the demo allocator and its fixed capacity', async () => {
    const fw = await loadFirmware(LEAK_ELF);
    const a = fw.detectAllocator();
    expect(a?.name).toBe('heapscope');
    expect(a?.capacityBytes).toBe(16384);
    expect(a?.counters.find((c) => c.role === 'used')?.expr).toBe('g_heap.used');
  });

  it('gives UnknownSymbolError with suggestions for a misspelt name', async () => {
    const fw = await loadFirmware(LEAK_ELF);
    let err: unknown;
    try {
      fw.resolve('g_heapp.used');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownSymbolError);
    expect((err as UnknownSymbolError).suggestions).toContain('g_heap');
  });

  it('gives ExpressionError for an expression that does not parse', async () => {
    const fw = await loadFirmware(LEAK_ELF);
    expect(() => fw.resolve('g_heap.')).toThrow(ExpressionError);
  });

  it('gives ElfFormatError for a file that is not an ELF', async () => {
    await expect(loadFirmware(`${ROOT}/package.json`)).rejects.toBeInstanceOf(ElfFormatError);
  });
});
