// loadDebugInfo: the variables of a firmware ELF (globals, file-statics, function-statics) with their
// addresses and lazily built types.
//
// Speed comes from not looking: unit headers are scanned by length; in each compile unit only the
// top-level DIEs are visited (types and other subtrees are jumped over by DW_AT_sibling or by
// abbreviation-driven skipping); function bodies are walked with a tight loop that builds a Die only for
// DW_TAG_variable entries that have a location, to find function-static variables. Types are built
// when a caller first touches VariableInfo.type.
//
// C++: variables are named as gdb names them, qualified by their namespaces and classes
// (`app::inner::g_counter`, `app::Base::s_instances`, `app::Pool<64>::s_count`, `(anonymous namespace)::s`;
// scope-names.ts); function-statics keep their plain name and a qualified functionName (`app::tick`).
// In-class constants that were never defined outside the class are reported with address null, as gdb
// lists them.

import type { ElfFile } from '../elf.js';
import { DW_AT, DW_TAG as T, DW_UT } from './constants.js';
import { DwarfContext } from './context.js';
import type { Cursor } from './cursor.js';
import { Die, skipAttrs, skipToSibling, type DieRef } from './die.js';
import { readLineFiles, type LineFiles } from './line-files.js';
import { staticAddress } from './location.js';
import { HeapscopeError, UnsupportedDwarfError } from '../../errors.js';
import type { TypeInfo, VariableInfo, VariableScope } from './model.js';
import { lazy, TypeBuilder } from './types.js';
import type { Unit } from './unit.js';

export type { TypeInfo, VariableInfo } from './model.js';
export { typeName, byteSizeOf, stripQualifiers, isVolatile } from './type-name.js';

export interface DebugInfo {
  readonly unitCount: number;
  /** All globals, file-statics and function-statics (parsed on first call, then cached). */
  variables(): readonly VariableInfo[];
  /** By exact name as VariableInfo.name spells it (C++: qualified, `app::g_counter`) or by linkage
   * (mangled) name; every scope. A short C++ name does not find a qualified variable (as in gdb). */
  findVariables(name: string): VariableInfo[];
}

export function loadDebugInfo(elf: ElfFile): DebugInfo {
  return new DebugInfoImpl(new DwarfContext(elf));
}

class DebugInfoImpl implements DebugInfo {
  private vars: VariableInfo[] | undefined;
  private byName: Map<string, VariableInfo[]> | undefined;
  private readonly types: TypeBuilder;

  constructor(private readonly ctx: DwarfContext) {
    this.types = new TypeBuilder(ctx);
  }

  get unitCount(): number {
    return this.ctx.units.length;
  }

  variables(): readonly VariableInfo[] {
    this.vars ??= new VariableScanner(this.ctx, this.types).scan();
    return this.vars;
  }

  findVariables(name: string): VariableInfo[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const v of this.variables()) {
        for (const key of v.linkageName && v.linkageName !== v.name ? [v.name, v.linkageName] : [v.name]) {
          const list = this.byName.get(key);
          if (list) list.push(v);
          else this.byName.set(key, [v]);
        }
      }
    }
    return [...(this.byName.get(name) ?? [])];
  }
}

const dieKey = (d: Die): number => d.unit.sec * 2 ** 40 + d.offset;

class VariableScanner {
  private readonly out: VariableInfo[] = [];
  /** DIE key of each entry of `out` (same index). */
  private readonly outDie: number[] = [];
  private readonly seen = new Set<string>();
  /** DIEs another variable DIE completes (its specification / abstract origin). With LTO, gcc's early
   * debug info describes each variable once per source file without a location, and the link-time unit
   * holds the concrete DIE pointing back at it: the pair is one variable. */
  private readonly completed = new Set<number>();
  private readonly unitFiles = new Map<Unit, string | null>();
  private readonly lineTables = new Map<Unit, LineFiles | null>();

  constructor(
    private readonly ctx: DwarfContext,
    private readonly types: TypeBuilder,
  ) {}

  scan(): VariableInfo[] {
    let skeletons = 0;
    for (const u of this.ctx.units) {
      if (u.unitType === DW_UT.skeleton) skeletons++;
      if (u.unitType !== DW_UT.compile && u.unitType !== DW_UT.partial) continue;
      const root = this.ctx.dieAt(u, u.dieStart);
      if (!root || (root.tag !== T.compile_unit && root.tag !== T.partial_unit)) continue;
      const file = root.str(DW_AT.name) ?? null;
      this.unitFiles.set(u, file);
      this.scope(root, file);
    }
    if (this.out.length === 0 && skeletons > 0) {
      throw new UnsupportedDwarfError(
        `${this.ctx.elf.path} uses split DWARF (-gsplit-dwarf): its variables live in .dwo files, which heapscope ` +
          `does not read; rebuild without -gsplit-dwarf, or watch raw symbols with --raw`,
      );
    }
    return this.out.filter((v, i) => v.address !== null || !this.completed.has(this.outDie[i]));
  }

