// Just enough of the Itanium C++ ABI demangler for data symbols, so `--raw` (symbol table only) can name
// C++ variables the way DWARF and gdb do: `_ZN3app9g_counterE` -> `app::g_counter`,
// `_ZN12_GLOBAL__N_17s_countE` -> `(anonymous namespace)::s_count`, `_ZL7s_state` -> `s_state`.
// Templates, substitutions, function-local statics and anything else return null: the mangled name is
// then kept as it is (still watchable by that name), never guessed at.

const ANONYMOUS_NAMESPACE = '(anonymous namespace)';

/** The qualified name of a mangled C++ data symbol, or null when it is not one this reader handles. */
export function demangleDataName(mangled: string): string | null {
  if (!mangled.startsWith('_Z')) return null;
  let i = 2;
  const parts: string[] = [];
  const sourceName = (): boolean => {
    if (mangled[i] === 'L') i++; // internal linkage (a `static` at namespace scope)
    const m = /^[1-9][0-9]*/.exec(mangled.slice(i));
    if (!m) return false;
    const len = Number(m[0]);
    i += m[0].length;
    if (i + len > mangled.length) return false;
    const id = mangled.slice(i, i + len);
    i += len;
    parts.push(id.startsWith('_GLOBAL__N') ? ANONYMOUS_NAMESPACE : id);
    return true;
  };
  if (mangled[i] === 'N') {
    i++;
    while (i < mangled.length && mangled[i] !== 'E') if (!sourceName()) return null;
    if (mangled[i] !== 'E' || i + 1 !== mangled.length || parts.length === 0) return null;
  } else if (!sourceName() || i !== mangled.length) {
    return null;
  }
  return parts.join('::');
}
