import { describe, expect, it } from 'vitest';
import { canvasLines, newCanvas, paintBands } from '../../src/tui/braille.js';
import { renderChart, timeAxis } from '../../src/tui/chart-render.js';
import { compactNumber, formatBytes, formatDuration, fit } from '../../src/tui/format.js';
import { computeLayout } from '../../src/tui/layout.js';
import { commonPrefix, gaugeBar } from '../../src/tui/panes.js';

const dots = (s: string): number => [...s].filter((c) => c >= '\u2801' && c <= '\u28ff').length;

describe('braille bands', () => {
  it('fills the whole span between min and max in a column, so a dense saw-tooth stays a band', () => {
    const c = newCanvas(1, 4); // 2 x 16 pixels
    paintBands(c, [{ min: [0, 0], max: [100, 100], color: 'yellow' }], 0, 100);
    const lines = canvasLines(c, ['yellow'], false);
    expect(lines).toEqual(['⣿', '⣿', '⣿', '⣿']);
  });

  it('leaves a gap (NaN bucket) empty instead of joining across it', () => {
    const c = newCanvas(3, 1);
    paintBands(c, [{ min: [5, 5, NaN, NaN, 5, 5], max: [5, 5, NaN, NaN, 5, 5], color: 'y' }], 0, 10);
    const [line] = canvasLines(c, ['y'], false);
    expect(line![1]).toBe(' ');
    expect(dots(line!)).toBe(2);
  });

  it('wraps coloured cells in blessed tags and omits them without colour', () => {
    const c = newCanvas(2, 1);
    paintBands(c, [{ min: [1, 1, 1, 1], max: [1, 1, 1, 1], color: 'cyan' }], 0, 2);
    expect(canvasLines(c, ['cyan'], true)[0]).toMatch(/^\{cyan-fg\}.+\{\/\}$/);
    expect(canvasLines(c, ['cyan'], false)[0]).not.toContain('{');
  });
});

describe('chart rendering', () => {
  it('labels the y axis with the data range and the x axis with the window', () => {
    const n = 40;
    const min = Float64Array.from({ length: n }, (_, i) => 1000 + i);
    const max = Float64Array.from({ length: n }, (_, i) => 3000 + i);
    const lines = renderChart({ windows: [{ min, max, mean: min }], spanS: 60, width: 28, height: 6, color: false });
    expect(lines).toHaveLength(6);
    expect(lines[0]).toContain('3039');
    expect(lines[4]).toContain('1000');
    expect(lines[5]).toContain('-1m00s');
    expect(lines[5]).toContain('now');
    for (const l of lines) expect([...l].length).toBe(28);
  });

  it('says it is waiting when the window holds no sample', () => {
    const empty = new Float64Array(10).fill(NaN);
    const lines = renderChart({ windows: [{ min: empty, max: empty, mean: empty }], spanS: 10, width: 30, height: 4, color: false });
    expect(lines.join('\n')).toContain('waiting for samples');
  });

  it('time axis fits its width exactly', () => {
    expect([...timeAxis(3600, 50)]).toHaveLength(50);
    expect(timeAxis(3600, 50)).toMatch(/^-1h00m.*-30m00s.*now$/);
  });
});

describe('layout', () => {
  it('fits 80x24 with every pane inside the screen and charts not overlapping', () => {
    for (const [w, h, n] of [
      [80, 24, 2],
      [100, 30, 3],
      [60, 20, 2],
      [200, 60, 8],
    ] as const) {
      const l = computeLayout(w, h, n);
      for (const r of [l.banner, l.status, l.stats, l.drift, ...l.charts]) {
        expect(r.left).toBeGreaterThanOrEqual(0);
        expect(r.top).toBeGreaterThanOrEqual(0);
        expect(r.left + r.width).toBeLessThanOrEqual(w);
        expect(r.top + r.height).toBeLessThanOrEqual(h);
      }
      expect(l.charts).toHaveLength(n);
      const cells = new Set<string>();
      for (const c of l.charts)
        for (let y = c.top; y < c.top + c.height; y++)
          for (let x = c.left; x < c.left + c.width; x++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
    }
  });
});

describe('formatting', () => {
  it('keeps numbers short', () => {
    expect(compactNumber(1234)).toBe('1234');
    expect(compactNumber(12345)).toBe('12.3k');
    expect(compactNumber(2_500_000)).toBe('2.50M');
    expect(compactNumber(null)).toBe('-');
  });
  it('formats bytes and durations', () => {
    expect(formatBytes(30720)).toBe('30.0 KiB');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h05m');
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe('2d04h');
  });
  it('fits text to a width', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdefgh', 5)).toBe('abcd…');
  });
  it('strips a shared struct prefix from signal names', () => {
    expect(commonPrefix(['g_heap.used', 'g_heap.free', 'g_heap.largest_free'])).toBe('g_heap.');
    expect(commonPrefix(['g_heap.used', 'g_ticks'])).toBe('');
  });
  it('draws the largest-free share as a bar', () => {
    expect(gaugeBar(0.5, 17)).toBe('[█████░░░░░]  50%');
    expect(gaugeBar(null, 11)).toContain('-');
  });
});

describe('status line', () => {
  const base = {
    probe: 'gdb://127.0.0.1:3333',
    connected: true,
    reconnects: 2,
    requestedHz: 100,
    achievedHz: 99.7,
    latenessP99Ms: 1.25,
    overruns: 3,
    recording: { path: '/very/long/path/to/soak.csv', bytes: 2048 },
    elapsedS: 3725,
    timeBase: 'host' as const,
  };
  it('shows probe, rates, lateness, reconnects, recording and elapsed time when it fits', async () => {
    const { renderStatusLine } = await import('../../src/tui/panes.js');
    const line = renderStatusLine(base, 200, false, 1);
    for (const part of ['gdb://127.0.0.1:3333', '100/100 Hz', 'late p99 1.3ms', 'reconnects 2', 'rec soak.csv 2.0 KiB', 'marks 1', 'up 1h02m', '? help'])
      expect(line).toContain(part);
  });
  it('drops the least important parts first on a narrow terminal, never the probe state', async () => {
    const { renderStatusLine } = await import('../../src/tui/panes.js');
    const line = renderStatusLine({ ...base, connected: false, outageS: 12 }, 60, false, 0);
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).toContain('PROBE LOST 12s, reconnecting');
    expect(line).toContain('100/100 Hz');
    expect(line).not.toContain('? help');
  });
});
