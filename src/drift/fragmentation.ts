// Fragmentation: index = 1 - largest/free (0 = all free memory in one block). Both questions ride on the
// same leak detector as the heap counters:
//  - creep: the index fed as a 'used'-direction signal (scaled to parts per million): a sustained rise
//    of the index after the last level change = free memory splitting into ever smaller pieces (a
//    largest block that only shrinks because free shrinks is a leak, not fragmentation: index flat);
//  - forecast: the largest free block fed as a 'free'-direction signal: "the largest block keeps
//    shrinking" is a leak of the biggest malloc that can still succeed; its rate gives the --need time.
import { createLeakDetector, fmtBytes, fmtH } from './detector.js';
import { trendTest } from './stats.js';
import type { FragmentationResult, FragmentationTracker } from './types.js';

const MAX_WINDOWS = 128;

export function createFragmentationTracker(opts: { needBytes?: number } = {}): FragmentationTracker {
  const largestDet = createLeakDetector({ direction: 'free', wrapBits: 0 });
  const PPM = 1e6;
  const indexDet = createLeakDetector({ direction: 'used', capacityBytes: PPM, wrapBits: 0 });
  let windowS = 60;
  const win: Array<{ t: number; sum: number; count: number }> = [];
  let cur: { start: number; t: number; sum: number; count: number } | null = null;
  let lastIndex: number | null = null;
  let minLargest: { bytes: number; atS: number } | null = null;

  const closeIfDue = (t: number): void => {
    if (cur && t >= cur.start + windowS) {
      win.push({ t: cur.t, sum: cur.sum, count: cur.count });
      cur = null;
      if (win.length >= MAX_WINDOWS) {
        windowS *= 2;
        const merged: typeof win = [];
        for (let i = 0; i < win.length; i += 2) {
          const a = win[i]!;
          const b = win[i + 1];
          merged.push(b ? { t: (a.t + b.t) / 2, sum: a.sum + b.sum, count: a.count + b.count } : a);
        }
        win.length = 0;
        win.push(...merged);
      }
    }
  };

  return {
    push(t, free, largest) {
      if (free === null || largest === null || !Number.isFinite(free) || !Number.isFinite(largest)) {
        largestDet.push(t, null);
        return;
      }
      largestDet.push(t, largest);
      if (!minLargest || largest < minLargest.bytes) minLargest = { bytes: largest, atS: t };
      if (free <= 0) return; // index undefined with no free memory
      const index = Math.min(1, Math.max(0, 1 - largest / free));
      lastIndex = index;
      indexDet.push(t, Math.round(index * PPM));
      closeIfDue(t);
      if (!cur) cur = { start: Math.floor(t / windowS) * windowS, t, sum: 0, count: 0 };
      cur.sum += index;
      cur.count++;
    },
    result(): FragmentationResult {
      const r = largestDet.result();
      const ir = indexDet.result();
      const pts = this.indexSeries();
      const x = Float64Array.from(pts, (p) => p.t / 3600);
      const y = Float64Array.from(pts, (p) => p.value);
      const it = trendTest(x, y, 0, pts.length);
      const need = opts.needBytes ?? null;
      const shrinkPerH = r.rateBytesPerHour; // positive = largest block shrinking
      let hours: number | null = null;
      if (need !== null && r.verdict === 'leak' && shrinkPerH && shrinkPerH > 0 && r.worstNow !== null)
        hours = Math.max(0, (r.worstNow - need) / shrinkPerH);
      const verdict = ir.verdict === 'leak' ? 'creep' : ir.verdict === 'no-leak' ? 'stable' : 'undecided';
      const idxRate = ir.rateBytesPerHour === null ? null : ir.rateBytesPerHour / PPM;
      const forecast = hours !== null ? `; a ${fmtBytes(need!)} malloc will fail in about ${fmtH(hours)}` : '';
      const reason =
        (verdict === 'creep'
          ? `free memory is splitting up: the index rises ${idxRate!.toFixed(4)}/h`
          : verdict === 'stable'
            ? 'the index holds steady after its last level change'
            : 'not enough evidence on the index yet (too short, or it still moves with the load)') +
        (r.verdict === 'leak' ? `; largest free block shrinking ${fmtBytes(shrinkPerH!)}/h` : '') +
        forecast;
      return {
        verdict,
        index: lastIndex,
        trend: verdict === 'creep' && idxRate !== null ? idxRate : it ? it.slope : null,
        largestFreeTrendBytesPerHour: shrinkPerH === null ? null : -shrinkPerH,
        hoursUntilNeedFails: hours,
        needBytes: need,
        minLargestFree: minLargest,
        reason,
      };
    },
    indexSeries() {
      const all = cur ? [...win, { t: cur.t, sum: cur.sum, count: cur.count }] : win;
      return all.filter((w) => w.count > 0).map((w) => ({ t: w.t, value: w.sum / w.count }));
    },
  };
}
