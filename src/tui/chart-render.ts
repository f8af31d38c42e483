// Renders one chart (a group of signals over a time window) to tagged text lines, independent of
// blessed: the y-axis labels on the left, braille bands, and a time axis at the bottom.
// Cost depends on the chart's size, never on the length of the run (the source reduces the window).
import { canvasLines, newCanvas, paintBands, type BandSeries } from './braille.js';
import { compactNumber, formatDuration } from './format.js';
import type { WindowData } from './model.js';

export const SERIES_COLORS = ['yellow', 'cyan', 'magenta', 'green', 'red', 'blue', 'white'];
const Y_LABEL_WIDTH = 7;

export interface ChartInput {
  windows: readonly WindowData[];
  /** Seconds shown (for the x-axis labels). */
  spanS: number;
  /** Inner size of the chart box in cells. */
  width: number;
  height: number;
  color: boolean;
}

export function renderChart(input: ChartInput): string[] {
  const plotW = Math.max(1, input.width - Y_LABEL_WIDTH - 1);
  const plotH = Math.max(1, input.height - 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of input.windows) {
    for (let i = 0; i < w.min.length; i++) {
      const a = w.min[i]!;
      const b = w.max[i]!;
      if (!Number.isNaN(a) && a < lo) lo = a;
      if (!Number.isNaN(b) && b > hi) hi = b;
    }
  }
  const lines: string[] = [];
  if (lo === Infinity) {
    for (let r = 0; r < plotH; r++) lines.push(' '.repeat(Y_LABEL_WIDTH) + '│' + (r === 0 ? ' waiting for samples…' : ''));
  } else {
    if (hi === lo) {
      hi += Math.max(1, Math.abs(hi) * 0.01);
      lo -= Math.max(1, Math.abs(lo) * 0.01);
    }
    const pad = (hi - lo) * 0.05;
    const yMax = hi + pad;
    const yMin = lo - pad;
    const canvas = newCanvas(plotW, plotH);
    const series: BandSeries[] = input.windows.map((w, i) => ({
      min: w.min,
      max: w.max,
      color: SERIES_COLORS[i % SERIES_COLORS.length]!,
    }));
    paintBands(canvas, series, yMin, yMax);
    const rows = canvasLines(canvas, series.map((s) => s.color), input.color);
    rows.forEach((row, r) => {
      let label = '';
      if (r === 0) label = compactNumber(hi);
      else if (r === plotH - 1) label = compactNumber(lo);
      else if (plotH >= 5 && r === Math.floor((plotH - 1) / 2)) label = compactNumber((hi + lo) / 2);
      lines.push(label.padStart(Y_LABEL_WIDTH).slice(-Y_LABEL_WIDTH) + '│' + row);
    });
  }
  lines.push(' '.repeat(Y_LABEL_WIDTH) + '└' + timeAxis(input.spanS, plotW));
  return lines;
}

/** "-1m───────-30s──────now" style axis of `width` cells. */
export function timeAxis(spanS: number, width: number): string {
  const axis = new Array<string>(width).fill('─');
  const put = (pos: number, text: string): void => {
    const start = Math.max(0, Math.min(width - text.length, pos));
    for (let i = 0; i < text.length && start + i < width; i++) axis[start + i] = text[i]!;
  };
  put(0, `-${formatDuration(spanS)}`);
  if (width >= 30) put(Math.floor(width / 2) - 2, `-${formatDuration(spanS / 2)}`);
  put(width - 3, 'now');
  return axis.join('');
}
