// Writes one recording: rows and events to CSV or JSONL, a meta file beside each file, rotation by
// size or time (numbered files, each self-describing), a flush at least once a second. On a write
// error the rows stay queued in memory (bounded) and are retried; close() reports exactly what reached
// the disk and, if some rows never did, copies them to a rescue file in the temp directory.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { OutputError } from './errors.js';
import type { Sample, SessionEvent } from '../sample/types.js';
import { AppendFile, errText } from './append-file.js';
import { lineFormat, isoWall, type LineFormat, type RecordingFormat } from './format.js';
import { writeMeta, type RecordingMeta } from './meta.js';
import type { RotatePolicy } from './units.js';

export interface RecorderOptions {
  path: string;
  format: RecordingFormat;
  columns: readonly string[];
  /** Everything except the per-file fields (segment, endedAt, samples, gaps, firstT). */
  meta: RecordingMeta;
  rotate?: RotatePolicy;
  /** Flush at least this often while rows arrive (default 1000 ms). */
  flushIntervalMs?: number;
  /** Bound of the in-memory queue while the disk refuses writes (default 64 MiB). */
  maxPendingBytes?: number;
  /** Replace existing files instead of refusing. */
  overwrite?: boolean;
  /** Told once per episode when writes start failing (and again when they recover). */
  onWriteTrouble?(message: string, recovered: boolean): void;
}

export interface RecordingResult {
  files: string[];
  samples: number;
  /** Rows (samples + gap rows) that reached the disk. */
  rowsWritten: number;
  bytesWritten: number;
  /** Rows that could not be written (0 on success) and where they went instead. */
  rowsUnsaved: number;
  rescuePath: string | null;
}

export class Recorder {
  private readonly fmt: LineFormat;
  private file: AppendFile | null = null;
  private segmentIndex = 0;
  private segmentStartT = 0;
  private segmentSamples = 0;
  private segmentGaps: NonNullable<RecordingMeta['gaps']> = [];
  private segmentMarks: NonNullable<RecordingMeta['marks']> = [];
  private readonly files: string[] = [];
  private samples = 0;
  private rows = 0;
  private bytesClosed = 0;
  private lastFlushWall = 0;
  private troubled = false;
  private readonly interval: NodeJS.Timeout | null;
  private closed = false;

  constructor(private readonly opts: RecorderOptions) {
    this.fmt = lineFormat(opts.format, opts.columns);
    this.openSegment(0);
    const every = opts.flushIntervalMs ?? 1000;
    // Rows may stop arriving (probe down): flush on a timer too, without keeping the process alive.
    this.interval = every > 0 ? setInterval(() => this.flush(), every) : null;
    this.interval?.unref();
  }

  get currentPath(): string {
    return this.file?.path ?? this.opts.path;
  }

  /** Bytes on disk plus queued, over all files. */
  get bytes(): number {
    return this.bytesClosed + (this.file?.size ?? 0);
  }

  get sampleCount(): number {
    return this.samples;
  }

  get fileList(): readonly string[] {
    return this.files;
  }

  writeSample(s: Sample): void {
    const line = this.fmt.sample(s);
    this.maybeRotate(s.t, line.length);
    this.file!.append(line);
    this.samples++;
    this.segmentSamples++;
    this.rows++;
    if (s.wallMs - this.lastFlushWall >= (this.opts.flushIntervalMs ?? 1000)) {
      this.lastFlushWall = s.wallMs;
      this.flush();
    }
  }

  writeEvent(e: SessionEvent): void {
    if (e.event === 'gap') this.segmentGaps.push({ t: e.t, wall: isoWall(e.wallMs), reason: e.reason });
    if (e.event === 'mark') {
      // CSV has no event rows: the mark goes into the meta file, written now so a crash keeps it.
      this.segmentMarks.push({ t: e.t, wall: isoWall(e.wallMs), text: e.text });
      this.writeSegmentMeta(false);
    }
    if (e.event === 'reconnect') {
      const last = this.segmentGaps[this.segmentGaps.length - 1];
      if (last && last.downS === undefined) last.downS = e.downS;
    }
    const line = this.fmt.event(e, this.opts.columns);
    if (!line) return;
    this.maybeRotate(e.t, line.length);
    this.file!.append(line);
    this.rows++;
  }

  /** Writes queued rows. Returns false while the disk refuses them (they stay queued). */
  flush(): boolean {
    if (!this.file) return true;
    const ok = this.file.flush();
    if (!ok && !this.troubled) {
      this.troubled = true;
      this.opts.onWriteTrouble?.(
        `cannot write ${this.file.path}: ${errText(this.file.lastError)}; keeping ${this.file.bytesPending} ` +
          `bytes in memory and retrying every second`,
        false,
      );
    } else if (ok && this.troubled) {
      this.troubled = false;
      this.opts.onWriteTrouble?.(`writing ${this.file.path} works again; nothing was lost`, true);
    }
    return ok;
  }

