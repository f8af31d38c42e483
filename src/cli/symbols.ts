// `heapscope symbols <elf> [glob]`: the variables a user can watch, with address, size and type.
import type { Command } from 'commander';
import picomatch from 'picomatch';
import { rawDataSymbols } from '../watch/index.js';
import type { WatchDebugInfo } from '../watch/index.js';
import type { ElfFile } from '../elf/elf.js';
import { typeName as spellType } from '../elf/dwarf/type-name.js';
import { isVolatile, sizeOf } from '../watch/type-walk.js';
import { writeJson } from './output.js';
import { hex, openWatchSource } from './resolve.js';

export interface SymbolRow {
  name: string;
  /** null: optimized out (DWARF knows the variable but the compiler kept no address). */
  address: number | null;
  size: number | null;
  /** gdb `whatis` spelling; null with --raw (the symbol table has no types). */
  type: string | null;
  /** null with --raw. */
  volatile: boolean | null;
  file: string | null;
  /** DWARF: global | file-static | function-static; --raw: the ELF binding (global | local | weak). */
  scope: string;
  function?: string;
}

export function dwarfRows(debug: WatchDebugInfo): SymbolRow[] {
  return debug.variables().map((v) => ({
    name: v.name,
    address: v.address,
    size: sizeOf(v.type),
    type: spellType(v.type),
    volatile: isVolatile(v.type),
    file: v.file,
    scope: v.scope,
    ...(v.functionName ? { function: v.functionName } : {}),
  }));
}

export function rawRows(elf: ElfFile): SymbolRow[] {
  return rawDataSymbols(elf).map((s) => ({
    name: s.name,
    address: s.address,
    size: s.size,
    type: null,
    volatile: null,
    file: s.file,
    scope: s.binding,
  }));
}

/** The last component of a C++ qualified name (`app::Pool<64>::s_count` -> `s_count`). */
function shortName(name: string): string {
  let depth = 0;
  for (let i = name.length - 1; i > 0; i--) {
    const c = name[i]!;
    if (c === '>' || c === ')') depth++;
    else if (c === '<' || c === '(') depth--;
    else if (depth === 0 && c === ':' && name[i - 1] === ':') return name.slice(i + 1);
  }
  return name;
}

/** A glob matches the plain name or a qualified one: `heap.c::s_*`, `worker::*`, `app.c::worker::*`; C++
 * names by their qualified name (`app::*`, `app::Pool<64>::*`, `*::g_counter`) or their last component
 * (`g_count*` lists `app::g_counter` and `drivers::g_counter`). `::` and `<>` are no glob syntax; `(anonymous
 * namespace)` is taken literally. */
function filterRows(rows: SymbolRow[], glob: string | undefined): SymbolRow[] {
  if (!glob) return rows;
  // gdb's `(anonymous namespace)` is literal text, not a glob group.
  const isMatch = picomatch(glob.split('(anonymous namespace)').join('\\(anonymous namespace\\)'));
  return rows.filter((r) => {
    const file = r.file ? r.file.slice(r.file.replace(/\\/g, '/').lastIndexOf('/') + 1) : null;
    const forms = [r.name];
    const short = shortName(r.name);
    if (short !== r.name) forms.push(short);
    if (r.function) forms.push(`${r.function}::${r.name}`);
    if (file) forms.push(`${file}::${r.function ? r.function + '::' : ''}${r.name}`);
    return forms.some((f) => isMatch(f));
  });
}

function printTable(rows: readonly SymbolRow[]): void {
  const header = ['NAME', 'ADDRESS', 'SIZE', 'TYPE', 'VOLATILE', 'FILE', 'SCOPE'];
  const cells = rows.map((r) => [
    r.name,
    r.address === null ? '<optimized out>' : hex(r.address),
    r.size === null ? '?' : String(r.size),
    r.type ?? '-',
    r.volatile === null ? '-' : r.volatile ? 'yes' : 'no',
    r.file ?? '-',
    r.function ? `static in ${r.function}()` : r.scope,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write([line(header), ...cells.map(line)].join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('symbols')
    .description('list the global, file-static and function-static variables of a firmware ELF')
    .argument('<elf>', 'firmware ELF (with -g for types; see --raw)')
    .argument('[glob]', "only names matching this glob, e.g. 'g_heap*' or 'heap.c::*'")
    .option('--json', 'machine output: a JSON array of variables')
    .option('--raw', 'symbol table only (no DWARF needed; no types)')
    .action((elfPath: string, glob: string | undefined, opts: { json?: boolean; raw?: boolean }) => {
      const { elf, debug } = openWatchSource(elfPath, opts.raw === true);
      const rows = filterRows(debug ? dwarfRows(debug) : rawRows(elf), glob).sort(
        (a, b) => a.name.localeCompare(b.name) || (a.file ?? '').localeCompare(b.file ?? '') || (a.address ?? 0) - (b.address ?? 0),
      );
      if (opts.json) writeJson(rows);
      else if (rows.length === 0) {
        process.stdout.write(glob ? `no variables match '${glob}'\n` : 'no variables\n');
      } else printTable(rows);
    });
}
