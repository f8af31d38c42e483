import { describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../src/elf/dwarf/model.js';
import { ProbeDisconnectedError, ProbeTimeoutError } from '../../src/errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../../src/probe/types.js';
import { SimulatedClock } from '../../src/sample/clock.js';
import { ProbeGaveUpError, ProbeUnreachableError, Sampler } from '../../src/sample/sampler.js';
import type { Sample, SessionEvent } from '../../src/sample/types.js';
import { intReader } from '../../src/watch/decode.js';
import { buildWatch } from '../../src/watch/resolve.js';
import type { Watch } from '../../src/watch/types.js';

const U32: TypeInfo = { kind: 'base', name: 'uint32_t', byteSize: 4, encoding: 'unsigned' };
const BASE = 0x20000000;

function u32Watch(expr: string, offset: number): Watch {
  return buildWatch({
    expr,
    address: BASE + offset,
    hops: [],
    byteSize: 4,
    type: U32,
    typeName: 'uint32_t',
    littleEndian: true,
    read: intReader(4, false, true),
  });
}

/** A real in-process MemoryReader over a RAM image whose counters the clock moves (1 per ms). */
class RamReader implements MemoryReader {
  readonly description = 'ram image';
  readonly nonHalting = true;
  readonly maxBlockBytes = 4096;
  reads = 0;
  closed = false;
  constructor(
    private readonly clock: SimulatedClock,
    /** Fault injection (a mock for a cable pull, which no in-process peer can produce): throw on read n. */
    private readonly failAt: ReadonlySet<number> = new Set(),
    private readonly failWith: () => Error = () => new ProbeDisconnectedError('connection reset by peer'),
  ) {}
  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    this.reads++;
    if (this.closed) throw new ProbeDisconnectedError('closed');
    if (this.failAt.has(this.reads)) throw this.failWith();
    const ms = Math.floor(this.clock.nowMs());
    return blocks.map((b) => {
      const out = new Uint8Array(b.length);
      const dv = new DataView(out.buffer);
      for (let o = 0; o + 4 <= b.length; o += 4) dv.setUint32(o, ms + (b.address - BASE + o), true);
      return out;
    });
  }
  async info(): Promise<ProbeInfo> {
    return { kind: 'ram', server: 'test' };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function collect() {
  const samples: Sample[] = [];
  const events: SessionEvent[] = [];
  return { samples, events, onSample: (s: Sample) => void samples.push(s), onEvent: (e: SessionEvent) => void events.push(e) };
}

describe('Sampler', () => {
  it('reads all due watches with one readBlocks per tick and decodes each into its column', async () => {
    const clock = new SimulatedClock(0, Date.UTC(2026, 0, 1), 40);
    const reader = new RamReader(clock);
    const c = collect();
    const s = new Sampler({
      watches: [
        { watch: u32Watch('a', 0), rateHz: 100 },
        { watch: u32Watch('b', 8), rateHz: 100 },
        { watch: u32Watch('slow', 16), rateHz: 10 },
      ],
      reader,
      openReader: async () => reader,
      clock,
      durationS: 1,
      ...c,
    });
    const run = s.run();
    await clock.runUntil(2000);
    const st = await run;
    expect(st.samples).toBe(100);
    expect(reader.reads).toBe(100); // the three watches (two rates) coalesce into one read per tick
    expect(s.columns).toEqual(['a', 'b', 'slow']);
    expect(c.samples[1]).toMatchObject({ t: 0.01, wallMs: Date.UTC(2026, 0, 1) + 10, values: [10, 18, undefined] });
    expect(c.samples[10]!.values).toEqual([100, 108, 116]);
    expect(reader.closed).toBe(true);
  });

  it('shares one column between watches with the same leaf and carries the target clock', async () => {
    const clock = new SimulatedClock(0, 0, 40);
    const reader = new RamReader(clock);
    const c = collect();
    const s = new Sampler({
      watches: [
        { watch: u32Watch('g.used', 0), rateHz: 10 },
        { watch: u32Watch('g.used', 0), rateHz: 1 },
      ],
      targetClock: u32Watch('g_ticks', 40),
      reader,
      openReader: async () => reader,
      clock,
      durationS: 0.5,
      ...c,
    });
    const run = s.run();
    await clock.runUntil(1000);
    await run;
    expect(s.columns).toEqual(['g.used', 'g_ticks']);
    expect(c.samples[2]).toMatchObject({ values: [200, 240], target: 240 });
  });

  it('turns a probe drop into a gap, reconnects with doubling backoff, and resumes on the same grid without losing a read sample', async () => {
    const clock = new SimulatedClock(0, 0, 40);
    const first = new RamReader(clock, new Set([31])); // the 31st read (t = 0.30 s) fails
    let opens = 0;
    const openTimes: number[] = [];
    const c = collect();
    const s = new Sampler({
      watches: [{ watch: u32Watch('x', 0), rateHz: 100 }],
      reader: first,
      openReader: async () => {
        openTimes.push(clock.nowMs());
        if (++opens <= 2) throw new ProbeDisconnectedError('connection refused');
        return new RamReader(clock);
      },
      clock,
      durationS: 3,
      reconnect: { initialMs: 250, maxMs: 2000 },
      ...c,
    });
    const run = s.run();
    await clock.runUntil(4000);
    const st = await run;
    expect(openTimes).toEqual([300 + 250, 300 + 250 + 500, 300 + 250 + 500 + 1000]);
    expect(c.events).toEqual([
      { event: 'gap', t: 0.3, wallMs: 300, reason: 'connection reset by peer' },
      { event: 'reconnect', t: 2.05, wallMs: 2050, downS: 1.75, attempts: 3 },
    ]);
    expect(first.closed).toBe(true);
    const ts = c.samples.map((x) => Math.round(x.t * 1000));
    expect(ts.slice(28, 32)).toEqual([280, 290, 2050, 2060]);
    expect(st.samples).toBe(c.samples.length);
    expect(st.samples).toBe(30 + 95); // 0..290 ms, then 2050..2990 ms
    expect(st.gaps).toBe(1);
    expect(st.reconnects).toBe(1);
    expect(st.scheduler.missedPaused).toBe(174); // 310 .. 2040 ms (the tick at 300 ran and failed)
    expect(st.downS).toBeCloseTo(1.75, 9);
  });

  it('treats a probe timeout like a drop', async () => {
    const clock = new SimulatedClock(0, 0, 40);
    const c = collect();
    const r = new RamReader(clock, new Set([3]), () => new ProbeTimeoutError('no answer in 3000 ms'));
    const s = new Sampler({
      watches: [{ watch: u32Watch('x', 0), rateHz: 10 }],
      reader: r,
      openReader: async () => new RamReader(clock),
      clock,
      durationS: 2,
      ...c,
    });
    const run = s.run();
    await clock.runUntil(3000);
    const st = await run;
    expect(c.events.map((e) => e.event)).toEqual(['gap', 'reconnect']);
    expect(st.samples).toBeGreaterThan(10);
  });

  it('ends at --duration even while the probe is down', async () => {
    const clock = new SimulatedClock(0, 0, 40);
    const c = collect();
    const s = new Sampler({
      watches: [{ watch: u32Watch('x', 0), rateHz: 10 }],
      reader: new RamReader(clock, new Set([5])),
      openReader: async () => {
        throw new ProbeDisconnectedError('refused');
      },
      clock,
      durationS: 5,
      ...c,
    });
    const run = s.run();
    await clock.runUntil(10_000);
    const st = await run;
    expect(st.samples).toBe(4);
    expect(st.probeUp).toBe(false);
    expect(st.scheduler.elapsedS).toBe(5);
  });

  it('gives up (exit code 4) when the probe stays away longer than giveUpAfterS', async () => {
    const clock = new SimulatedClock(0, 0, 40);
    const s = new Sampler({
      watches: [{ watch: u32Watch('x', 0), rateHz: 10 }],
      reader: new RamReader(clock, new Set([2])),
      openReader: async () => {
        throw new ProbeDisconnectedError('refused');
      },
      clock,
      reconnect: { initialMs: 100, maxMs: 1000, giveUpAfterS: 5 },
      onSample: () => {},
    });
    const run = s.run();
    const outcome = run.then(
      () => null,
      (e: unknown) => e,
    );
    await clock.runUntil(20_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(ProbeGaveUpError);
    expect((err as ProbeGaveUpError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/unreachable for [56] s .*refused/);
  });

  it('reports an unreachable probe at start as exit code 3', async () => {
    const s = new Sampler({
      watches: [{ watch: u32Watch('x', 0), rateHz: 10 }],
      openReader: async () => {
        throw new ProbeDisconnectedError('connect ECONNREFUSED 127.0.0.1:6666');
      },
      onSample: () => {},
    });
    const err = await s.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProbeUnreachableError);
    expect((err as ProbeUnreachableError).exitCode).toBe(3);
    expect((err as Error).message).toBe('cannot reach the probe: connect ECONNREFUSED 127.0.0.1:6666');
  });
});
