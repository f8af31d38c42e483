// The human side of `report`: a short paragraph per signal that says what to do, and the --json shape.
import { fmtBytes, fmtH } from '../drift/index.js';
import type { ReportData } from './analyse.js';

export function reportJson(d: ReportData): unknown {
  const f = d.fragmentation;
  return {
    recording: d.path,
    durationS: d.scan.firstT !== null && d.scan.lastT !== null ? d.scan.lastT - d.scan.firstT : null,
    rows: d.scan.rows,
    signals: d.signals.map((s) => ({
      name: s.name,
      verdict: s.result.verdict,
      rateBytesPerHour: s.result.rateBytesPerHour,
      rateCI: s.result.rateCI,
      timeToExhaustionHours: s.result.timeToExhaustionHours,
      detectedAtS: s.result.detectedAtS,
      direction: s.direction,
      pickedBy: s.pickedBy,
      capacityBytes: s.capacityBytes,
      reason: s.result.reason,
      pValue: s.result.pValue,
      segmentStartS: s.result.segmentStartS,
      changePointsS: s.result.changePointsS,
      lowWater: s.result.lowWater,
      peakTrendBytesPerHour: s.result.peakTrendBytesPerHour,
      gaps: s.result.gaps,
      wraps: s.result.wraps,
    })),
    fragmentation: f
      ? {
          verdict: f.verdict,
          index: f.index,
          largestFreeTrendBytesPerHour: f.largestFreeTrendBytesPerHour,
          indexTrendPerHour: f.trend,
          needBytes: f.needBytes,
          hoursUntilNeedFails: f.hoursUntilNeedFails,
          minLargestFree: f.minLargestFree,
          reason: f.reason,
        }
      : { verdict: 'undecided', index: null, largestFreeTrendBytesPerHour: null, reason: 'no largest-free-block column' },
  };
}

export function reportText(d: ReportData): string {
  const out: string[] = [];
  const dur = d.scan.firstT !== null && d.scan.lastT !== null ? (d.scan.lastT - d.scan.firstT) / 3600 : 0;
  out.push(`${d.path}: ${d.scan.rows} samples over ${fmtH(dur)} (${d.header.format})`);
  for (const s of d.signals) {
    const r = s.result;
    out.push('');
    out.push(`${s.name} (heap ${s.direction}, picked by ${s.pickedBy}): ${r.verdict.toUpperCase()}`);
    let p = '  ' + r.reason + '.';
    if (r.verdict === 'leak') {
      p += ` First flagged at ${fmtH((r.detectedAtS ?? 0) / 3600)} into the run.`;
      p += ' Look for an allocation without a matching free on the path that runs about as often as the rate suggests.';
    } else if (r.verdict === 'undecided') p += ' Record longer (or with less load variation) for a verdict.';
    if (r.lowWater) p += ` Lowest free: ${fmtBytes(r.lowWater.bytes)} at ${fmtH(r.lowWater.atS / 3600)}.`;
    if (r.gaps) p += ` ${r.gaps} gap(s) in the data.`;
    if (r.wraps) p += ` ${r.wraps} counter wrap-around(s) repaired.`;
    out.push(p);
  }
  const f = d.fragmentation;
  out.push('');
  if (f) {
    out.push(`fragmentation (${f.free} vs ${f.largest}): ${f.verdict.toUpperCase()}`);
    out.push(
      `  index 1 - largest/free = ${f.index === null ? 'n/a' : f.index.toFixed(2)}` +
        (f.trend !== null ? ` (trend ${f.trend >= 0 ? '+' : ''}${f.trend.toFixed(4)}/h)` : '') +
        `; ${f.reason}.`,
    );
  } else out.push('fragmentation: no largest-free-block column (name one with --largest COL)');
  return out.join('\n') + '\n';
}
