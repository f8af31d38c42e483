// The dashboard's data source on its own (no terminal): what the drift pane is fed.
import { describe, expect, it } from 'vitest';
import { LiveSource } from '../../src/tui/live-source.js';

/** A 16 KiB heap: a 3 s saw-tooth whose troughs rise 32 B per cycle (the demo firmware's leak), 10 min at 10 Hz. */
function feed(source: LiveSource): void {
  for (let i = 0; i < 10 * 60 * 10; i++) {
    const t = i / 10;
    const used = 2000 + Math.floor(t / 3) * 32 + (t % 3) * 500;
    source.onSample({ t, wallMs: 0, values: [used, 16384 - used] });
  }
}

describe('LiveSource drift rows', () => {
  it('takes the heap size from used + free when none is given, so the used row says when memory runs out', () => {
    const source = new LiveSource({
      title: 't',
      columns: ['g_heap.used', 'g_heap.free'],
      roles: { used: 'g_heap.used', free: 'g_heap.free' },
      rateHz: 10,
      driftTimeScale: 0.1,
      columnBits: new Map([
        ['g_heap.used', 32],
        ['g_heap.free', 32],
      ]),
    });
    feed(source);
    const used = source.drift().rows.find((r) => r.signal === 'g_heap.used')!;
    expect(used.verdict, used.reason).toBe('leak');
    // 16384 B; after 10 min the peaks reach ~2000 + 6400 + 1500 B, rising 37.5 KiB/h: ~10 min left.
    expect(used.timeToExhaustionHours).not.toBeNull();
    expect(used.timeToExhaustionHours!).toBeGreaterThan(0.08);
    expect(used.timeToExhaustionHours!).toBeLessThan(0.4);
    expect(used.risingForS).toBeGreaterThan(60);
  });

  it('judges used without a time to exhaustion when free is not watched', () => {
    const source = new LiveSource({ title: 't', columns: ['g_heap.used'], roles: { used: 'g_heap.used' }, rateHz: 10, driftTimeScale: 0.1 });
    for (let i = 0; i < 10 * 60 * 10; i++) {
      const t = i / 10;
      source.onSample({ t, wallMs: 0, values: [2000 + Math.floor(t / 3) * 32 + (t % 3) * 500] });
    }
    const used = source.drift().rows[0]!;
    expect(used.verdict, used.reason).toBe('leak');
    expect(used.timeToExhaustionHours).toBeNull();
  });
});
