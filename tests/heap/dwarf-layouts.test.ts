// Profiles take every offset and size from DWARF: checked against gdb on the ELF engineer's corpus
// (tests/fixtures/elf/corpus: 32- and 64-bit, ARM/RISC-V/x86-64, gcc/clang, DWARF 2-5), whose sources
// include a FreeRTOS heap_4-shaped file. The .oracle.json files hold gdb's answers (addresses, sizeof,
// member offsets); the layout heapscope derives must equal them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAllocator } from '../../src/heap/index.js';
import { heapscopeRoot } from '../../src/probe/sim/bundled.js';
import { contextFor } from './helpers.js';

interface OracleVar {
  name: string;
  address: number;
  sizeof: number;
  members: { path: string; offset: number; size: number }[];
}

const dir = join(heapscopeRoot(), 'tests', 'fixtures', 'elf', 'corpus');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.elf.oracle.json'))
  .map((f) => ({ elf: join(dir, f.replace(/\.oracle\.json$/, '')), oracle: JSON.parse(readFileSync(join(dir, f), 'utf8')) as { variables: OracleVar[] } }))
  .filter((c) => c.oracle.variables.some((v) => v.name === 'xStart') && c.oracle.variables.some((v) => v.name === 'ucHeap'));

describe('FreeRTOS heap_4 layout from DWARF equals gdb', () => {
  it('the corpus has heap_4-shaped ELFs to check', () => {
    expect(cases.length).toBeGreaterThan(3);
  });

  it.each(cases.map((c) => [c.elf.split('/').pop()!, c] as const))('%s', (_name, c) => {
    const v = (n: string): OracleVar => c.oracle.variables.find((x) => x.name === n)!;
    const member = (n: string, path: string) => v(n).members.find((m) => m.path === `${n}.${path}`)!;
    const ctx = contextFor(c.elf);
    const found = detectAllocator(ctx);
    expect(found?.profile.name).toBe('freertos-heap4');
    const L = found!.profile.freeList!(ctx)!;
    expect(L.headAddress).toBe(v('xStart').address + member('xStart', 'pxNextFreeBlock').offset);
    expect(L.nextOffset).toBe(member('xStart', 'pxNextFreeBlock').offset);
    expect(L.sizeOffset).toBe(member('xStart', 'xBlockSize').offset);
    expect(L.sizeBytes).toBe(member('xStart', 'xBlockSize').size);
    expect(L.headerBytes).toBe(v('xStart').sizeof);
    expect(L.pointerSize).toBe(v('pxEnd').sizeof);
    expect(L.allocatedBit).toBe(2 ** (8 * member('xStart', 'xBlockSize').size - 1));
    expect(L.endPointerAddress).toBe(v('pxEnd').address);
    expect(L.regions).toEqual([{ start: v('ucHeap').address, end: v('ucHeap').address + v('ucHeap').sizeof }]);
    expect(L.freeTotal).toEqual({ address: v('xFreeBytesRemaining').address, length: v('xFreeBytesRemaining').sizeof });
    expect(found!.profile.counters(ctx).capacityBytes).toBe(v('ucHeap').sizeof);
  });
});
