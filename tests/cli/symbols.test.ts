// `heapscope symbols` end to end: node bin/heapscope.js (run `npm run build` first) on committed ELFs.
import { beforeAll, describe, expect, it } from 'vitest';
import { heapscope } from '../watch/cli-runner.js';

const FW = 'firmware/prebuilt/heapdemo-m0plus-leak.elf';
const UNIT = 'tests/fixtures/elf-unit/arm-gcc-dwarf2-O0.elf';
const STRIPPED = 'tests/fixtures/elf-unit/arm-gcc-stripped.elf';

interface Row { name: string; address: number | null; size: number | null; type: string | null; volatile: boolean | null; file: string | null; scope: string; function?: string }
const RUNS: string[][] = [
  ['symbols', FW, '--json'],
  ['symbols', FW, 'g_heap*', '--json'],
  ['symbols', UNIT, 'b.c::*', '--json'],
  ['symbols', UNIT, 'bump::*', '--json'],
  ['symbols', FW, 'g_tick*'],
  ['symbols', FW, 'zz_*'],
  ['symbols', STRIPPED, '--raw', 'g_*', '--json'],
  ['symbols', STRIPPED],
  ['symbols', 'tests'],
];
const json = async (args: string[]) => JSON.parse((await heapscope(...args)).out) as Row[];

describe('heapscope symbols', () => {
  beforeAll(async () => {
    await Promise.all(RUNS.map((r) => heapscope(...r)));
  }, 240_000);

  it('lists variables with address, size, type, volatile flag, file and scope as JSON', async () => {
    const rows = await json(RUNS[0]!);
    const heap = rows.find((r) => r.name === 'g_heap')!;
    expect(heap).toMatchObject({ size: 36, type: 'volatile struct heap_stats', volatile: true, file: 'src/heap.c', scope: 'global' });
    expect(heap.address).toBeGreaterThanOrEqual(0x2000_0000);
    expect(rows.find((r) => r.name === 'g_heap_arena')).toMatchObject({ size: 16384, type: 'uint8_t [16384]', volatile: false });
  });

  it('filters by glob on the name', async () => {
    expect((await json(RUNS[1]!)).map((r) => r.name)).toEqual(['g_heap', 'g_heap_arena', 'g_heap_ptr', 'g_heap_used_pct']);
  });

  it('filters by glob on the file- or function-qualified name', async () => {
    expect((await json(RUNS[2]!)).map((r) => r.name).sort()).toEqual(['g_shared', 's_count', 'ticks']);
    expect((await json(RUNS[3]!)).map((r) => [r.name, r.scope, r.function])).toEqual([
      ['calls', 'function-static', 'bump'],
      ['last', 'function-static', 'bump'],
    ]);
  });

  it('lists both file-statics of a clashing name with their files', async () => {
    const rows = (await json(RUNS[0]!)).filter((r) => r.name === 's_calls');
    expect(rows.map((r) => r.file)).toEqual(['src/heap.c', 'src/workload.c']);
  });

  it('marks optimized-out variables with a null address', async () => {
    expect((await json(RUNS[0]!)).find((r) => r.name === 's_pins')).toMatchObject({ address: null, scope: 'file-static' });
  });

  it('prints a readable table without --json', async () => {
    const r = await heapscope(...RUNS[4]!);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+SIZE\s+TYPE\s+VOLATILE\s+FILE\s+SCOPE$/);
    expect(lines[1]).toMatch(/^g_ticks\s+0x[0-9a-f]{8}\s+4\s+volatile uint32_t\s+yes\s+src\/main\.c\s+global$/);
  });

  it('says so when nothing matches', async () => {
    const r = await heapscope(...RUNS[5]!);
    expect(r.code).toBe(0);
    expect(r.out).toBe("no variables match 'zz_*'\n");
  });

  it('lists the symbol table with --raw, without types', async () => {
    const rows = await json(RUNS[6]!);
    expect(rows.find((r) => r.name === 'g_big')).toMatchObject({ size: 8, type: null, volatile: null, scope: 'global' });
    expect(rows.every((r) => r.name.startsWith('g_') && r.address !== null)).toBe(true);
  });

  it('names the --raw way out for an ELF without DWARF', async () => {
    const r = await heapscope(...RUNS[7]!);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^heapscope: no DWARF .*--raw/);
  });

  it('rejects a directory with a message, not a stack', async () => {
    const r = await heapscope(...RUNS[8]!);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^heapscope: tests is a directory/);
  });
});
