// Text of the stats table, the drift pane and the status line. Pure functions of the source's
// views, so they are tested without a terminal.
import { basename } from 'node:path';
import { compactNumber, fit, formatBytes, formatDuration } from './format.js';
import type { DashboardSource, DriftRow, FragmentationView, StatusView } from './model.js';

/** "g_heap." when every name starts with it (and the rest still tells them apart), else "". */
export function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('>'));
  return cut > 0 ? p.slice(0, cut + 1) : '';
}

export function renderStatsPane(source: DashboardSource, width: number, height: number, highlight: readonly number[]): string {
  const signals = source.signals();
  // Narrow panes drop the mean column first, so names stay readable.
  const cols = width >= 46 ? ['now', 'min', 'max', 'mean', '/h'] : ['now', 'min', 'max', '/h'];
  const prefix = commonPrefix(signals.map((s) => s.name));
  const nameW = Math.max(6, width - cols.length * 6);
  const head = fit(prefix || 'signal', nameW) + cols.map((c) => c.padStart(6)).join('');
  const lines = [`{bold}${fit(head, width)}{/bold}`];
  signals.forEach((s, i) => {
    if (lines.length >= height) return;
    const st = source.stats(i);
    const byCol: Record<string, number | null> = { now: st.current, min: st.min, max: st.max, mean: st.mean, '/h': st.ratePerHour };
    const cells = cols.map((c) => (' ' + compactNumber(byCol[c])).padStart(6).slice(-6));
    const shown = prefix && s.name.startsWith(prefix) ? ' ' + s.name.slice(prefix.length) : s.name;
    const line = fit(shown, nameW) + cells.join('');
    lines.push(highlight.includes(i) ? `{underline}${fit(line, width)}{/underline}` : fit(line, width));
  });
  if (lines.length < height && signals.length) {
    lines.push(fit(`samples ${compactNumber(source.stats(0).samples)}`, width));
  }
  return lines.join('\n');
}

/** "[██████░░░░] 61%": share of the free bytes that the largest free block holds. */
export function gaugeBar(fraction: number | null, width: number): string {
  const inner = Math.max(4, width - 7);
  if (fraction === null || !Number.isFinite(fraction)) return '[' + '?'.repeat(inner) + ']  -';
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * inner);
  return '[' + '█'.repeat(full) + '░'.repeat(inner - full) + '] ' + `${Math.round(f * 100)}%`.padStart(4);
}

function verdictText(row: DriftRow, color: boolean): string {
  const label = row.verdict === 'leak' ? 'LEAK' : row.verdict === 'no-leak' ? 'no leak' : 'undecided';
  if (!color) return label;
  const c = row.verdict === 'leak' ? 'red' : row.verdict === 'no-leak' ? 'green' : 'yellow';
  return `{${c}-fg}{bold}${label}{/bold}{/${c}-fg}`;
}

export function renderDriftPane(
  drift: { rows: readonly DriftRow[]; fragmentation: FragmentationView | null },
  width: number,
  color: boolean,
): string {
  const lines: string[] = [];
  if (drift.rows.length === 0) lines.push(fit('no heap signal to judge', width));
  for (const row of drift.rows) {
    lines.push(`${fit(row.signal, Math.max(4, width - 11))} ${verdictText(row, color)}`);
    if (row.verdict === 'leak') {
      const rate = row.rateBytesPerHour === null ? '-' : `${formatBytes(row.rateBytesPerHour)}/h`;
      const tte = row.timeToExhaustionHours === null ? '' : `  full in ${formatDuration(row.timeToExhaustionHours * 3600)}`;
      const line = `  +${rate}${tte}`;
      // How long the rise has been judged, when it fits whole (a cut "rising 4m…" says nothing).
      const since = row.risingForS ? `  rising ${formatDuration(row.risingForS)}` : '';
      lines.push(fit(line.length + since.length <= width ? line + since : line, width));
    } else {
      lines.push(fit(`  ${row.reason}`, width));
    }
  }
  const f = drift.fragmentation;
  if (f) {
    const idx = f.index === null ? '-' : f.index.toFixed(2);
    const v = f.verdict === 'creep' ? (color ? '{red-fg}creep{/red-fg}' : 'creep') : f.verdict;
    lines.push(fit(`fragmentation ${idx}: ${f.verdict}`, width).replace(f.verdict, v));
    lines.push(fit(`largest ${formatBytes(f.largest)} of ${formatBytes(f.free)} free`, width));
    const share = f.free && f.largest !== null ? f.largest / f.free : null;
    lines.push(gaugeBar(share, width));
  }
  return lines.join('\n');
}

export function renderStatusLine(status: StatusView | null, width: number, color: boolean, marks: number): string {
  if (!status) return fit(' recording replay: q quit, +/- zoom, ? help', width);
  // [text shown, text with tags, priority]: the lowest priorities go first when the line is too long.
  const parts: Array<[string, string, number]> = [];
  const add = (plain: string, priority: number, tagged = plain): void => void parts.push([plain, tagged, priority]);
  if (status.connected) add(`${status.probe}${status.targetState ? ` (${status.targetState})` : ''}`, 9);
  else {
    const lost = `PROBE LOST ${formatDuration(status.outageS ?? 0)}, reconnecting`;
    add(lost, 10, color ? `{white-fg}{red-bg}${lost}{/red-bg}{/white-fg}` : lost);
  }
  const achieved = status.achievedHz === null ? '-' : status.achievedHz.toFixed(status.achievedHz < 10 ? 1 : 0);
  add(`${achieved}/${status.requestedHz} Hz`, 8);
  if (status.latenessP99Ms !== null) add(`late p99 ${status.latenessP99Ms.toFixed(1)}ms`, 4);
  if (status.overruns) add(`overruns ${status.overruns}`, 3);
  if (status.reconnects) add(`reconnects ${status.reconnects}`, 7);
  if (status.recording) add(`rec ${basename(status.recording.path)} ${formatBytes(status.recording.bytes)}`, 6);
  if (marks) add(`marks ${marks}`, 5);
  add(`up ${formatDuration(status.elapsedS)}`, 4);
  if (status.timeBase === 'firmware') add('axis: fw clock', 2);
  add('? help', 1);
  const sep = ' │ ';
  const len = (ps: typeof parts): number => 1 + ps.reduce((n, p) => n + p[0].length, 0) + sep.length * Math.max(0, ps.length - 1);
  const kept = [...parts];
  while (kept.length > 1 && len(kept) > width) {
    let lowest = 0;
    kept.forEach((p, i) => {
      if (p[2] < kept[lowest]![2]) lowest = i;
    });
    kept.splice(lowest, 1);
  }
  return ' ' + kept.map((p) => p[1]).join(sep);
}
