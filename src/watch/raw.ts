// `--raw` watches: the ELF symbol table only (no DWARF needed). A symbol gives an address and a size,
// nothing about its type, so a 1/2/4/8-byte object reads as an unsigned integer in the ELF's byte
// order and anything else as lowercase hex of its bytes.
import type { TypeInfo } from '../elf/dwarf/model.js';
import type { ElfSymbol } from '../elf/elf.js';
import { AmbiguousSymbolError, ExpressionError, UnknownSymbolError } from '../errors.js';
import { intReader } from './decode.js';
import type { ValueReader } from './decode.js';
import { buildWatch, fileMatches } from './resolve.js';
import type { WatchElf } from './resolve.js';
import { closeMatches } from './suggest.js';
import { demangleDataName } from './demangle.js';
import type { Watch } from './types.js';

/** A data symbol with the source file its STT_FILE entry names (locals only; globals have none). */
export interface RawSymbol {
  /** C++ symbols demangled (`app::g_counter`); others as in the table. */
  name: string;
  /** The symbol table's (mangled) name, when it differs from `name`. */
  linkageName?: string;
  address: number;
  size: number;
  binding: ElfSymbol['binding'];
  section: string | null;
  file: string | null;
}

const RAW_TYPE_NAMES: Record<number, string> = { 1: 'uint8_t', 2: 'uint16_t', 4: 'uint32_t', 8: 'uint64_t' };

/** Data objects of the symbol table, in table order. */
export function rawDataSymbols(elf: WatchElf): RawSymbol[] {
  const out: RawSymbol[] = [];
  let file: string | null = null;
  for (const s of elf.symbols()) {
    // In .symtab an STT_FILE entry precedes the local symbols of that file; globals follow all locals.
    if (s.type === 'file') {
      file = s.name || null;
      continue;
    }
    if (s.type !== 'object' && s.type !== 'tls') continue;
    if (s.sectionIndex === 0 || s.name === '') continue;
    const demangled = demangleDataName(s.name);
    out.push({
      name: demangled ?? s.name,
      ...(demangled ? { linkageName: s.name } : {}),
      address: s.value,
      size: s.size,
      binding: s.binding,
      section: s.sectionName,
      file: s.binding === 'local' ? file : null,
    });
  }
  return out;
}

/** The synthetic type of a raw watch: an unsigned integer, or opaque bytes (one hex column). */
function rawType(size: number): TypeInfo {
  const name = RAW_TYPE_NAMES[size];
  if (name) return { kind: 'base', name, byteSize: size, encoding: 'unsigned' };
  return { kind: 'unknown', tag: 'raw bytes', byteSize: size };
}

/** Resolve `name` or `file.c::name` through the symbol table only. */
export function resolveRawWatch(elf: WatchElf, expr: string): Watch {
  const text = expr.trim();
  const syms = rawDataSymbols(elf);
  const isNamed = (s: RawSymbol, n: string) => s.name === n || s.linkageName === n;
  // A C++ qualified name (`app::g_counter`) is the whole text; otherwise `file.c::name` is a file scope.
  const whole = text.replace(/^'(.*)'$/, '$1').replace(/^::/, '');
  const wholeMatch = syms.some((s) => isNamed(s, whole));
  const sep = wholeMatch ? -1 : text.lastIndexOf('::');
  const fileScope = sep >= 0 ? text.slice(0, sep).replace(/^'(.*)'$/, '$1') : null;
  const name = sep >= 0 ? text.slice(sep + 2) : whole;
  if (!wholeMatch && (name === '' || /\s|[[\]()*]|->/.test(name))) {
    throw new ExpressionError(
      `--raw takes a plain symbol name, not '${expr}': members, indexes and pointers need DWARF (drop --raw, build with -g)`,
    );
  }
  // In a file scope a name also finds that file's unnamed-namespace variable, as with DWARF (and gdb).
  const named = syms.filter(
    (s) => isNamed(s, name) || (fileScope !== null && s.name === `(anonymous namespace)::${name}`),
  );
  if (named.length === 0) {
    throw new UnknownSymbolError(
      name,
      closeMatches(
        name,
        syms.map((s) => s.name),
      ),
      'no data object of that name in the symbol table',
    );
  }
  const scoped = fileScope === null ? named : named.filter((s) => fileMatches(s.file, fileScope));
  if (scoped.length === 0) {
    throw new UnknownSymbolError(text, [], `'${name}' exists, but not in ${fileScope}`);
  }
  const unique = [...new Map(scoped.map((s) => [s.address, s])).values()];
  if (unique.length > 1) {
    const files = unique.map((s) => s.file);
    if (files.every((f) => f !== null) && new Set(files).size === files.length) {
      throw new AmbiguousSymbolError(text, unique.map((s) => `${s.file}::${name}`));
    }
    throw new ExpressionError(
      `'${text}' is ambiguous: the symbol table has ${unique.length} objects of that name ` +
        `(at ${unique.map((s) => '0x' + s.address.toString(16)).join(', ')}) and no file names to tell them apart; ` +
        'drop --raw and use the debug info (build with -g)',
    );
  }
  const sym = unique[0]!;
  if (sym.size === 0) {
    throw new ExpressionError(`symbol '${name}' has size 0 in the symbol table: nothing to read (try DWARF without --raw)`);
  }
  const le = elf.littleEndian;
  const type = rawType(sym.size);
  const scalar = RAW_TYPE_NAMES[sym.size] !== undefined;
  const read: ValueReader = scalar ? intReader(sym.size, false, le) : hexBytes(sym.size);
  return buildWatch({
    expr,
    address: sym.address,
    hops: [],
    byteSize: sym.size,
    type,
    typeName: scalar ? RAW_TYPE_NAMES[sym.size]! : `uint8_t [${sym.size}]`,
    littleEndian: le,
    read,
  });
}

function hexBytes(size: number): ValueReader {
  return (b, o) => {
    let s = '';
    for (let i = 0; i < size; i++) s += b[o + i]!.toString(16).padStart(2, '0');
    return s;
  };
}
