// Reads recordings for `report` (and replay), one pass, streaming: a 24 h x 100 Hz x 8 column file
// never sits in memory. Accepted shapes:
//  - heapscope CSV: `t,wall,<col>...` (+ `<file>.meta.json` for roles); empty cell = gap;
//  - heapscope JSONL: {"t","wall","values":{...}} per sample, {"event":...} lines (gaps, marks);
//  - foreign CSV with a header row and a time column named `t`, `time`, `timestamp` or `Time`,
//    in seconds, or in ms / us when the header says so (`time [ms]`, `Time(us)`, `t_ms`): that is the
//    shape of MCUViewer's CSV export (a `time` column then one column per variable) and of J-Scope
//    exports saved as CSV with a time column; `,` `;` or tab separated. Non-numeric cells are gaps.
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { HeapscopeError } from '../errors.js';
import type { RecordingMeta } from './meta.js';

export class RecordingReadError extends HeapscopeError {}

export interface RecordingHeader {
  format: 'heapscope-csv' | 'heapscope-jsonl' | 'csv';
  /** value columns (time and wall-clock columns excluded) */
  columns: string[];
  meta: RecordingMeta | null;
  /** how the time column was read, for the human output */
  timeColumn: string;
}

export interface ScanSummary {
  rows: number;
  /** t of gap/reconnect events (JSONL) and meta gaps */
  gapEvents: number[];
  firstT: number | null;
  lastT: number | null;
}

/** Reads `<file>.meta.json` if present; a broken meta is ignored (the data is still readable). */
export function readMetaBeside(path: string): RecordingMeta | null {
  const p = `${path}.meta.json`;
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as RecordingMeta;
  } catch {
    return null;
  }
}

const TIME_NAMES = /^(t|time|timestamp|time_s|t_s|t_ms|t_us|time_ms|time_us)\s*(\[(s|ms|us|µs)\]|\((s|ms|us|µs)\))?$/i;

function timeScale(name: string): number {
  const n = name.toLowerCase();
  if (/(\[|\(|_)(us|µs)\]?\)?$/.test(n)) return 1e-6;
  if (/(\[|\(|_)ms\]?\)?$/.test(n)) return 1e-3;
  return 1;
}

/**
 * Streams `path`: calls onHeader once, then onRow(t, values) per sample with values in header column
 * order (NaN = no value). `values` is reused between calls: copy what you keep.
 */
export async function scanRecording(
  path: string,
  // May return the indices (into header.columns) it needs: a CSV then converts only those cells
  // (the others stay NaN), which is most of the cost on wide files.
  onHeader: (h: RecordingHeader) => number[] | void,
  onRow: (t: number, values: Float64Array) => void,
): Promise<ScanSummary> {
  if (!existsSync(path)) throw new RecordingReadError(`no such recording: ${path}`);
  const meta = readMetaBeside(path);
  const jsonl = /\.jsonl$/i.test(path) || meta?.format === 'jsonl' || sniffJsonl(path);
  return jsonl ? scanJsonl(path, meta, onHeader, onRow) : scanCsv(path, meta, onHeader, onRow);
}

function sniffJsonl(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    return readSync(fd, b, 0, 1, 0) === 1 && b[0] === 0x7b; // '{'
  } finally {
    closeSync(fd);
  }
}

async function eachLine(path: string, fn: (line: string) => void): Promise<void> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      fn(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length) fn(rest);
}

/** The first cells up to index `last` only (unquoted lines): skips the tail of wide rows. */
function splitPrefix(line: string, sep: string, last: number): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= last; i++) {
    const end = line.indexOf(sep, start);
    if (end === -1) {
      out.push(line.slice(start));
      break;
    }
    out.push(line.slice(start, end));
    start = end + 1;
  }
  return out;
}

