// `report --html`: one self-contained file (inline SVG, no scripts, no network). Charts are Vega-Lite
// specs rendered to SVG headless in Node (vega View with renderer 'none'), not hand-drawn SVG.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { fmtBytes, fmtH, fmtRange } from '../drift/index.js';
import type { ReportData, SignalReport } from './analyse.js';
import type { Bucket } from './downsample.js';
import { reportText } from './text.js';

type Row = Record<string, number | string | null>;

/** Bands with explicit null rows where samples are missing, so lines break at probe gaps. */
function bandRows(buckets: Bucket[], widthS: number): Row[] {
  const rows: Row[] = [];
  let prev: Bucket | null = null;
  for (const b of buckets) {
    if (prev && b.t0 - prev.t0 > 1.5 * widthS) rows.push({ h: (prev.t0 + widthS) / 3600, lo: null, hi: null });
    rows.push({ h: (b.t0 + widthS / 2) / 3600, lo: b.min, hi: b.max });
    prev = b;
  }
  return rows;
}

async function toSvg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

function signalSpec(s: SignalReport): vegaLite.TopLevelSpec {
  const r = s.result;
  const band = bandRows(s.chart.buckets, s.chart.bucketS);
  // Baseline points further apart than 3x their usual spacing straddle a gap: break the line there.
  const pts = s.chart.baseline;
  const spacing = pts.length > 2 ? (pts[pts.length - 1]!.t - pts[0]!.t) / (pts.length - 1) : Infinity;
  const baseline: Row[] = [];
  for (let i = 0; i < pts.length; i++) {
    if (i > 0 && pts[i]!.t - pts[i - 1]!.t > 3 * spacing) baseline.push({ h: (pts[i - 1]!.t + pts[i]!.t) / 7200, v: null });
    baseline.push({ h: pts[i]!.t / 3600, v: pts[i]!.value });
  }
  const layers: unknown[] = [
    {
      data: { values: band },
      mark: { type: 'area', opacity: 0.35, color: '#7a9cc6', invalid: 'break-paths-show-domains' },
      encoding: {
        x: { field: 'h', type: 'quantitative', title: 'hours' },
        y: { field: 'lo', type: 'quantitative', title: `${s.name} (bytes)`, scale: { zero: false } },
        y2: { field: 'hi' },
      },
    },
    {
      data: { values: baseline },
      mark: { type: 'line', color: '#1f4e8c', strokeWidth: 1.5, invalid: 'break-paths-show-domains' },
      encoding: { x: { field: 'h', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
    },
  ];
  if (r.trend) {
    const tr = r.trend;
    const end = tr.start + tr.slopePerS * (tr.toS - tr.fromS);
    const color = r.verdict === 'leak' ? '#c0392b' : '#27ae60';
    if (r.verdict === 'leak')
      layers.unshift({
        data: { values: [{ a: tr.fromS / 3600, b: tr.toS / 3600 }] },
        mark: { type: 'rect', color: '#e74c3c', opacity: 0.12 },
        encoding: { x: { field: 'a', type: 'quantitative' }, x2: { field: 'b' } },
      });
    layers.push({
      data: { values: [{ h: tr.fromS / 3600, v: tr.start }, { h: tr.toS / 3600, v: end }] },
      mark: { type: 'line', color, strokeWidth: 2.5 },
      encoding: { x: { field: 'h', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
    });
    if (r.verdict === 'leak' && r.timeToExhaustionHours !== null && r.worstNow !== null) {
      const horizon = Math.min(r.timeToExhaustionHours, 4 * (tr.toS / 3600));
      const wall = s.direction === 'used' ? s.capacityBytes : 0;
      const perH = tr.slopePerS * 3600;
      layers.push({
        data: {
          values: [
            { h: tr.toS / 3600, v: r.worstNow },
            { h: tr.toS / 3600 + horizon, v: r.worstNow + perH * horizon },
          ],
        },
        mark: { type: 'line', color: '#c0392b', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: { x: { field: 'h', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      });
      if (wall !== null)
        layers.push({
          data: { values: [{ v: wall }] },
          mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
          encoding: { y: { field: 'v', type: 'quantitative' } },
        });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 1000,
    height: 260,
    title: `${s.name}: ${r.verdict}`,
    layer: layers,
  } as unknown as vegaLite.TopLevelSpec;
}

function fragSpec(d: NonNullable<ReportData['fragmentation']>): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 1000,
    height: 180,
    title: `fragmentation index 1 - largest/free: ${d.verdict}`,
    data: { values: d.series.map((p) => ({ h: p.t / 3600, v: p.value })) },
    mark: { type: 'line', color: '#8e44ad' },
    encoding: {
      x: { field: 'h', type: 'quantitative', title: 'hours' },
      y: { field: 'v', type: 'quantitative', title: 'index', scale: { domain: [0, 1] } },
    },
  } as unknown as vegaLite.TopLevelSpec;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export async function renderHtml(d: ReportData): Promise<string> {
  const parts: string[] = [];
  for (const s of d.signals) {
    const r = s.result;
    const cls = r.verdict === 'leak' ? 'leak' : r.verdict === 'no-leak' ? 'ok' : 'undecided';
    const facts = [
      r.rateBytesPerHour !== null ? `rate ${fmtBytes(r.rateBytesPerHour)}/h` : null,
      r.rateCI ? `95% CI ${fmtRange(r.rateCI[0], r.rateCI[1])}` : null,
      r.timeToExhaustionHours !== null ? `exhaustion in ~${fmtH(r.timeToExhaustionHours)}` : null,
      r.detectedAtS !== null ? `flagged at ${fmtH(r.detectedAtS / 3600)}` : null,
    ].filter(Boolean);
    parts.push(
      `<section><h2>${esc(s.name)} <span class="${cls}">${r.verdict}</span></h2>` +
        `<p>${esc(r.reason)}</p><p class="facts">${esc(facts.join(' · '))}</p>${await toSvg(signalSpec(s))}</section>`,
    );
  }
  if (d.fragmentation && d.fragmentation.series.length > 1) {
    const f = d.fragmentation;
    const cls = f.verdict === 'creep' ? 'leak' : f.verdict === 'stable' ? 'ok' : 'undecided';
    parts.push(
      `<section><h2>fragmentation <span class="${cls}">${f.verdict}</span></h2><p>${esc(f.reason)}</p>${await toSvg(fragSpec(f))}</section>`,
    );
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>heapscope report: ${esc(d.path)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}
h2 span{font-size:13px;padding:2px 8px;border-radius:4px;color:#fff;vertical-align:middle}
.leak{background:#c0392b}.ok{background:#27ae60}.undecided{background:#d68910}
.facts{color:#555}pre{background:#f4f4f4;padding:8px;white-space:pre-wrap}
.legend{color:#555;font-size:12px}</style></head><body>
<h1>heapscope report</h1><pre>${esc(reportText(d))}</pre>
<p class="legend">Blue band: min..max of the raw samples (downsampled; breaks = probe gaps). Dark line: baseline
(troughs of the saw-tooth). Thick line: fitted trend of the judged segment (red = leak, shaded from its start);
dashed: forecast of the peaks to exhaustion; dotted rule: heap capacity.</p>
${parts.join('\n')}</body></html>\n`;
}
