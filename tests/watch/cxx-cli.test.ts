// C++ end to end: `heapscope symbols` and `heapscope resolve` (node bin/heapscope.js; run `npm run build`
// first) on the C++ corpus ELF, with addresses checked against gdb-multiarch itself.
import { beforeAll, describe, expect, it } from 'vitest';
import { gdbAddresses, heapscope } from './cli-runner.js';

const ELF = 'tests/fixtures/elf/corpus/cxx-arm-gcc-dwarf4-O0.elf';

interface Row { name: string; address: number | null; type: string | null; scope: string; function?: string }
const RUNS: string[][] = [
  ['symbols', ELF, '--json'],
  ['symbols', ELF, 'app::inner::*', '--json'],
  ['symbols', ELF, 'g_count*', '--json'],
  ['symbols', ELF, '(anonymous namespace)::*', '--json'],
  ['symbols', ELF, 'app::Pool<64>::*', '--json'],
  ['symbols', ELF, 'pool.cpp::*', '--json'],
];
// Expressions gdb accepts as they are (no frame, like heapscope): the addresses must agree.
const SAME_AS_GDB = [
  'app::g_counter',
  'app::inner::g_nodes[2].value',
  'app::Base::s_instances',
  'app::Derived::s_shared.hist[2]',
  'app::Pool<64>::s_count',
  "'pool.cpp'::s_count",
  "'app::tick'::s_calls",
  'main::s_loops',
  "'drivers::Uart::rx'::s_rx_bytes",
  "'app::Task::run'::s_runs",
  'drivers::g_uart_state.mix_tag',
  'drivers::g_uart_state.stats.free',
  'app::g_shadow.base_flags',
  'drivers::Uart::s_console.baud',
  '::g_plain',
];
const json = async (args: string[]) => JSON.parse((await heapscope(...args)).out) as Row[];
const names = async (args: string[]) => (await json(args)).map((r) => r.name).sort();

describe('heapscope on C++ firmware', () => {
  beforeAll(async () => {
    await Promise.all([...RUNS.map((r) => heapscope(...r)), heapscope('resolve', ELF, ...SAME_AS_GDB, '--json')]);
  }, 240_000);

  it('symbols lists namespace- and class-qualified names as gdb spells them', async () => {
    const rows = await json(RUNS[0]!);
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['app::g_counter', 'app::Base::s_instances', 'app::Pool<64>::s_count', '(anonymous namespace)::s_count', 'g_plain']),
    );
    expect(rows.find((r) => r.name === 'app::g_pool64')).toMatchObject({ type: 'app::Pool<64>', scope: 'global' });
    expect(rows.find((r) => r.name === 's_calls')).toMatchObject({ function: 'app::tick', scope: 'function-static' });
  });

  it('symbols globs match qualified names, their last component, and unnamed namespaces literally', async () => {
    expect(await names(RUNS[1]!)).toEqual(['app::inner::g_counter', 'app::inner::g_head', 'app::inner::g_nodes']);
    expect(await names(RUNS[2]!)).toEqual(['app::g_counter', 'app::inner::g_counter', 'drivers::g_counter']);
    expect(await names(RUNS[3]!)).toEqual(['(anonymous namespace)::s_count']);
    expect(await names(RUNS[4]!)).toEqual(['app::Pool<64>::s_count']);
    expect(await names(RUNS[5]!)).toContain('drivers::Uart::s_console');
  });

  it('resolve gives the address gdb gives for each C++ expression gdb accepts', async () => {
    const ours = JSON.parse((await heapscope('resolve', ELF, ...SAME_AS_GDB, '--json')).out) as Array<{ expr: string; address?: number; error?: string }>;
    const theirs = await gdbAddresses(ELF, SAME_AS_GDB);
    expect(theirs).toHaveLength(SAME_AS_GDB.length);
    expect(ours.map((r) => [r.expr, r.address ?? r.error])).toEqual(SAME_AS_GDB.map((e, i) => [e, theirs[i]]));
  });
});