function splitCsv(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

async function scanCsv(
  path: string,
  meta: RecordingMeta | null,
  onHeader: (h: RecordingHeader) => number[] | void,
  onRow: (t: number, values: Float64Array) => void,
): Promise<ScanSummary> {
  let wanted: Uint8Array | null = null;
  let lastWantedCell = Infinity;
  let sep = ',';
  let tIdx = -1;
  let scale = 1;
  let valueIdx: number[] = [];
  let values = new Float64Array(0);
  let header = false;
  const summary: ScanSummary = { rows: 0, gapEvents: (meta?.gaps ?? []).map((g) => g.t), firstT: null, lastT: null };
  await eachLine(path, (line) => {
    if (!header) {
      if (line.trim() === '' || line.startsWith('#')) return;
      sep = line.includes(',') ? ',' : line.includes(';') ? ';' : line.includes('\t') ? '\t' : ',';
      const names = splitCsv(line.replace(/^\uFEFF/, ''), sep).map((s) => s.trim());
      tIdx = names.findIndex((n) => TIME_NAMES.test(n));
      if (tIdx < 0)
        throw new RecordingReadError(
          `${path}: no time column in the header (${names.slice(0, 6).join(', ')}...): ` +
            'heapscope reads CSVs whose header has a `t` (or `time`) column in seconds',
        );
      scale = timeScale(names[tIdx]!);
      valueIdx = names.map((_, i) => i).filter((i) => i !== tIdx && !/^(wall|date|datetime|iso)$/i.test(names[i]!));
      values = new Float64Array(valueIdx.length);
      const isHeapscope = names[0] === 't' && names[1] === 'wall';
      const want = onHeader({
        format: isHeapscope ? 'heapscope-csv' : 'csv',
        columns: valueIdx.map((i) => names[i]!),
        meta,
        timeColumn: names[tIdx]!,
      });
      if (want) {
        wanted = new Uint8Array(valueIdx.length);
        for (const k of want) wanted[k] = 1;
        lastWantedCell = Math.max(tIdx, ...want.map((k) => valueIdx[k]!));
      }
      values.fill(NaN);
      header = true;
      return;
    }
    if (line.length === 0) return;
    const cells = wanted && !line.includes('"') ? splitPrefix(line, sep, lastWantedCell) : splitCsv(line, sep);
    const t = Number(cells[tIdx]) * scale;
    if (!Number.isFinite(t)) return;
    for (let k = 0; k < valueIdx.length; k++) {
      if (wanted && !wanted[k]) continue;
      const c = cells[valueIdx[k]!];
      values[k] = c === undefined || c === '' ? NaN : Number(c);
    }
    summary.rows++;
    summary.firstT ??= t;
    summary.lastT = t;
    onRow(t, values);
  });
  if (!header) throw new RecordingReadError(`${path}: empty file (no header row)`);
  return summary;
}

async function scanJsonl(
  path: string,
  meta: RecordingMeta | null,
  onHeader: (h: RecordingHeader) => void,
  onRow: (t: number, values: Float64Array) => void,
): Promise<ScanSummary> {
  // Columns come from the meta when there is one, else from the first samples (one cheap pre-pass).
  let columns = meta?.watches.flatMap((w) => w.columns) ?? [];
  if (columns.length === 0) {
    const seen = new Set<string>();
    let lines = 0;
    try {
      await eachLine(path, (line) => {
        if (++lines > 2000) throw new Error('enough');
        if (!line.startsWith('{')) return;
        const o = JSON.parse(line) as { values?: Record<string, unknown> };
        for (const k of Object.keys(o.values ?? {})) seen.add(k);
      });
    } catch (e) {
      if ((e as Error).message !== 'enough') throw new RecordingReadError(`${path}: not JSONL: ${(e as Error).message}`);
    }
    columns = [...seen];
  }
  const pos = new Map(columns.map((c, i) => [c, i]));
  const values = new Float64Array(columns.length);
  onHeader({ format: 'heapscope-jsonl', columns, meta, timeColumn: 't' });
  const summary: ScanSummary = { rows: 0, gapEvents: (meta?.gaps ?? []).map((g) => g.t), firstT: null, lastT: null };
  let lineNo = 0;
  await eachLine(path, (line) => {
    lineNo++;
    if (!line.trim()) return;
    let o: { t?: number; event?: string; values?: Record<string, unknown> };
    try {
      o = JSON.parse(line);
    } catch {
      throw new RecordingReadError(`${path}:${lineNo}: not a JSON line`);
    }
    if (o.event) {
      if ((o.event === 'gap' || o.event === 'reconnect') && typeof o.t === 'number') summary.gapEvents.push(o.t);
      return;
    }
    if (typeof o.t !== 'number') return;
    values.fill(NaN);
    for (const [k, v] of Object.entries(o.values ?? {})) {
      const i = pos.get(k);
      if (i !== undefined && v !== null && v !== '') values[i] = Number(v);
    }
    summary.rows++;
    summary.firstT ??= o.t;
    summary.lastT = o.t;
    onRow(o.t, values);
  });
  return summary;
}
