// `readRecording(path)`: a heapscope CSV/JSONL recording (or MCUViewer / J-Scope CSV) as columns in
// memory, read in one streaming pass by src/record/reader.ts. For files larger than memory, stream
// them with scanRecording() (re-exported) or let analyseRecording() judge them in one pass.
import { UsageError } from '../errors.js';
import type { RecordingMeta } from '../record/meta.js';
import { scanRecording, type RecordingHeader } from '../record/reader.js';

export interface ReadRecordingOptions {
  /** Load only these value columns (default: all); unknown names throw UsageError listing the columns. */
  columns?: readonly string[];
}

export interface Recording {
  path: string;
  format: RecordingHeader['format'];
  /** The loaded value columns, in file order. */
  columns: string[];
  /** `<file>.meta.json` (ELF, probe, watches and roles, gaps, marks), null when absent or broken. */
  meta: RecordingMeta | null;
  /** Seconds, one per row. */
  t: Float64Array;
  /** Values per column, aligned with t; NaN = no value in that row (a gap, a null pointer). */
  values: Record<string, Float64Array>;
  /** t of gap and reconnect events. */
  gaps: number[];
}

/** A Float64Array that doubles as it fills: 8 bytes per cell, no boxed numbers. */
class Column {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export async function readRecording(path: string, opts: ReadRecordingOptions = {}): Promise<Recording> {
  let header: RecordingHeader | null = null;
  let picked: number[] = [];
  const time = new Column();
  let cols: Column[] = [];
  const scan = await scanRecording(
    path,
    (h) => {
      header = h;
      const missing = (opts.columns ?? []).filter((c) => !h.columns.includes(c));
      if (missing.length) throw new UsageError(`${path} has no column ${missing.join(', ')}: it has ${h.columns.join(', ')}`);
      picked = opts.columns ? h.columns.flatMap((c, i) => (opts.columns!.includes(c) ? [i] : [])) : h.columns.map((_, i) => i);
      cols = picked.map(() => new Column());
      return picked;
    },
    (t, row) => {
      time.push(t);
      picked.forEach((k, i) => cols[i]!.push(row[k]!));
    },
  );
  const h = header as RecordingHeader | null;
  if (!h) throw new UsageError(`${path}: no header row`);
  const names = picked.map((k) => h.columns[k]!);
  return {
    path,
    format: h.format,
    columns: names,
    meta: h.meta,
    t: time.done(),
    values: Object.fromEntries(names.map((n, i) => [n, cols[i]!.done()])),
    gaps: scan.gapEvents,
  };
}
