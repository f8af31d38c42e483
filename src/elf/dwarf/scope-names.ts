// C++ qualified names: the `app::inner::` / `app::Pool<64>::` / `(anonymous namespace)::` prefix of a DIE,
// from the namespaces and classes that enclose it. DIEs keep no parent links (they are lazy views), and
// a C++ variable's name often sits far from its definition (gcc puts `DW_TAG_variable DW_AT_specification`
// at unit level, pointing at the declaration inside the namespace or class), so each C++ unit is walked
// once, on first need, recording the prefix of every DIE that is a direct child of a namespace or class.
// Only those container subtrees are entered; everything else is skipped by DW_AT_sibling. C units never
// pay for this: C has no scopes that qualify names, and gdb prints them unqualified.

import { DW_AT, DW_TAG as T } from './constants.js';
import type { DwarfContext } from './context.js';
import type { Cursor } from './cursor.js';
import { Die, skipToSibling } from './die.js';
import type { Unit } from './unit.js';

/** gdb's spelling of a namespace without a name (C++ `namespace { ... }`). */
export const ANONYMOUS_NAMESPACE = '(anonymous namespace)';

/** Tags whose children take the container's name as a prefix. */
export function isScopeTag(tag: number): boolean {
  return tag === T.namespace || tag === T.structure_type || tag === T.class_type || tag === T.union_type;
}

/** The name a container contributes to its children's qualified names; null for an unnamed struct or
 * union (its members are reached through the enclosing scope, like C's anonymous members). */
export function scopeComponent(d: Die): string | null {
  const name = d.str(DW_AT.name);
  if (name) return name;
  return d.tag === T.namespace ? ANONYMOUS_NAMESPACE : null;
}

/** Bounds the DW_AT_specification chain followed by prefixOf (corrupt DWARF could make it a cycle). */
let depthGuard = 0;

export class ScopeNames {
  /** Per unit: section offset of a DIE -> `a::b::` prefix (absent = no prefix). */
  private readonly byUnit = new Map<Unit, Map<number, string>>();

  constructor(private readonly ctx: DwarfContext) {}

  /** `app::inner::` for a DIE declared in `namespace app { namespace inner { ... } }`; '' at unit scope,
   * in a C unit, or inside a function. */
  prefixOf(d: Die): string {
    if (!d.unit.cxx) return '';
    let map = this.byUnit.get(d.unit);
    if (!map) map = this.walkUnit(d.unit);
    const p = map.get(d.offset);
    if (p !== undefined) return p;
    // A definition out of its scope (`class app::Pool<8> {...}` at unit level, as gcc writes type units
    // and out-of-line class definitions) takes the scope of the declaration it completes.
    const spec = d.refOf(DW_AT.specification);
    if (spec && depthGuard < 8) {
      depthGuard++;
      try {
        return this.prefixOf(this.ctx.die(spec));
      } finally {
        depthGuard--;
      }
    }
    return '';
  }

  /** `prefixOf(d)` + the DIE's own name; undefined when it has none. */
  qualifiedName(d: Die): string | undefined {
    const name = d.str(DW_AT.name);
    return name === undefined ? undefined : this.prefixOf(d) + name;
  }

  private walkUnit(u: Unit): Map<number, string> {
    const map = new Map<number, string>();
    // Registered before the walk: a scope defined out of line asks for its declaration's prefix mid-walk.
    this.byUnit.set(u, map);
    const root = this.ctx.dieAt(u, u.dieStart);
    if (root && root.hasChildren) this.walk(u, root.end(), '', map, 0);
    return map;
  }

  /** Records `prefix` for each child DIE from `start` to the end of the list, entering named scopes. */
  private walk(u: Unit, start: number, prefix: string, map: Map<number, string>, depth: number): number {
    const c: Cursor = this.ctx.cursor(u, start);
    const abbrevs = u.abbrevs!;
    const skipChildren = (unit: Unit, off: number) => this.ctx.skipChildren(unit, off);
    for (;;) {
      const off = c.pos;
      const code = c.uleb();
      if (code === 0) return c.pos;
      const ab = abbrevs.get(code);
      if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, off);
      if (prefix) map.set(off, prefix);
      if (ab.hasChildren && isScopeTag(ab.tag) && depth < 64) {
        const d = new Die(this.ctx, u, off, ab, c.pos);
        const part = scopeComponent(d);
        // An unnamed struct/union: its children belong to the enclosing scope. An out-of-line definition
        // (DW_AT_specification) is qualified like its declaration.
        const outer = d.has(DW_AT.specification) ? this.prefixOf(d) : prefix;
        const inner = part === null ? outer : `${outer}${part}::`;
        c.pos = this.walk(u, d.end(), inner, map, depth + 1);
      } else {
        skipToSibling(c, ab, u, skipChildren);
      }
    }
  }
}