  /** The unit's file-name table (for DW_AT_decl_file), read on first use; null when unreadable:
   * a declaring file is a convenience, never worth failing a lookup for. */
  private lineFiles(u: Unit): LineFiles | null {
    if (this.lineTables.has(u)) return this.lineTables.get(u)!;
    let t: LineFiles | null = null;
    try {
      const root = this.ctx.dieAt(u, u.dieStart);
      const off = root?.uint(DW_AT.stmt_list);
      const line = this.ctx.elf.sectionData('.debug_line');
      if (off !== undefined && line) t = readLineFiles(line, this.ctx.le, off, this.ctx.str, this.ctx.lineStr);
    } catch (e) {
      if (!(e instanceof HeapscopeError)) throw e;
    }
    this.lineTables.set(u, t);
    return t;
  }

  /** Source file of the unit holding `d` (the CU's DW_AT_name). */
  private fileOf(u: Unit): string | null {
    let f = this.unitFiles.get(u);
    if (f === undefined) {
      const root = this.ctx.dieAt(u, u.dieStart);
      f = root && (root.tag === T.compile_unit || root.tag === T.partial_unit) ? (root.str(DW_AT.name) ?? null) : null;
      this.unitFiles.set(u, f);
    }
    return f;
  }

  /** Children of a CU or namespace: variables here are globals / file-statics. Types and other
   * subtrees are jumped over without building Die objects. */
  private scope(parent: Die, file: string | null): void {
    if (!parent.hasChildren) return;
    const u = parent.unit;
    const abbrevs = u.abbrevs!;
    const c: Cursor = this.ctx.cursor(u, parent.end());
    const skipChildren = (unit: Unit, off: number) => this.ctx.skipChildren(unit, off);
    for (;;) {
      const off = c.pos;
      const code = c.uleb();
      if (code === 0) return;
      const ab = abbrevs.get(code);
      if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, off);
      switch (ab.tag) {
        case T.variable: {
          const d = new Die(this.ctx, u, off, ab, c.pos);
          this.variable(d, file, null);
          c.pos = d.nextSibling();
          break;
        }
        case T.subprogram: {
          if (!ab.hasChildren) {
            skipAttrs(c, ab, u);
            break;
          }
          const d = new Die(this.ctx, u, off, ab, c.pos);
          c.pos = this.functionBody(u, d.end(), file, this.nameOf(d) ?? '?');
          break;
        }
        case T.namespace: {
          const d = new Die(this.ctx, u, off, ab, c.pos);
          this.scope(d, file);
          c.pos = d.nextSibling();
          break;
        }
        case T.structure_type:
        case T.class_type:
        case T.union_type: {
          if (!u.cxx || !ab.hasChildren) {
            skipToSibling(c, ab, u, skipChildren);
            break;
          }
          const d = new Die(this.ctx, u, off, ab, c.pos);
          this.classStatics(d, file, 0);
          c.pos = d.nextSibling();
          break;
        }
        default:
          skipToSibling(c, ab, u, skipChildren);
      }
    }
  }

  /** C++ `static const T x = 16;` members initialised in the class and never defined outside it: gdb lists
   * them as variables with a value and no address (DW_AT_const_value on the in-class declaration), so
   * heapscope does too, as optimized out. Members that are defined outside the class are found through
   * their definition (DW_AT_specification) and replace these. Nested classes are searched too. */
  private classStatics(cls: Die, file: string | null, depth: number): void {
    if (cls.flag(DW_AT.declaration) || depth > 16) return;
    for (const child of cls.children()) {
      const t = child.tag;
      if ((t === T.member || t === T.variable) && child.flag(DW_AT.declaration) && child.has(DW_AT.const_value)) {
        this.variable(child, file, null, true);
      } else if ((t === T.structure_type || t === T.class_type || t === T.union_type) && child.hasChildren) {
        this.classStatics(child, file, depth + 1);
      }
    }
  }

  /** Walks a function's subtree from its first child; returns the offset past it. Builds a Die only
   * for variables with a location and for nested subprograms (lambdas, local class methods). */
  private functionBody(u: Unit, start: number, file: string | null, fn: string): number {
    const c: Cursor = this.ctx.cursor(u, start);
    const abbrevs = u.abbrevs!;
    let depth = 1;
    while (depth > 0) {
      const off = c.pos;
      const code = c.uleb();
      if (code === 0) {
        depth--;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) c.fail(`abbreviation code ${code} not in the unit's table`, off);
      if (ab.tag === T.variable && ab.attrs.indexOf(DW_AT.location) >= 0) {
        const d = new Die(this.ctx, u, off, ab, c.pos);
        this.variable(d, file, fn);
        c.pos = d.end();
      } else if (ab.tag === T.subprogram && ab.hasChildren) {
        const d = new Die(this.ctx, u, off, ab, c.pos);
        c.pos = this.functionBody(u, d.end(), file, this.nameOf(d) ?? fn);
        continue;
      } else {
        skipAttrs(c, ab, u);
      }
      if (ab.hasChildren) depth++;
    }
    return c.pos;
  }

  private variable(d: Die, file: string | null, fn: string | null, constMember = false): void {
    const loc = d.block(DW_AT.location);
    const address = loc ? staticAddress(loc, d.unit, this.ctx) : null;
    if (fn !== null && address === null) return; // locals, registers, optimized-out autos: not ours
    // Where the name, type and linkage come from: this DIE, or the declaration / abstract instance it
    // completes (DW_AT_specification, DW_AT_abstract_origin), possibly through several hops.
    const chain: Die[] = [d];
    for (let cur = d, i = 0; i < 8; i++) {
      const next = cur.refOf(DW_AT.specification) ?? cur.refOf(DW_AT.abstract_origin);
      if (!next) break;
      cur = this.ctx.die(next);
      chain.push(cur);
      this.completed.add(dieKey(cur));
    }
    // The variable belongs to the source file of the DIE that declares it (LTO's concrete DIE sits in
    // an "<artificial>" unit, its abstract origin in the source file's unit).
    const origin = chain[chain.length - 1];
    if (origin.unit !== d.unit) file = this.fileOf(origin.unit) ?? file;
    const pick = <T>(get: (x: Die) => T | undefined): T | undefined => {
      for (const x of chain) {
        const v = get(x);
        if (v !== undefined) return v;
      }
      return undefined;
    };
    // An extern declaration is defined elsewhere; a class's in-class constant is not (see classStatics).
    if (loc === undefined && d.flag(DW_AT.declaration) && !constMember) return;
    const nameDie = chain.find((x) => x.has(DW_AT.name));
    const shortName = nameDie?.str(DW_AT.name);
    if (!nameDie || !shortName) return;
    // C++: qualified by the namespaces and classes around the declaration (`app::Base::s_instances`), as
    // gdb names it; function-statics keep their plain name (the function qualifies them).
    const name = fn === null ? this.types.scopes.prefixOf(nameDie) + shortName : shortName;
    // A variable with no location that is only a declaration elsewhere stays out; one with no location
    // and no declaration flag is a definition the compiler optimized away: reported with address null.
    if (loc === undefined && d.has(DW_AT.location)) return; // location list: not a static variable
    const external = chain.some((x) => x.flag(DW_AT.external));
    const scope: VariableScope = fn !== null ? 'function-static' : external ? 'global' : 'file-static';
    const key = `${name}\0${address ?? 'null:' + file + ':' + scope}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const linkageName = pick((x) => x.str(DW_AT.linkage_name) ?? x.str(DW_AT.MIPS_linkage_name));
    const declLine = pick((x) => x.uint(DW_AT.decl_line));
    const typeDie = chain.find((x) => x.has(DW_AT.type));
    const fileDie = chain.find((x) => x.has(DW_AT.decl_file));
    const v = { name, scope, file, address } as VariableInfo;
    if (linkageName && linkageName !== name) v.linkageName = linkageName;
    if (declLine !== undefined) v.declLine = declLine;
    if (fn !== null) v.functionName = fn;
    if (fileDie) {
      const index = fileDie.uint(DW_AT.decl_file) ?? 0;
      const unit = fileDie.unit;
      lazy(v, 'declFile', () => this.lineFiles(unit)?.name(index) ?? null);
    }
    const types = this.types;
    lazy(v, 'type', (): TypeInfo => (typeDie ? types.typeOf(typeDie) : { kind: 'void' }));
    this.out.push(v);
    this.outDie.push(dieKey(d));
  }

  /** A subprogram's name, following specification / abstract origin (out-of-line C++ methods, inlines);
   * qualified in C++ (`app::tick`, `drivers::Uart::poll`) without gdb's parameter list. */
  private nameOf(d: Die): string | undefined {
    for (let cur: Die | undefined = d, i = 0; cur && i < 8; i++) {
      const n = cur.str(DW_AT.name);
      if (n) return this.types.scopes.prefixOf(cur) + n;
      const next: DieRef | undefined = cur.refOf(DW_AT.specification) ?? cur.refOf(DW_AT.abstract_origin);
      cur = next ? this.ctx.die(next) : undefined;
    }
    return undefined;
  }
}
