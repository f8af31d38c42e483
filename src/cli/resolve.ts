// `heapscope resolve <elf> <expr>...`: what heapscope would read for each watch expression.
// One result per expression, in order; a failed expression fills its slot with the reason and the
// command exits 1 after printing everything (so a script sees every problem at once).
import type { Command } from 'commander';
import { loadDebugInfo } from '../elf/dwarf/index.js';
import { openElf } from '../elf/elf.js';
import type { ElfFile } from '../elf/elf.js';
import { HeapscopeError, NoDebugInfoError } from '../errors.js';
import { resolveRawWatch, resolveWatch } from '../watch/index.js';
import type { Watch, WatchDebugInfo } from '../watch/index.js';
import { writeJson } from './output.js';

/** The ELF and, unless `raw`, its debug info; a missing DWARF names the --raw way out. */
export function openWatchSource(path: string, raw: boolean): { elf: ElfFile; debug: WatchDebugInfo | null } {
  const elf = openElf(path);
  if (raw) return { elf, debug: null };
  try {
    return { elf, debug: loadDebugInfo(elf) };
  } catch (err) {
    if (err instanceof NoDebugInfoError && !err.message.includes('--raw')) {
      throw new NoDebugInfoError(`${err.message} (rebuild with -g; --raw uses the symbol table only)`, { cause: err });
    }
    throw err;
  }
}

export type ResolveResult =
  | {
      expr: string;
      address: number;
      byteSize: number;
      type: string;
      bitOffset?: number;
      bitSize?: number;
      /** Pointer hops of a dereferencing watch; `address` is then the first pointer's address. */
      hops?: { pointerSize: number; offset: number }[];
    }
  | { expr: string; error: string };

export function describeWatch(w: Watch): ResolveResult {
  return {
    expr: w.expr,
    address: w.address,
    byteSize: w.byteSize,
    type: w.typeName,
    ...(w.bitSize !== undefined ? { bitOffset: w.bitOffset ?? 0, bitSize: w.bitSize } : {}),
    ...(w.hops.length ? { hops: w.hops.map((h) => ({ pointerSize: h.pointerSize, offset: h.offset })) } : {}),
  };
}

export function resolveAll(elf: ElfFile, debug: WatchDebugInfo | null, exprs: readonly string[]): ResolveResult[] {
  return exprs.map((expr) => {
    try {
      return describeWatch(debug ? resolveWatch(debug, elf, expr) : resolveRawWatch(elf, expr));
    } catch (err) {
      // User-level problems go in the slot; anything else is a bug and ends the command with a stack.
      if (err instanceof HeapscopeError) return { expr, error: err.message };
      throw err;
    }
  });
}

export const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

function where(r: Extract<ResolveResult, { address: number }>): string {
  let s = hex(r.address);
  for (const h of r.hops ?? []) s = `*(${s})` + (h.offset ? ` + ${h.offset}` : '');
  return s;
}

function printHuman(results: readonly ResolveResult[]): void {
  const rows = results.map((r) =>
    'error' in r
      ? [r.expr, 'error', '', r.error]
      : [
          r.expr,
          where(r),
          `${r.byteSize}`,
          r.type + (r.bitSize !== undefined ? ` (bits ${r.bitOffset}..${r.bitOffset! + r.bitSize - 1})` : ''),
        ],
  );
  const header = ['EXPRESSION', 'ADDRESS', 'SIZE', 'TYPE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('resolve')
    .description('show the address, size and type heapscope reads for each watch expression')
    .argument('<elf>', 'firmware ELF with debug info (-g)')
    .argument('<expr...>', "watch expressions: g_heap.used, arr[3], p->x, 'heap.c'::s_count, func::counter")
    .option('--json', 'machine output: one JSON object per expression, in order')
    .option('--raw', 'symbol table only (no DWARF): plain symbol names')
    .action((elfPath: string, exprs: string[], opts: { json?: boolean; raw?: boolean }) => {
      const { elf, debug } = openWatchSource(elfPath, opts.raw === true);
      const results = resolveAll(elf, debug, exprs);
      if (opts.json) writeJson(results);
      else printHuman(results);
      const failed = results.filter((r) => 'error' in r);
      if (failed.length) {
        if (!opts.json) {
          for (const f of failed) process.stderr.write(`heapscope: ${(f as { error: string }).error}\n`);
        }
        process.exitCode = 1;
      }
    });
}
