// The metadata of one run, shared by `record` and `watch --record`: which ELF (path, SHA-256,
// build-id), which watches at which addresses, rates and roles, which probe, which host, when.
import type { ElfFile } from '../elf/elf.js';
import type { Watch } from '../watch/types.js';
import { hostInfo, sha256File, type MetaWatch, type RecordingMeta, type WatchRole } from './meta.js';

export interface RunWatch {
  watch: Watch;
  rateHz: number;
  label?: string;
  role?: WatchRole;
}

export function buildRunMeta(o: {
  version: string;
  format: 'csv' | 'jsonl';
  elf: ElfFile;
  elfPath: string;
  probe: string;
  watches: readonly RunWatch[];
  rates: number[];
  targetClock?: Watch;
  /** Ticks per second of the target clock, when known (--tick-hz). */
  tickHz?: number;
  roleOf?: (column: string) => WatchRole | undefined;
}): RecordingMeta {
  const watches: MetaWatch[] = o.watches.map((w) => {
    const cols = w.watch.columns().map((c) => c.name);
    const bits = w.watch.columns().map((c) => c.bits ?? null);
    const role = w.role ?? (cols.length === 1 && o.roleOf ? o.roleOf(cols[0]!) : undefined);
    return {
      expr: w.watch.expr,
      address: w.watch.address,
      typeName: w.watch.typeName,
      rateHz: w.rateHz,
      columns: cols,
      ...(bits.some((b) => b !== null) ? { columnBits: bits } : {}),
      ...(w.label ? { label: w.label } : {}),
      ...(role ? { role } : {}),
    };
  });
  return {
    heapscope: o.version,
    format: o.format,
    elf: { path: o.elfPath, sha256: sha256File(o.elfPath), buildId: o.elf.buildId() },
    probe: o.probe,
    startedAt: new Date().toISOString(),
    watches,
    rates: o.rates,
    host: hostInfo(),
    ...(o.targetClock
      ? { targetClock: { expr: o.targetClock.expr, column: o.targetClock.expr, ...(o.tickHz ? { hz: o.tickHz } : {}) } }
      : {}),
  };
}