  /** Flushes and closes everything; throws RecordError (with what was saved) if rows were lost. */
  close(): RecordingResult {
    if (this.interval) clearInterval(this.interval);
    if (this.closed) return this.result(0, null);
    this.closed = true;
    const file = this.file!;
    let failure: unknown = null;
    try {
      file.close();
    } catch (err) {
      failure = err;
    }
    try {
      this.writeSegmentMeta(true);
    } catch (err) {
      failure ??= err;
    }
    this.bytesClosed += file.bytesWritten;
    if (!failure) return this.result(0, null);
    const pending = file.takePending();
    const rowsUnsaved = countLines(pending);
    let rescuePath: string | null = null;
    if (pending.length > 0) {
      const candidate = join(tmpdir(), `heapscope-unsaved-${process.pid}-${basename(file.path)}`);
      try {
        writeFileSync(candidate, this.fmt.header(this.opts.columns) + pending.toString('utf8'));
        rescuePath = candidate;
      } catch {
        rescuePath = null;
      }
    }
    const r = this.result(rowsUnsaved, rescuePath);
    const where =
      rowsUnsaved === 0
        ? ''
        : rescuePath
          ? `; the last ${rowsUnsaved} rows could not be written there and were saved to ${rescuePath}`
          : `; the last ${rowsUnsaved} rows could not be written anywhere and are lost`;
    throw new RecordingFailedError(
      `${(failure as Error).message}. Saved ${r.rowsWritten} rows (${r.bytesWritten} bytes) in ` +
        `${r.files.join(', ')}${where}`,
      r,
      failure,
    );
  }

  private result(rowsUnsaved: number, rescuePath: string | null): RecordingResult {
    return {
      files: [...this.files],
      samples: this.samples,
      rowsWritten: this.rows - rowsUnsaved,
      bytesWritten: this.bytesClosed,
      rowsUnsaved,
      rescuePath,
    };
  }

  private segmentPath(index: number): string {
    return segmentPath(this.opts.path, this.opts.rotate !== undefined, index);
  }

  private openSegment(startT: number): void {
    const path = this.segmentPath(this.segmentIndex);
    if (!this.opts.overwrite && existsSync(path)) {
      throw new OutputError(`${path} already exists: choose another --out, or pass --overwrite`);
    }
    if (this.opts.overwrite) writeFileSync(path, '');
    this.file = new AppendFile(path, { maxPendingBytes: this.opts.maxPendingBytes });
    this.files.push(path);
    this.segmentStartT = startT;
    this.segmentSamples = 0;
    this.segmentGaps = [];
    this.segmentMarks = [];
    this.writeSegmentMeta(false);
    this.file.append(this.fmt.header(this.opts.columns));
  }

  private writeSegmentMeta(final: boolean): void {
    const meta: RecordingMeta = { ...this.opts.meta, firstT: this.segmentStartT };
    if (this.opts.rotate) meta.segment = { index: this.segmentIndex + 1, first: basename(this.files[0]!) };
    if (this.segmentMarks.length) meta.marks = this.segmentMarks;
    if (final) {
      meta.endedAt = new Date().toISOString();
      meta.samples = this.segmentSamples;
      meta.gaps = this.segmentGaps;
    }
    writeMeta(this.file!.path, meta);
  }

  private maybeRotate(t: number, nextBytes: number): void {
    const r = this.opts.rotate;
    if (!r || !this.file || this.segmentSamples === 0) return;
    // Never rotate away from a file whose bytes are still queued behind a write error.
    if (this.file.lastError) return;
    const due =
      r.kind === 'size' ? this.file.size + nextBytes > r.bytes : t - this.segmentStartT >= r.seconds;
    if (!due) return;
    const old = this.file;
    old.close();
    this.writeSegmentMeta(true);
    this.bytesClosed += old.bytesWritten;
    this.segmentIndex++;
    this.openSegment(t);
  }
}

export class RecordingFailedError extends OutputError {
  constructor(
    message: string,
    readonly result: RecordingResult,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

function countLines(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n;
}

/** File i (0-based) of a recording: PATH itself, or PATH with a 4-digit number before its extension when rotating. */
export function segmentPath(path: string, rotating: boolean, index: number): string {
  if (!rotating) return path;
  const ext = extname(path);
  const n = String(index + 1).padStart(4, '0');
  return ext ? `${path.slice(0, -ext.length)}.${n}${ext}` : `${path}.${n}`;
}

/** Refuses early (before a probe is opened) to overwrite an existing recording. */
export function checkOutputFree(path: string, rotating: boolean, overwrite: boolean): void {
  const first = segmentPath(path, rotating, 0);
  if (!overwrite && existsSync(first)) {
    throw new OutputError(`${first} already exists: choose another --out, or pass --overwrite`);
  }
}
