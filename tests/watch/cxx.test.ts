// C++ watch expressions on the committed C++ corpus (tests/fixtures/elf/src/cpp, built by build.sh):
// names qualified by namespaces and classes, resolved as gdb resolves them (checked against gdb 13 by
// hand; the commands are in each test's comment), with addresses from gdb's oracle JSON.
import { describe, expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { openElf } from '../../src/elf/elf.js';
import { AmbiguousSymbolError, ExpressionError, OptimizedOutError, UnknownSymbolError } from '../../src/errors.js';
import { resolveWatch } from '../../src/watch/resolve.js';
import { readOracle } from '../fixtures/elf/corpus.js';
import { ElfImageReader } from './elf-image-reader.js';
import { readWatches } from '../../src/sample/read-watches.js';
import * as T from './hand-types.js';

const elves = ['cxx-arm-gcc-dwarf4-O0.elf', 'cxx-arm-gcc-dwarf5-Os.elf', 'cxx-arm-gcc-dwarf4-O0-types.elf'];

describe.each(elves)('C++ watch expressions on %s', (name) => {
  const elf = openElf(`tests/fixtures/elf/corpus/${name}`);
  const debug = loadDebugInfo(elf);
  const gdb = (n: string, file?: string) =>
    readOracle(name).variables.find((v) => v.name === n && (file === undefined || v.file.endsWith(file)))!.address!;
  const resolve = (expr: string) => resolveWatch(debug, elf, expr);

  it('resolves namespace-qualified names, nested namespaces included', () => {
    expect(resolve('app::g_counter').address).toBe(gdb('app::g_counter'));
    expect(resolve('app::inner::g_counter').address).toBe(gdb('app::inner::g_counter'));
    expect(resolve('drivers::g_counter').address).toBe(gdb('drivers::g_counter'));
    expect(resolve('::g_plain').address).toBe(gdb('g_plain'));
  });

  it('refuses a short name that only exists inside namespaces, listing the qualified ones (gdb: No symbol "g_counter" in current context)', () => {
    expect(() => resolve('g_counter')).toThrow(UnknownSymbolError);
    expect(() => resolve('g_counter')).toThrow(/'app::g_counter', 'app::inner::g_counter', 'drivers::g_counter'/);
    expect(() => resolve('::g_counter')).toThrow(UnknownSymbolError);
  });

  it('resolves class static members with members and indexes after them', () => {
    expect(resolve('app::Base::s_instances').address).toBe(gdb('app::Base::s_instances'));
    const w = resolve('app::Derived::s_shared.hist[2]');
    expect(w.address).toBe(gdb('app::Derived::s_shared') + 8 + 2 * 2);
    expect(w.typeName).toBe('uint16_t');
    expect(resolve('drivers::Uart::s_console.baud').address).toBe(gdb('drivers::Uart::s_console'));
  });

  it('resolves template class statics, spaces in the template arguments or not', () => {
    expect(resolve('app::Pool<64>::s_count').address).toBe(gdb('app::Pool<64>::s_count'));
    expect(resolve('app::Pool< 8 >::s_count').address).toBe(gdb('app::Pool<8>::s_count'));
    expect(resolve('app::g_pool64.storage[63]').typeName).toBe('uint8_t');
    expect(resolve('app::g_pool64').typeName).toBe('app::Pool<64>');
  });

  it("finds unnamed-namespace variables by file scope, as gdb does ('pool.cpp'::s_count)", () => {
    expect(resolve("'pool.cpp'::s_count").address).toBe(gdb('(anonymous namespace)::s_count'));
    expect(resolve('(anonymous namespace)::s_count').address).toBe(gdb('(anonymous namespace)::s_count'));
    expect(resolve("'(anonymous namespace)::s_count'").address).toBe(gdb('(anonymous namespace)::s_count'));
    expect(resolve('app::(anonymous namespace)::s_local_stats.free').address).toBe(
      gdb('app::(anonymous namespace)::s_local_stats') + 4,
    );
  });

  it('resolves a file scope followed by a qualified name', () => {
    expect(resolve("'pool.cpp'::drivers::g_counter").address).toBe(gdb('drivers::g_counter'));
    expect(() => resolve("'app.cpp'::drivers::g_counter")).toThrow(UnknownSymbolError);
  });

  it("resolves statics of qualified functions, quoted like gdb ('app::tick'::s_calls) or not", () => {
    const calls = readOracle(name).variables.find((v) => v.name === 's_calls')!.address;
    expect(resolve("'app::tick'::s_calls").address).toBe(calls);
    expect(resolve('app::tick::s_calls').address).toBe(calls);
    expect(resolve("'app.cpp'::app::tick::s_calls").address).toBe(calls);
    expect(resolve('main::s_loops').typeName).toBe('uint16_t');
  });

  it('resolves statics of methods, inline in the class or defined out of line', () => {
    const fn = (f: string) => readOracle(name).variables.find((v) => v.function === f)!.address;
    expect(resolve('app::Task::run::s_runs').address).toBe(fn('app::Task::run'));
    expect(resolve("'app::Task::run'::s_runs").address).toBe(fn('app::Task::run'));
    expect(resolve('drivers::Uart::rx::s_rx_bytes').address).toBe(fn('drivers::Uart::rx'));
    expect(resolve('s_rx_bytes').address).toBe(fn('drivers::Uart::rx'));
  });

  it('reaches base class members through the derived object, as gdb does (g_uart_state.base_id)', () => {
    const base = gdb('drivers::g_uart_state');
    expect(resolve('drivers::g_uart_state.base_id').address).toBe(base);
    expect(resolve('drivers::g_uart_state.base_flags').address).toBe(base + 4);
    expect(resolve('drivers::g_uart_state.mix_tag').address).toBe(base + 8);
    expect(resolve('drivers::g_uart_state.derived_value').address).toBe(base + 12);
    expect(resolve('drivers::g_uart_state.stats.mode')).toMatchObject({ address: base + 32, bitOffset: 3, bitSize: 5 });
  });

  it("lets a derived class's member hide the base member of the same name, as gdb does", async () => {
    const w = resolve('app::g_shadow.base_flags');
    expect(w.address).toBe(gdb('app::g_shadow') + 8);
    expect(w.typeName).toBe('uint8_t');
    const [bytes] = await readWatches(new ElfImageReader(elf), [resolve('app::g_shadow')]);
    expect(resolve('app::g_shadow').decode(bytes!)).toEqual({ base_id: 7, base_flags: 0x56 });
    expect(resolve('app::g_shadow').columns().map((c) => c.name)).toEqual(['app::g_shadow.base_id', 'app::g_shadow.base_flags']);
  });

  it('reads references like pointers: one hop from where the reference is stored', () => {
    const w = resolve('app::g_stats_ref.free');
    expect(w.address).toBe(gdb('app::g_stats_ref'));
    expect(w.hops).toEqual([{ pointerSize: 4, offset: 4 }]);
    expect(resolve('app::g_stats_rref->hist[1]').hops).toEqual([{ pointerSize: 4, offset: 10 }]);
    expect(resolve('app::g_stats_ref').typeName).toBe('app::Stats &');
  });

  it('follows references and pointers to the values the firmware was linked with', async () => {
    const watches = ['app::g_stats_ref.free', 'app::g_stats_ptr->hist[3]', 'app::Derived::s_shared.hist[1]'].map(resolve);
    const bytes = await readWatches(new ElfImageReader(elf), watches);
    expect(watches.map((w, i) => w.decode(bytes[i]!))).toEqual([20, 4, 6]);
  });

  it('decodes enum class values to their enumerator names', async () => {
    const watches = ['app::g_mode', 'app::g_level'].map(resolve);
    const bytes = await readWatches(new ElfImageReader(elf), watches);
    expect(watches.map((w, i) => w.decode(bytes[i]!))).toEqual(['Run', 'Low']);
    expect(watches.map((w) => w.typeName)).toEqual(['app::Mode', 'app::Level']);
  });

  it('reports an in-class constant gdb knows but the compiler gave no address as optimized out', () => {
    if (name.includes('types')) return; // in a type unit the class is not a scope gdb lists variables of
    expect(() => resolve('drivers::Uart::s_fifo_depth')).toThrow(OptimizedOutError);
  });

  it('gives a typed error naming both files for a file-static name in two unnamed namespaces', () => {
    // app.cpp's s_count is app::(anonymous namespace)::s_count; pool.cpp's is (anonymous namespace)::s_count.
    expect(() => resolve("'app.cpp'::s_count")).toThrow(UnknownSymbolError);
    expect(() => resolve('s_count')).toThrow(/'\(anonymous namespace\)::s_count', 'app::\(anonymous namespace\)::s_count'/);
  });

  it('suggests the qualified name for a typo in one', () => {
    expect(() => resolve('app::g_countr')).toThrow(/did you mean 'app::g_counter'/);
  });

  it('names members of a class in its error, qualified type included', () => {
    expect(() => resolve('app::g_derived.nope')).toThrow(ExpressionError);
    expect(() => resolve('app::g_derived.nope')).toThrow(/app::Derived has no member 'nope'/);
  });
});

it('C names keep working: an ambiguous file-static lists candidates a user can paste back', () => {
  // The C corpus defines s_count in three files: the C++ changes to resolution must not change that.
  const elf = openElf('tests/fixtures/elf/corpus/arm-gcc-dwarf4-O0.elf');
  const debug = loadDebugInfo(elf);
  let err: unknown;
  try {
    resolveWatch(debug, elf, 's_count');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AmbiguousSymbolError);
  for (const c of (err as AmbiguousSymbolError).candidates) expect(resolveWatch(debug, elf, c).address).toBeGreaterThan(0);
});

describe('C++ name resolution on hand-made debug info', () => {
  const vars = [
    T.variable({ name: '(anonymous namespace)::s_state', type: T.uint, scope: 'file-static', file: 'src/uart.cpp', address: 0x2000_0000 }),
    T.variable({ name: '(anonymous namespace)::s_state', type: T.uint, scope: 'file-static', file: 'src/spi.cpp', address: 0x2000_0004 }),
    T.variable({ name: 'g_mode', type: T.uint, address: 0x2000_0008 }),
    T.variable({ name: 'app::g_mode', type: T.uint, address: 0x2000_000c }),
  ];
  const debug = T.debugOf(vars);
  const resolve = (expr: string) => resolveWatch(debug, T.elfOf(true), expr);

  it('an unnamed-namespace name in two files is ambiguous, and each candidate it lists resolves', () => {
    let err: unknown;
    try {
      resolve('(anonymous namespace)::s_state');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AmbiguousSymbolError);
    const candidates = (err as AmbiguousSymbolError).candidates;
    expect(candidates).toEqual(['uart.cpp::(anonymous namespace)::s_state', 'spi.cpp::(anonymous namespace)::s_state']);
    expect(candidates.map((c) => resolve(c).address)).toEqual([0x2000_0000, 0x2000_0004]);
    expect(resolve("'spi.cpp'::s_state").address).toBe(0x2000_0004);
  });

  it('an exact global name wins over a namespaced one of the same short name, as in gdb', () => {
    expect(resolve('g_mode').address).toBe(0x2000_0008);
    expect(resolve('::g_mode').address).toBe(0x2000_0008);
    expect(resolve('app::g_mode').address).toBe(0x2000_000c);
  });
});
