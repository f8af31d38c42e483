// The resolver against gdb on real ELFs: for every variable and member path of the corpus oracle
// (tests/fixtures/elf/corpus/*.oracle.json, written by gdb's Python API), `resolve` must give gdb's
// address, size, bit position and type spelling. Each test lists only the mismatches.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { openElf } from '../../src/elf/elf.js';
import { resolveWatch } from '../../src/watch/resolve.js';

const dir = 'tests/fixtures/elf/corpus';

interface OracleMember { path: string; offset: number; bitpos: number; bitsize: number; size: number; type: string }
interface OracleVariable {
  name: string; file: string; scope: string; function?: string; address: number | null;
  optimizedOut: boolean; sizeof: number; type: string; members: OracleMember[];
}
type Entry = Record<string, unknown> & { expr: string };

const elves = readdirSync(dir).filter((f) => f.endsWith('.elf'));

/** The expression a user types for this variable, qualified so that it is never ambiguous. */
function qualified(v: OracleVariable): string {
  return `'${v.file}'::` + (v.function ? `${v.function}::` : '') + v.name;
}

/** What heapscope should say where gdb says `want`: a flexible array member (gdb: sizeof 0, `T []`)
 * is not watchable as a whole; heapscope asks for an element instead. */
function expected(want: Entry): Entry {
  if (want.size === 0 && typeof want.type === 'string' && want.type.endsWith('[]')) {
    return { expr: want.expr, error: 'array of unknown size' };
  }
  return want;
}

function mismatches(debugPairs: Array<[Entry, Entry]>): Array<{ want: Entry; got: Entry }> {
  return debugPairs
    .map(([want, got]) => ({ want: expected(want), got }))
    .filter(({ want, got }) =>
      'error' in want
        ? !(typeof got.error === 'string' && got.error.includes(want.error as string))
        : JSON.stringify(Object.entries(want).sort()) !== JSON.stringify(Object.entries(got).sort()),
    );
}

describe.each(elves)('resolve on %s matches gdb', (elfName) => {
  const oracle = JSON.parse(readFileSync(join(dir, `${elfName}.oracle.json`), 'utf8')) as { variables: OracleVariable[] };
  const elf = openElf(join(dir, elfName));
  const debug = loadDebugInfo(elf);
  const live = oracle.variables.filter((v) => v.address !== null);
  const resolved = (expr: string): Entry => {
    try {
      const w = resolveWatch(debug, elf, expr);
      return {
        expr,
        address: w.address,
        size: w.byteSize,
        type: w.typeName,
        ...(w.bitSize !== undefined ? { bitOffset: w.bitOffset, bitSize: w.bitSize } : {}),
      };
    } catch (e) {
      return { expr, error: (e as Error).message };
    }
  };

  it('every variable: address, size and type', () => {
    const pairs = live.map((v): [Entry, Entry] => {
      const expr = qualified(v);
      return [{ expr, address: v.address, size: v.sizeof, type: v.type }, resolved(expr)];
    });
    expect(mismatches(pairs)).toEqual([]);
  });

  it('every member path: address, size, bit position and type', () => {
    const pairs: Array<[Entry, Entry]> = [];
    const baseSegment = /\.(<anon\d+>|[^.[]*::[^.[]*)(?=[.[]|$)/g;
    for (const v of live) {
      // A derived class's member hides a base member of the same name (gdb: `obj.x` is the derived
      // one): of the gdb paths that name the same expression, only the one through fewest bases counts.
      const depthOf = new Map<string, number>();
      for (const m of v.members) {
        const p = m.path.slice(v.name.length);
        const key = p.replace(baseSegment, '');
        const depth = (p.match(baseSegment) ?? []).length;
        depthOf.set(key, Math.min(depthOf.get(key) ?? Infinity, depth));
      }
      for (const m of v.members) {
        const tail = m.path.slice(v.name.length);
        if (((tail.match(baseSegment) ?? []).length) > depthOf.get(tail.replace(baseSegment, ''))!) continue;
        // gdb names anonymous members <anonN>; C (and heapscope) reach their fields directly. gdb names a
        // C++ base class field after its type (`.app::Base`: every base class in the corpus is in a
        // namespace); heapscope, like gdb's expressions, reaches base members directly (`g_derived.base_id`).
        if (/\.(<anon\d+>|[^.[]*::[^.[]*)$/.test(m.path.slice(v.name.length))) continue;
        const path = v.name + tail.replace(baseSegment, '');
        const expr = qualified(v) + path.slice(v.name.length);
        const bits = m.bitsize ? { bitOffset: m.bitpos % 8, bitSize: m.bitsize } : {};
        const size = m.bitsize ? Math.ceil(((m.bitpos % 8) + m.bitsize) / 8) : m.size;
        pairs.push([{ expr, address: v.address! + m.offset, size, type: m.type, ...bits }, resolved(expr)]);
      }
    }
    expect(mismatches(pairs)).toEqual([]);
  });

  it('optimized-out variables are reported as such, never given an address', () => {
    for (const v of oracle.variables.filter((x) => x.address === null)) {
      expect(() => resolveWatch(debug, elf, qualified(v))).toThrow(/optimized out/);
    }
  });
});
