// The live dashboard: charts, stats, drift verdicts and a status line, drawn with blessed at a
// capped frame rate that is independent of the sample rate. Keys: q quit, space pause, +/- zoom,
// tab focus, r reset stats, m mark, ? help.
import blessed from 'blessed';
import { renderChart, SERIES_COLORS } from './chart-render.js';
import { computeLayout, type Rect } from './layout.js';
import type { DashboardSource } from './model.js';
import { renderDriftPane, renderStatsPane, renderStatusLine } from './panes.js';

export const ZOOM_LEVELS: readonly { label: string; seconds: number | null }[] = [
  { label: '10s', seconds: 10 },
  { label: '1m', seconds: 60 },
  { label: '10m', seconds: 600 },
  { label: '1h', seconds: 3600 },
  { label: '6h', seconds: 6 * 3600 },
  { label: 'all', seconds: null },
];

export interface DashboardOptions {
  fps?: number;
  /** Index into ZOOM_LEVELS to start at. */
  zoom?: number;
  color?: boolean;
  /** Called once after the user quit and the terminal is restored. */
  onQuit?: () => void;
}

export interface Dashboard {
  /** Resolves when the user quits. */
  closed: Promise<void>;
  close(): void;
}

interface ChartGroup {
  name: string;
  signals: number[];
}

export function groupSignals(source: DashboardSource): ChartGroup[] {
  const groups = new Map<string, number[]>();
  source.signals().forEach((s, i) => {
    const g = groups.get(s.group);
    if (g) g.push(i);
    else groups.set(s.group, [i]);
  });
  return [...groups.entries()].map(([name, signals]) => ({ name, signals }));
}

/** Chart title: the signal names in their series colours, as many as fit in `width` columns. */
export function legend(names: readonly string[], width: number, color: boolean): string {
  const sep = color ? ' ' : ' / ';
  let used = 0;
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const need = (parts.length ? sep.length : 0) + name.length;
    if (used + need > width) {
      parts.push(`+${names.length - i}`);
      break;
    }
    used += need;
    const c = SERIES_COLORS[i % SERIES_COLORS.length];
    parts.push(color ? `{${c}-fg}${name}{/}` : name);
  }
  return parts.join(sep);
}

