// A file that is only appended to, through a bounded in-memory buffer. Writes are synchronous and
// small (one flush a second carries ~1 s of samples), which keeps ordering trivial and lets a write
// error surface at a known point. When the disk fails (ENOSPC, EIO) the unwritten bytes stay queued and
// the next flush retries; only when the queue passes its bound does the caller get a fatal RecordError,
// so nothing that was read is dropped silently.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { OutputError } from './errors.js';

export interface AppendFileOptions {
  /** Flush by itself once this many bytes are queued (default 64 KiB). */
  flushBytes?: number;
  /** Fatal when this many bytes are queued and the disk still refuses them (default 64 MiB). */
  maxPendingBytes?: number;
}

const BATCH = 256 * 1024;

export class AppendFile {
  private fd: number | null;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private written = 0;
  private readonly flushBytes: number;
  private readonly maxPending: number;
  /** The last write error while it persists (cleared once a flush succeeds). */
  lastError: NodeJS.ErrnoException | null = null;
  private lastAttemptMs = 0;

  constructor(
    readonly path: string,
    opts: AppendFileOptions = {},
  ) {
    this.flushBytes = opts.flushBytes ?? 64 * 1024;
    this.maxPending = opts.maxPendingBytes ?? 64 * 1024 * 1024;
    try {
      // 'a': never truncate what an earlier run wrote; 'wx' semantics are the caller's choice.
      this.fd = openSync(path, 'a');
    } catch (err) {
      throw new OutputError(`cannot open ${path} for writing: ${errText(err)}`, { cause: err });
    }
  }

  /** Bytes that reached the file. */
  get bytesWritten(): number {
    return this.written;
  }

  /** Bytes queued in memory, not yet on disk. */
  get bytesPending(): number {
    return this.pendingLen;
  }

  /** Size the file will have once everything queued is written. */
  get size(): number {
    return this.written + this.pendingLen;
  }

  append(text: string): void {
    if (text.length === 0) return;
    const b = Buffer.from(text, 'utf8');
    this.pending.push(b);
    this.pendingLen += b.length;
    if (this.pendingLen >= this.flushBytes && this.lastError === null) this.flush();
    if (this.pendingLen > this.maxPending) {
      throw new OutputError(
        `cannot write ${this.path}: ${errText(this.lastError)}; ${this.pendingLen} bytes are waiting in ` +
          `memory and the limit is ${this.maxPending}`,
        { cause: this.lastError },
      );
    }
  }

  /**
   * Writes what is queued. Returns false (and keeps the bytes) when the disk refuses them. While the
   * disk is refusing, retries at most once a second unless forced (close() forces).
   */
  flush(force = false): boolean {
    if (this.fd === null || this.pendingLen === 0) return this.lastError === null;
    const now = Date.now();
    if (this.lastError && !force && now - this.lastAttemptMs < 1000) return false;
    this.lastAttemptMs = now;
    // Batches of at most 256 KiB: a long backlog is not copied again on every retry.
    const batches: Buffer[] = [];
    let group: Buffer[] = [];
    let groupLen = 0;
    for (const b of this.pending) {
      if (groupLen > 0 && groupLen + b.length > BATCH) {
        batches.push(group.length === 1 ? group[0]! : Buffer.concat(group, groupLen));
        group = [];
        groupLen = 0;
      }
      group.push(b);
      groupLen += b.length;
    }
    if (groupLen > 0) batches.push(group.length === 1 ? group[0]! : Buffer.concat(group, groupLen));
    let i = 0;
    let off = 0;
    try {
      for (; i < batches.length; i++) {
        const buf = batches[i]!;
        off = 0;
        while (off < buf.length) {
          const n = writeSync(this.fd, buf, off, buf.length - off);
          off += n;
          this.written += n;
        }
      }
      this.lastError = null;
    } catch (err) {
      this.lastError = err as NodeJS.ErrnoException;
    }
    // A partial write (disk filled mid-buffer) keeps exactly the unwritten tail for the retry.
    const rest = i < batches.length ? [batches[i]!.subarray(off), ...batches.slice(i + 1)] : [];
    this.pending = rest.filter((b) => b.length > 0);
    this.pendingLen = this.pending.reduce((n, b) => n + b.length, 0);
    return this.lastError === null;
  }

  /** Flushes, fsyncs and closes. Throws RecordError if bytes could not be written. */
  close(): void {
    if (this.fd === null) return;
    const ok = this.flush(true);
    try {
      if (ok) fsyncSync(this.fd);
    } catch {
      /* fsync is best effort (not supported on every file system, e.g. /dev/full) */
    }
    closeSync(this.fd);
    this.fd = null;
    if (!ok) {
      throw new OutputError(
        `could not write the last ${this.pendingLen} bytes to ${this.path}: ${errText(this.lastError)}`,
        { cause: this.lastError },
      );
    }
  }

  /** The queued bytes, for a rescue copy elsewhere when the disk cannot take them. */
  takePending(): Buffer {
    const b = Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    return b;
  }
}

export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  if (!e) return 'unknown error';
  if (e.code === 'ENOSPC') return 'no space left on device (ENOSPC)';
  if (e.code === 'EDQUOT') return 'disk quota exceeded (EDQUOT)';
  if (e.code === 'EACCES' || e.code === 'EPERM') return `permission denied (${e.code})`;
  if (e.code === 'ENOENT') return 'directory does not exist (ENOENT)';
  return e.code ? `${e.message}` : String(e.message ?? e);
}
