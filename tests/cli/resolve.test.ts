// `heapscope resolve` end to end: node bin/heapscope.js (run `npm run build` first) on committed ELFs,
// with gdb-multiarch as the oracle for addresses.
import { beforeAll, describe, expect, it } from 'vitest';
import { gdbAddresses, heapscope } from '../watch/cli-runner.js';

const FW = 'firmware/prebuilt/heapdemo-m0plus-leak.elf';
const UNIT = 'tests/fixtures/elf-unit/arm-gcc-dwarf2-O0.elf';
const STRIPPED = 'tests/fixtures/elf-unit/arm-gcc-stripped.elf';

const GDB_FW = ['g_heap.used', 'g_heap.largest_free', 'g_matrix[1][2]', 'g_config.pos.y', "'heap.c'::s_calls", "'workload.c'::s_calls"];
const RUNS: string[][] = [
  ['resolve', FW, 'g_heap.used', 'g_flags.delta', 'g_heap_ptr', '--json'],
  ['resolve', FW, ...GDB_FW, '--json'],
  ['resolve', FW, 'g_heap.used', 'g_hep', 's_calls', 'g_heap.used]', 's_pins', 'g_heap_ptr->free', '--json'],
  ['resolve', FW, 'g_heap.free', 'g_flags.delta'],
  ['resolve', STRIPPED, 'g_big', 'banner', '--raw', '--json'],
  ['resolve', STRIPPED, 'g_big'],
  ['resolve', 'tests/fixtures/elf-unit/a.c', 'x'],
  ['resolve', UNIT, 'bump::calls', 'b.c::s_count', 'helper::ticks', '--json'],
];
const json = async (args: string[]) => JSON.parse((await heapscope(...args)).out) as Array<Record<string, unknown>>;

describe('heapscope resolve', () => {
  beforeAll(async () => {
    await Promise.all(RUNS.map((r) => heapscope(...r)));
  }, 240_000);

  it('prints the issue-3 JSON contract, one object per expression in order', async () => {
    expect((await heapscope(...RUNS[0]!)).code).toBe(0);
    const out = await json(RUNS[0]!);
    expect(out.map((o) => o.expr)).toEqual(['g_heap.used', 'g_flags.delta', 'g_heap_ptr']);
    expect(Object.keys(out[0]!).sort()).toEqual(['address', 'byteSize', 'expr', 'type']);
    expect(out[0]).toMatchObject({ byteSize: 4, type: 'uint32_t' });
    expect(out[1]).toMatchObject({ byteSize: 1, type: 'int32_t', bitOffset: 0, bitSize: 5 });
    expect(out[2]).toMatchObject({ byteSize: 4, type: 'volatile struct heap_stats * volatile' });
  });

  it('agrees with gdb on addresses of members, elements and file-statics', async () => {
    const out = await json(RUNS[1]!);
    expect(out.map((o) => o.address)).toEqual(await gdbAddresses(FW, GDB_FW));
  });

  it('fills a failed slot with the reason and exits 1 after printing all', async () => {
    expect((await heapscope(...RUNS[2]!)).code).toBe(1);
    const out = await json(RUNS[2]!);
    expect(out).toHaveLength(6);
    expect(out[0]!.address).toBeTypeOf('number');
    expect(out[1]).toEqual({ expr: 'g_hep', error: expect.stringMatching(/unknown symbol 'g_hep' \(did you mean 'g_heap'/) });
    expect(out[2]!.error).toMatch(/ambiguous: it exists in heap\.c::s_calls, workload\.c::s_calls/);
    expect(out[3]!.error).toMatch(/unexpected '\]' at column 12/);
  });

  it('reports an optimized-out variable with what to do', async () => {
    expect((await json(RUNS[2]!))[4]!.error).toMatch(/'s_pins' was optimized out: mark it volatile or build with -O0/);
  });

  it('shows pointer hops for a dereferencing watch', async () => {
    const ptr = (await json(RUNS[0]!))[2]!;
    expect((await json(RUNS[2]!))[5]).toMatchObject({ address: ptr.address, byteSize: 4, hops: [{ pointerSize: 4, offset: 8 }] });
  });

  it('prints a readable table without --json', async () => {
    const r = await heapscope(...RUNS[3]!);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^EXPRESSION\s+ADDRESS\s+SIZE\s+TYPE/);
    expect(r.out).toMatch(/g_heap\.free\s+0x[0-9a-f]{8}\s+4\s+uint32_t/);
    expect(r.out).toMatch(/g_flags\.delta .*int32_t \(bits 0\.\.4\)/);
  });

  it('resolves from the symbol table alone with --raw', async () => {
    expect((await heapscope(...RUNS[4]!)).code).toBe(0);
    expect(await json(RUNS[4]!)).toEqual([
      { expr: 'g_big', address: expect.any(Number), byteSize: 8, type: 'uint64_t' },
      { expr: 'banner', address: expect.any(Number), byteSize: 16, type: 'uint8_t [16]' },
    ]);
  });

  it('says how to proceed when the ELF has no DWARF', async () => {
    const r = await heapscope(...RUNS[5]!);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^heapscope: no DWARF .*-g.*--raw/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('rejects a file that is not an ELF without a stack trace', async () => {
    const r = await heapscope(...RUNS[6]!);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^heapscope: .*not an ELF/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('resolves function-statics and unquoted file scopes like gdb', async () => {
    const out = await json(RUNS[7]!);
    expect(out.map((o) => o.address)).toEqual(await gdbAddresses(UNIT, ['bump::calls', "'b.c'::s_count", 'helper::ticks']));
    expect(out[2]!.type).toBe('volatile uint16_t');
  });
});