export function openDashboard(source: DashboardSource, opts: DashboardOptions = {}): Dashboard {
  const color = opts.color ?? !process.env.NO_COLOR;
  const fps = Math.max(1, Math.min(30, opts.fps ?? 10));
  // blessed reads this when it builds the screen: use Unicode box drawing instead of the terminal's
  // ACS line mode, which prints 'qqqq' over ssh/tmux/screen when terminfo and locale disagree.
  if (process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    dockBorders: true,
    autoPadding: true,
    warnings: false,
    title: source.title,
  } as blessed.Widgets.IScreenOptions);

  let zoom = Math.max(0, Math.min(ZOOM_LEVELS.length - 1, opts.zoom ?? (source.live ? 1 : ZOOM_LEVELS.length - 1)));
  let paused = false;
  let focus = 0;
  let dirty = true;
  let marks = 0;
  const groups = groupSignals(source);
  const borderColor = color ? 'cyan' : undefined;

  const bannerBox = blessed.box({ tags: true, wrap: false, height: 1, style: color ? { fg: 'white', bg: 'blue' } : {} });
  const statusBox = blessed.box({ tags: true, wrap: false, height: 1 });
  const chartBoxes = groups.map(() =>
    blessed.box({ tags: true, wrap: false, border: { type: 'line' }, style: { border: { fg: borderColor } } }),
  );
  const statsBox = blessed.box({ tags: true, wrap: false, border: { type: 'line' }, label: ' stats ', style: { border: { fg: borderColor } } });
  const driftBox = blessed.box({ tags: true, wrap: false, border: { type: 'line' }, label: ' drift ', style: { border: { fg: borderColor } } });
  const helpBox = blessed.box({
    tags: true,
    hidden: true,
    top: 'center',
    left: 'center',
    width: 56,
    height: 14,
    border: { type: 'line' },
    label: ' help ',
    content: [
      '  q, Ctrl-C   quit (recording is flushed)',
      '  space       pause drawing (sampling goes on)',
      '  + / -       zoom: 10s 1m 10m 1h 6h all',
      '  tab         focus the next chart',
      '  r           reset the stats',
      '  m           mark an event (written to the recording)',
      '  ?           this help (any key closes it)',
      '',
      '  Bands show min..max per column: a saw-tooth stays',
      '  a band. Verdicts: see the drift pane.',
    ].join('\n'),
  });
  for (const el of [bannerBox, ...chartBoxes, statsBox, driftBox, statusBox, helpBox]) screen.append(el);

  const place = (el: blessed.Widgets.BoxElement, r: Rect): void => {
    el.left = r.left;
    el.top = r.top;
    el.width = r.width;
    el.height = r.height;
  };

  const draw = (): void => {
    const W = screen.width as number;
    const H = screen.height as number;
    const layout = computeLayout(W, H, groups.length);
    place(bannerBox, layout.banner);
    place(statusBox, layout.status);
    place(statsBox, layout.stats);
    place(driftBox, layout.drift);

    const [t0All, t1] = source.timeRange();
    const level = ZOOM_LEVELS[zoom]!;
    const span = level.seconds ?? Math.max(1, t1 - t0All);
    const from = t1 - span;
    const signals = source.signals();
    const zoomLabel = level.seconds === null ? 'whole run' : level.label;
    bannerBox.setContent(
      ` {bold}heapscope{/bold} ${source.title}  [${zoomLabel}]${paused ? '  {yellow-fg}PAUSED{/}' : ''}` +
        (source.banner ? `  ${source.banner}` : ''),
    );

    groups.forEach((g, gi) => {
      const box = chartBoxes[gi]!;
      place(box, layout.charts[gi]!);
      const innerW = Math.max(1, layout.charts[gi]!.width - 2);
      const innerH = Math.max(2, layout.charts[gi]!.height - 2);
      const plotW = Math.max(1, innerW - 8);
      const windows = g.signals.map((s) => source.window(s, from, t1, plotW * 2));
      box.setLabel(` ${gi === focus ? '▶ ' : ''}${legend(g.signals.map((s) => signals[s]!.name), innerW - 4, color)} `);
      box.style.border = { fg: gi === focus && color ? 'white' : borderColor } as never;
      box.setContent(renderChart({ windows, spanS: span, width: innerW, height: innerH, color }).join('\n'));
    });

    statsBox.setContent(renderStatsPane(source, layout.stats.width - 2, layout.stats.height - 2, focusSignals()));
    const drift = source.drift();
    driftBox.setContent(renderDriftPane(drift, layout.drift.width - 2, color));
    statusBox.setContent(renderStatusLine(source.status(), layout.status.width, color, marks));
    screen.render();
  };

  const focusSignals = (): number[] => groups[focus]?.signals ?? [];

  const timer = setInterval(() => {
    if (paused && !dirty) return;
    if (!paused || dirty) {
      dirty = false;
      draw();
    }
  }, Math.round(1000 / fps));

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let isClosed = false;
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    clearInterval(timer);
    screen.destroy();
    opts.onQuit?.();
    resolveClosed();
  };

  screen.key(['q', 'C-c'], close);
  screen.key(['space'], () => {
    paused = !paused;
    dirty = true;
  });
  screen.key(['+', '='], () => {
    zoom = Math.min(ZOOM_LEVELS.length - 1, zoom + 1);
    dirty = true;
  });
  screen.key(['-', '_'], () => {
    zoom = Math.max(0, zoom - 1);
    dirty = true;
  });
  screen.key(['tab'], () => {
    focus = (focus + 1) % Math.max(1, groups.length);
    dirty = true;
  });
  screen.key(['r'], () => {
    source.resetStats();
    dirty = true;
  });
  screen.key(['m'], () => {
    marks++;
    source.mark(`mark ${marks}`);
    dirty = true;
  });
  screen.key(['?'], () => {
    if (helpBox.hidden) helpBox.show();
    else helpBox.hide();
    dirty = true;
    draw();
  });
  // "any key closes it": other keys still do their job, the help just goes away.
  screen.on('keypress', (ch: string | undefined) => {
    if (ch !== '?' && !helpBox.hidden) {
      helpBox.hide();
      dirty = true;
    }
  });
  screen.on('resize', () => {
    dirty = true;
    draw();
  });
  draw();
  return { closed, close };
}
