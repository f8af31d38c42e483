// Allocators whose statistics sit in one struct variable (Mbed OS, lwIP, Zephyr runtime stats, ThreadX
// byte pools): a profile is "find the variable, map members to roles". Members missing from the
// build's DWARF (config options) are simply not watched.
import type { TypeInfo, VariableInfo } from '../../elf/dwarf/model.js';
import { aggregateOf, describeType, memberAt } from '../dwarf-layout.js';
import type { AllocatorProfile, CounterPlan, CounterRole, Detection, HeapContext } from '../types.js';

export interface StructCounterSpec {
  name: string;
  title: string;
  looksFor: string;
  /** The expression prefix that reaches the stats ("lwip_stats.mem", "h.heap.heap->") and the type
   * found there (members are looked up in it). */
  find(ctx: HeapContext): { prefix: string; statsType: TypeInfo; why: string[] } | null;
  /** role -> member path below the prefix; the first path present wins. */
  members: ReadonlyArray<[CounterRole, string]>;
  notes?: string[];
}

export function structCounterProfile(spec: StructCounterSpec): AllocatorProfile {
  return {
    name: spec.name,
    title: spec.title,
    looksFor: spec.looksFor,
    detect(ctx: HeapContext): Detection | null {
      const f = spec.find(ctx);
      return f ? { profile: spec.name, why: f.why } : null;
    },
    counters(ctx: HeapContext): CounterPlan {
      const f = spec.find(ctx);
      if (!f) return { counters: [], notes: [`${spec.looksFor} not found`] };
      const seen = new Set<CounterRole>();
      const counters = [];
      for (const [role, m] of spec.members) {
        if (seen.has(role) || !memberAt(f.statsType, m)) continue;
        seen.add(role);
        counters.push({ role, expr: joinPath(f.prefix, m) });
      }
      return { counters, notes: spec.notes ?? [] };
    },
  };
}

/** "a.b" + "c" -> "a.b.c"; "a.p->" + "c" -> "a.p->c". */
export function joinPath(prefix: string, member: string): string {
  return prefix.endsWith('->') ? prefix + member : `${prefix}.${member}`;
}

/** Globals first, then statics, whose type is a struct named one of `names` (through typedefs). */
export function variablesOfStruct(ctx: HeapContext, names: readonly string[]): VariableInfo[] {
  const out = ctx.debug.variables().filter((v) => {
    if (v.address === null) return false;
    const agg = aggregateOf(v.type);
    return agg !== null && agg.name !== null && names.includes(agg.name);
  });
  return [...out.filter((v) => v.scope === 'global'), ...out.filter((v) => v.scope !== 'global')];
}

export function whyVar(v: VariableInfo): string {
  return `${v.name}: ${describeType(v.type)}`;
}
