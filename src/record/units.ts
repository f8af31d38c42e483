// Human units on the command line and in config files: durations ("24h", "1h30m", "500ms", "90" = s),
// sizes ("100MB", "64k") and rotation policies (a size or a duration).
import { UsageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/** Seconds. Accepts a number (seconds) or a string of number+unit parts. */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UsageError(`${what} must be a non-negative number of seconds, got ${input}`);
  }
  const s = input.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== s.length) {
    throw new UsageError(`bad ${what} '${input}': use e.g. 10s, 90m, 24h, 1h30m, 7d`);
  }
  return total;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** Bytes. "100MB" = 100e6, "64KiB" = 65536, a plain number = bytes. */
export function parseSize(input: string | number, what = 'size'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input > 0) return Math.floor(input);
    throw new UsageError(`${what} must be a positive number of bytes, got ${input}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  if (!m || SIZE_UNITS[unit] === undefined || Number(m[1]) <= 0) {
    throw new UsageError(`bad ${what} '${input}': use e.g. 100MB, 1GB, 512KiB`);
  }
  return Math.floor(Number(m[1]) * SIZE_UNITS[unit]!);
}

export type RotatePolicy = { kind: 'size'; bytes: number } | { kind: 'time'; seconds: number };

/** "100MB" rotates by size, "1h" by time. */
export function parseRotate(input: string): RotatePolicy {
  const s = input.trim();
  if (/^\d+(\.\d+)?\s*(ms|min|s|m|h|d)(\d|\s|ms|min|s|m|h|d|\.)*$/i.test(s) && !/b$/i.test(s)) {
    const seconds = parseDuration(s, '--rotate duration');
    if (seconds < 1) throw new UsageError(`--rotate ${input}: rotate at most once a second`);
    return { kind: 'time', seconds };
  }
  try {
    const bytes = parseSize(s, '--rotate size');
    if (bytes < 1024) throw new UsageError(`--rotate ${input}: files under 1 KB are not useful`);
    return { kind: 'size', bytes };
  } catch (err) {
    if (err instanceof UsageError && /files under/.test(err.message)) throw err;
    throw new UsageError(`bad --rotate '${input}': use a size (100MB, 1GB) or a duration (1h, 30m)`);
  }
}

export function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
