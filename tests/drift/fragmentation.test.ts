import { describe, expect, it } from 'vitest';
import { createFragmentationTracker } from '../../src/drift/index.js';

describe('fragmentation tracker', () => {
  it('says creep when the largest block shrinks while free memory holds, and forecasts --need', () => {
    const f = createFragmentationTracker({ needBytes: 4096 });
    // free steady at 30 KiB (+ saw-tooth), largest block loses 1 KiB/h from 24 KiB; 8 h at 1 Hz.
    for (let t = 0; t < 8 * 3600; t++) {
      const saw = (t % 40) * 50;
      f.push(t, 30720 - saw, 24576 - (t / 3600) * 1024 - saw);
    }
    const r = f.result();
    expect(r.verdict).toBe('creep');
    expect(r.largestFreeTrendBytesPerHour!).toBeLessThan(-900);
    // worst largest now ~ 24576 - 8192 - 1950 = 14434 -> (14434-4096)/1024 ~ 10 h
    expect(r.hoursUntilNeedFails!).toBeGreaterThan(8);
    expect(r.hoursUntilNeedFails!).toBeLessThan(12);
    expect(r.index!).toBeGreaterThan(0.4);
  });

  it('says stable when the index does not move', () => {
    const f = createFragmentationTracker();
    for (let t = 0; t < 8 * 3600; t++) {
      const saw = (t % 40) * 50;
      f.push(t, 30720 - saw, 20000 - saw / 2);
    }
    const r = f.result();
    expect(r.verdict).toBe('stable');
    expect(r.hoursUntilNeedFails).toBeNull();
  });
});
