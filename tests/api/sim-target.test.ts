// connect() to the built-in emulator (`sim:`) running the bundled leaking firmware: reads, the heap
// walk, sampling with bounded buffering, and closing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, loadFirmware, ProbeError, UnknownSymbolError, UsageError, type Firmware, type Target } from '../../src/index.js';
import { initialU32, LEAK_ELF } from './helpers.js';

describe('a target on the built-in sim', () => {
  let fw: Firmware;
  let target: Target;

  beforeAll(async () => {
    fw = await loadFirmware(LEAK_ELF);
    target = await connect(fw, 'sim:');
  });
  afterAll(async () => {
    await target?.close();
  });

  it('reads a constant global as the value the ELF initialises it to', async () => {
    const expected = initialU32(LEAK_ELF, 'g_magic');
    expect(expected).toBe(0xc0ffee42);
    expect(await target.read('g_magic')).toBe(expected);
  });

  it('reads a struct as an object whose used + free is the capacity', async () => {
    for (let i = 0; i < 5; i++) {
      const { g_heap } = await target.read<{ g_heap: { used: number; free: number; capacity: number } }>(['g_heap']);
      expect(g_heap.capacity).toBe(16384);
      expect(g_heap.used + g_heap.free).toBe(g_heap.capacity);
    }
  });

  it('reads 64-bit integers as bigint, nested structs as objects and arrays as arrays', async () => {
    const v = await target.read(['g_ubig', 'g_big', 'g_config', 'g_samples']);
    expect(v.g_ubig).toBe(0xdeadbeefcafef00dn);
    expect(v.g_big).toBe(-1234567890123n);
    expect(v.g_config).toMatchObject({ id: 7, port: 3333, pos: { x: -5, y: 12 }, bytes: [0xaa, 0xbb, 0xcc], mode: 'MODE_SLEEP' });
    expect(v.g_samples).toEqual([1, 2, 3, 5, 8, 13, 21, 34]);
  });

  it('summarises the heap as `heapscope heap --json` does, with a consistent walk', async () => {
    const h = await target.heap();
    expect(h.allocator).toBe('heapscope');
    expect(h.values.capacity).toBe(16384);
    expect(h.values.used! + h.values.free!).toBe(16384);
    expect(h.largestFree).toBeGreaterThan(0);
    expect(h.largestFree).toBeLessThanOrEqual(h.values.free!);
  });

  it('rejects an unknown expression with UnknownSymbolError and keeps working', async () => {
    await expect(target.read(['g_heap.used', 'g_nope'])).rejects.toBeInstanceOf(UnknownSymbolError);
    expect(await target.read('g_magic')).toBe(0xc0ffee42);
  });

  it('samples 3 s at 20 Hz: every scheduled tick is a sample or counted as skipped, t increasing', async () => {
    const stream = target.sample<{ g_ticks: number; 'g_heap.used': number }>(['g_ticks', 'g_heap.used'], { rateHz: 20, durationS: 3 });
    const ts: number[] = [];
    const ticks: number[] = [];
    for await (const s of stream) {
      ts.push(s.t);
      ticks.push(s.values.g_ticks);
      expect(typeof s.values['g_heap.used']).toBe('number');
    }
    const st = stream.stats();
    // On a loaded machine a late tick is skipped and counted, never bunched: the schedule holds 60 ticks.
    expect(ts.length).toBe(st.samples);
    expect(ts.length + st.scheduler.overruns + st.scheduler.skippedLate).toBeGreaterThanOrEqual(58);
    expect(ts.length + st.scheduler.overruns + st.scheduler.skippedLate).toBeLessThanOrEqual(61);
    expect(ts.length).toBeGreaterThanOrEqual(30);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
    expect(ts[ts.length - 1]!).toBeLessThan(3);
    // The firmware runs between samples: its tick counter moves.
    expect(ticks[ticks.length - 1]!).toBeGreaterThan(ticks[0]!);
  });

  it('drops the oldest samples (and counts them) when the consumer is slower than the rate', async () => {
    const stream = target.sample(['g_ticks'], { rateHz: 50, bufferSize: 4 });
    const first = await stream.next(); // starts the sampler
    expect(first.done).toBe(false);
    await new Promise((r) => setTimeout(r, 600));
    const st = stream.stats();
    expect(st.buffered).toBeLessThanOrEqual(4);
    expect(st.dropped).toBeGreaterThan(0);
    const rest: number[] = [];
    await stream.stop();
    for await (const s of stream) rest.push(s.values.g_ticks as number);
    expect(rest.length).toBeLessThanOrEqual(4);
    // What is kept is the newest: it continues after the first sample, in order.
    expect(rest[0]!).toBeGreaterThan((first.value as { values: { g_ticks: number } }).values.g_ticks);
  });

  it('stops sampling when the loop breaks', async () => {
    const stream = target.sample(['g_ticks'], { rateHz: 50 });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const after = stream.stats().samples;
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.stats().samples).toBe(after);
  });

  it('refuses sampling options it cannot honour with UsageError', () => {
    expect(() => target.sample([], { rateHz: 10 })).toThrow(UsageError);
    expect(() => target.sample(['g_ticks'], { rateHz: 0 })).toThrow(UsageError);
    expect(() => target.sample(['g_ticks'], { bufferSize: 0 })).toThrow(UsageError);
  });

  it('closes twice without error, and a read after close is a ProbeError', async () => {
    const t2 = await connect(fw, 'sim:');
    expect(await t2.read('g_magic')).toBe(0xc0ffee42);
    await t2.close();
    await t2.close();
    await expect(t2.read('g_magic')).rejects.toBeInstanceOf(ProbeError);
  });
});
