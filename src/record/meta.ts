// `<recording>.meta.json`: what makes a recording self-describing (which ELF, which watches at which
// addresses and rates, which probe, when, where). Written when a file starts and rewritten when it is
// closed (with end time, sample counts and gaps); written to a temp file then renamed, so a crash never
// leaves a half-written meta beside the data.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, platform, release } from 'node:os';
import { OutputError } from './errors.js';
import { errText } from './append-file.js';

/** 'stale': a counter the firmware only refreshes on request (newlib's mallinfo): recorded, but its
 * name must not make `report` judge it as used/free bytes. */
export type WatchRole = 'used' | 'free' | 'largest' | 'capacity' | 'minfree' | 'stale';

export interface MetaWatch {
  expr: string;
  address: number;
  typeName: string;
  rateHz: number;
  columns: string[];
  /** Width in bits of each column's value, where known (where a counter wraps around). */
  columnBits?: (number | null)[];
  label?: string;
  role?: WatchRole;
  /** Not a variable read at `address` (then 0) but computed by heapscope: `heap-walk` = found by
   * walking the allocator's free structures (the largest free block, or their total), at most
   * `rateHz` times a second, in the spare time between ticks; an empty cell = no walk in that row, or
   * a walk that kept seeing the firmware change the heap (never a guessed value). */
  derived?: { from: 'heap-walk'; allocator: string; quantity: 'largestFree' | 'totalFree' };
}

export interface RecordingMeta {
  heapscope: string;
  format: 'csv' | 'jsonl';
  elf: { path: string; sha256: string | null; buildId: string | null };
  probe: string;
  startedAt: string;
  watches: MetaWatch[];
  /** Distinct rates in this run, Hz. */
  rates: number[];
  host: { name: string; platform: string; release: string; node: string };
  targetClock?: { expr: string; column: string; hz?: number };
  /** Rotation: this file's index (1-based) and the run's first file. */
  segment?: { index: number; first: string };
  /** Filled when the file is closed. */
  endedAt?: string;
  samples?: number;
  gaps?: { t: number; wall: string; reason: string; downS?: number }[];
  /** Events the user marked (`m` in the dashboard), with seconds since start. */
  marks?: { t: number; wall: string; text: string }[];
  /** Seconds since start at this file's first row (rotated files continue the run's clock). */
  firstT?: number;
}

export function sha256File(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

export function hostInfo(): RecordingMeta['host'] {
  return { name: hostname(), platform: platform(), release: release(), node: process.version };
}

export function metaPathFor(recordingPath: string): string {
  return `${recordingPath}.meta.json`;
}

export function writeMeta(recordingPath: string, meta: RecordingMeta): void {
  const path = metaPathFor(recordingPath);
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(meta, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (err) {
    throw new OutputError(`cannot write ${path}: ${errText(err)}`, { cause: err });
  }
}

/** Bit width per column from a recording's meta (where a counter wraps); computed columns never wrap (0). */
export function columnBitsFromMeta(meta: Pick<RecordingMeta, 'watches'> | null | undefined): Map<string, number> {
  const bits = new Map<string, number>();
  for (const w of meta?.watches ?? [])
    w.columns.forEach((c, i) => {
      const b = w.derived ? 0 : w.columnBits?.[i];
      if (b !== null && b !== undefined) bits.set(c, b);
    });
  return bits;
}
