// Line formats of a recording. Both are append-only text with one record per line, so a file cut by
// SIGKILL or power loss parses up to its last complete line.
import type { ColumnValue, Sample, SessionEvent } from '../sample/types.js';

export type RecordingFormat = 'csv' | 'jsonl';

export interface LineFormat {
  readonly name: RecordingFormat;
  readonly extension: string;
  /** First line(s) of every file (may be empty). */
  header(columns: readonly string[]): string;
  sample(s: Sample): string;
  /** CSV has no event lines: a gap becomes a row of empty cells; reconnect/mark go only to meta/JSONL. */
  event(e: SessionEvent, columns: readonly string[]): string;
}

export function isoWall(ms: number): string {
  return new Date(ms).toISOString();
}

/** t as seconds with microsecond resolution, without trailing zeros noise. */
export function formatT(t: number): string {
  return String(Math.round(t * 1e6) / 1e6);
}

function csvCell(v: ColumnValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? '1' : '0';
  return csvQuote(v);
}

export function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvFormat: LineFormat = {
  name: 'csv',
  extension: '.csv',
  header: (columns) => ['t', 'wall', ...columns].map(csvQuote).join(',') + '\n',
  sample(s) {
    let line = formatT(s.t) + ',' + isoWall(s.wallMs);
    for (const v of s.values) line += ',' + csvCell(v);
    return line + '\n';
  },
  event(e, columns) {
    if (e.event !== 'gap') return '';
    return formatT(e.t) + ',' + isoWall(e.wallMs) + ','.repeat(columns.length) + '\n';
  },
};

function jsonValue(v: ColumnValue): number | string | boolean | null {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** Factory because the JSONL sample line needs the column names. */
export function jsonlFormat(columns: readonly string[]): LineFormat {
  return {
    name: 'jsonl',
    extension: '.jsonl',
    header: () => '',
    sample(s) {
      const values: Record<string, number | string | boolean | null> = {};
      s.values.forEach((v, i) => {
        if (v !== undefined) values[columns[i]!] = jsonValue(v);
      });
      const o: Record<string, unknown> = { t: Math.round(s.t * 1e6) / 1e6, wall: isoWall(s.wallMs), values };
      if (s.target !== undefined) o.target = s.target;
      return JSON.stringify(o) + '\n';
    },
    event(e) {
      const { event, t, wallMs, ...rest } = e;
      return JSON.stringify({ event, t: Math.round(t * 1e6) / 1e6, wall: isoWall(wallMs), ...rest }) + '\n';
    },
  };
}

export function lineFormat(format: RecordingFormat, columns: readonly string[]): LineFormat {
  return format === 'csv' ? csvFormat : jsonlFormat(columns);
}
