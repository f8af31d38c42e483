import { describe, expect, it } from 'vitest';
import { SimulatedClock, type Clock } from '../../src/sample/clock.js';
import { LatencyHistogram } from '../../src/sample/latency.js';
import { Scheduler, type Tick } from '../../src/sample/scheduler.js';

const DAY_MS = 24 * 3600 * 1000;

/** A simulated clock whose timers fire `lateBy(n)` ms after they are due (the n-th timer). */
function lateClock(inner: SimulatedClock, lateBy: (n: number) => number): Clock {
  let n = 0;
  return {
    nowMs: () => inner.nowMs(),
    wallMs: () => inner.wallMs(),
    sleep: (ms) => inner.sleep(ms),
    at: (atMs, fn) => inner.at(atMs + lateBy(n++), fn),
  };
}

describe('Scheduler on a simulated clock', () => {
  it('runs a simulated 24 h at 10 Hz on the absolute grid: every tick served on time, no drift', async () => {
    const clock = new SimulatedClock(5_000);
    const starts: number[] = [];
    let lastStart = 0;
    const s = new Scheduler({
      clock,
      groups: [{ id: '10 Hz', rateHz: 10 }],
      durationMs: DAY_MS,
      onTick: (t: Tick) => {
        lastStart = t.startMs;
        if (starts.length < 3) starts.push(t.startMs);
      },
    });
    s.start();
    await clock.runUntil(5_000 + DAY_MS + 1);
    await s.done;
    const st = s.stats();
    expect(st.ticks).toBe(864_000);
    expect(starts).toEqual([5_000, 5_100, 5_200]);
    // Tick k is due at t0 + k*period: the last one is exactly where the grid says, not later.
    expect(lastStart).toBe(5_000 + 863_999 * 100);
    expect(st.lateness.maxMs).toBe(0);
    expect(st.overruns).toBe(0);
    expect(st.groups[0]!.achievedHz).toBeCloseTo(10, 6);
  }, 60_000);

  it('serves several rates with one callback per instant: the 1 Hz group rides on every 100th 100 Hz tick', async () => {
    const clock = new SimulatedClock();
    const calls: number[][] = [];
    const s = new Scheduler({
      clock,
      groups: [
        { id: 'fast', rateHz: 100 },
        { id: 'slow', rateHz: 1 },
      ],
      durationMs: 3000,
      onTick: (t) => {
        calls.push([...t.groups]);
      },
    });
    s.start();
    await clock.runUntil(4000);
    expect(calls).toHaveLength(300);
    const withSlow = calls.map((g, i) => (g.includes(1) ? i : -1)).filter((i) => i >= 0);
    expect(withSlow).toEqual([0, 100, 200]);
    expect(s.stats().groups.map((g) => g.served)).toEqual([300, 3]);
  });

  it('skips and counts ticks that come due while a read is in flight, never queuing them', async () => {
    const clock = new SimulatedClock();
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const s = new Scheduler({
      clock,
      groups: [{ id: '100 Hz', rateHz: 100 }],
      durationMs: 1000,
      onTick: async (t) => {
        starts.push(t.startMs);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await clock.sleep(25); // a read 2.5 periods long
        inFlight--;
      },
    });
    s.start();
    await clock.runUntil(2000);
    const st = s.stats();
    expect(maxInFlight).toBe(1);
    expect(starts.slice(0, 4)).toEqual([0, 30, 60, 90]);
    expect(st.ticks).toBe(34);
    expect(st.overruns).toBe(100 - 34);
    expect(st.groups[0]!.achievedHz).toBeCloseTo(34, 6);
  });

  it('measures lateness p50/p99/max from the due time', async () => {
    const sim = new SimulatedClock();
    // 0.2 ms late normally, 3 ms late on every 50th timer (2 % of ticks), 7 ms once.
    const clock = lateClock(sim, (n) => (n === 500 ? 7 : n % 50 === 49 ? 3 : 0.2));
    const s = new Scheduler({ clock, groups: [{ id: 'x', rateHz: 100 }], durationMs: 10_000, onTick: () => {} });
    s.start();
    await sim.runUntil(11_000);
    const l = s.stats().lateness;
    expect(l.count).toBe(1000);
    expect(l.p50Ms).toBeGreaterThan(0.15);
    expect(l.p50Ms).toBeLessThan(0.25);
    expect(l.p99Ms).toBeGreaterThan(2.8);
    expect(l.p99Ms).toBeLessThan(3.2);
    expect(l.maxMs).toBeCloseTo(7, 9);
    expect(s.stats().skippedLate).toBe(0);
  });

  it('after a stall longer than a period serves the latest due tick and stays on the grid', async () => {
    const sim = new SimulatedClock();
    const clock = lateClock(sim, (n) => (n === 10 ? 35 : 0)); // tick 10 wakes 35 ms late
    const starts: number[] = [];
    const s = new Scheduler({
      clock,
      groups: [{ id: 'x', rateHz: 100 }],
      durationMs: 200,
      onTick: (t) => {
        starts.push(t.startMs);
      },
    });
    s.start();
    await sim.runUntil(1000);
    expect(starts.slice(9, 13)).toEqual([90, 135, 140, 150]);
    expect(s.stats().skippedLate).toBe(3); // 100, 110, 120 lost; 130 served at 135
    expect(s.stats().ticks).toBe(17); // 140 is due and served: the grid is unchanged
  });

  it('while paused misses ticks (counted) and resumes on the same grid', async () => {
    const clock = new SimulatedClock();
    const starts: number[] = [];
    const s = new Scheduler({
      clock,
      groups: [{ id: 'x', rateHz: 10 }],
      durationMs: 2000,
      onTick: (t) => {
        starts.push(t.startMs);
      },
    });
    s.start();
    await clock.runUntil(450);
    s.pause();
    await clock.runUntil(1230);
    s.resume();
    await clock.runUntil(3000);
    expect(starts).toContain(400);
    expect(starts).not.toContain(500);
    expect(starts).toContain(1300);
    expect(s.stats().missedPaused).toBe(8); // 500..1200
    expect(s.stats().ticks).toBe(20 - 8);
  });

  it('ends on time even while paused', async () => {
    const clock = new SimulatedClock();
    const s = new Scheduler({ clock, groups: [{ id: 'x', rateHz: 10 }], durationMs: 1000, onTick: () => {} });
    s.start();
    await clock.runUntil(300);
    s.pause();
    await clock.runUntil(5000);
    expect(s.isRunning).toBe(false);
    expect(s.stats().elapsedS).toBe(1);
  });
});

describe('LatencyHistogram', () => {
  it('answers quantiles within 4 % of the exact sorted values', () => {
    const h = new LatencyHistogram();
    const xs: number[] = [];
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const x = -Math.log(1 - rnd()) * 0.4 + (i % 97 === 0 ? 20 * rnd() : 0); // ms
      xs.push(x);
      h.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = xs[Math.ceil(q * xs.length) - 1]!;
      expect(Math.abs(h.quantileMs(q) - exact) / exact).toBeLessThan(0.04);
    }
    expect(h.summary().maxMs).toBeCloseTo(xs[xs.length - 1]!, 9);
  });
});
