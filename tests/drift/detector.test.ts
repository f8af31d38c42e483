import { describe, expect, it } from 'vitest';
import { createLeakDetector } from '../../src/drift/index.js';
import { generateTrace } from '../fixtures/drift/generate.js';
import { runTrace } from './eval-set.js';

describe('leak detector', () => {
  it('says no-leak on a saw-tooth whose troughs stay put', () => {
    expect(runTrace(generateTrace('sawtooth', 7)).verdict).toBe('no-leak');
  });

  it('says leak on a 0.5-1 %/h slow leak, with the true rate inside its interval', () => {
    const tr = generateTrace('slow-leak', 7);
    const r = runTrace(tr);
    expect(r.verdict).toBe('leak');
    expect(r.rateCI![0]).toBeLessThanOrEqual(tr.rateBytesPerHour * 1.05);
    expect(r.rateCI![1]).toBeGreaterThanOrEqual(tr.rateBytesPerHour * 0.95);
    expect(r.timeToExhaustionHours).toBeGreaterThan(0);
  });

  it('is undecided early and says how much more time it needs', () => {
    const d = createLeakDetector({ direction: 'used', capacityBytes: 65536 });
    for (let t = 0; t < 300; t += 1) d.push(t, 20000 + (t % 30) * 100);
    const r = d.result();
    expect(r.verdict).toBe('undecided');
    expect(r.reason).toMatch(/need ~\d+ (min|h) more/);
  });

  it('judges only the plateau after a warm-up', () => {
    const r = runTrace(generateTrace('warmup', 3));
    expect(r.verdict).toBe('no-leak');
    expect(r.segmentStartS).toBeGreaterThan(0);
  });

  it('repairs 16-bit counter wrap-around instead of seeing a crash of the heap', () => {
    const r = runTrace(generateTrace('wrap', 2));
    expect(r.wraps).toBeGreaterThan(0);
    expect(r.verdict).not.toBe('leak');
  });

  it('counts probe gaps and still judges the trace', () => {
    const r = runTrace(generateTrace('gaps', 4));
    expect(r.gaps).toBeGreaterThan(0);
    expect(r.verdict).toBe('no-leak');
  });

  it('reads a falling free counter as a leak with time to exhaustion from the free bytes', () => {
    const d = createLeakDetector({ direction: 'free' });
    // 64 KiB heap, saw-tooth of 8 KiB every 60 s, losing 1 KiB/h; 6 h at 1 Hz.
    for (let t = 0; t < 6 * 3600; t++) d.push(t, 40000 - (t / 3600) * 1024 - (t % 60) * 130);
    const r = d.result();
    expect(r.verdict).toBe('leak');
    expect(r.rateBytesPerHour!).toBeGreaterThan(900);
    expect(r.rateBytesPerHour!).toBeLessThan(1150);
    // lowest free ~ 40000 - 6*1024 - 59*130 = 26186 -> ~25 h at 1 KiB/h
    expect(r.timeToExhaustionHours!).toBeGreaterThan(20);
    expect(r.timeToExhaustionHours!).toBeLessThan(30);
    expect(r.lowWater!.bytes).toBeLessThan(27000);
  });

  it('keeps bounded memory: baseline points stay <= 128 over 48 h at 1 Hz', () => {
    const d = createLeakDetector({ direction: 'used' });
    for (let t = 0; t < 48 * 3600; t++) d.push(t, 1000 + (t % 97));
    expect(d.baseline().length).toBeLessThanOrEqual(129);
    expect(d.result().samples).toBe(48 * 3600);
  });

  it('ignores null samples as gaps and never throws on them', () => {
    const d = createLeakDetector({ direction: 'used' });
    d.push(0, null);
    d.push(1, Number.NaN);
    expect(d.result().verdict).toBe('undecided');
  });
  it('knows a 32-bit counter does not wrap at 16 bits: a 47 KiB saw-tooth drop under 64 KiB is a free, not a wrap', () => {
    // A heap over 64 KiB whose used counter (uint32_t) swings 10..57 KiB: in 'auto' mode every drop of more
    // than half of 64 KiB looks like a 16-bit wrap; the width from DWARF (watch columns carry it) settles it.
    const run = (wrapBits: 'auto' | number) => {
      const d = createLeakDetector({ direction: 'used', wrapBits });
      for (let t = 0; t < 6 * 3600; t++) d.push(t, 10000 + (t % 60) * 800 + ((t * 7919) % 13) * 50);
      return d.result();
    };
    const typed = run(32);
    expect(typed.wraps).toBe(0);
    expect(typed.verdict).toBe('no-leak');
    expect(run('auto').wraps).toBeGreaterThan(0); // why the width is passed wherever it is known
  });
});
