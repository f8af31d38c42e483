// Corrupt debug sections: seeded random byte changes inside .debug_info/.debug_abbrev/.debug_line/
// .debug_str_offsets/.debug_addr, then every variable, its type graph (members, targets, elements) and
// declaring file are read. Each run must end with a value or a HeapscopeError: never a TypeError,
// RangeError or stack overflow, never a hang.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/elf.js';
import { byteSizeOf, loadDebugInfo, typeName } from '../../src/elf/dwarf/index.js';
import type { TypeInfo } from '../../src/elf/dwarf/model.js';
import { HeapscopeError } from '../../src/errors.js';

const ELFS = ['arm-gcc-dwarf2-O0.elf', 'arm-gcc-dwarf5-be.elf', 'clang-thumb-dwarf5.elf', 'x86_64-gcc-dwarf4-types.elf'];
const SECTIONS = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_str_offsets', '.debug_addr', '.debug_types'];
const RUNS = 60;

function walk(t: TypeInfo, depth: number, seen: Set<TypeInfo>): void {
  if (depth > 6 || seen.has(t)) return;
  seen.add(t);
  typeName(t);
  byteSizeOf(t);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') for (const m of t.members) walk(m.type, depth + 1, seen);
  else if (t.kind === 'pointer' || t.kind === 'typedef' || t.kind === 'qualified') walk(t.target, depth + 1, seen);
  else if (t.kind === 'array') walk(t.element, depth + 1, seen);
  else if (t.kind === 'enum') void t.enumerators.length;
}

describe.each(ELFS)('%s with corrupt debug sections', (name) => {
  it(`gives a value or a typed error in ${RUNS} seeded mutations`, () => {
    const orig = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/elf-unit', name)));
    const elf0 = parseElf(orig);
    const targets = SECTIONS.map((n) => elf0.section(n)).filter((s) => s !== undefined && s.size > 0);
    let seed = 0x5eed + name.length;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const untyped: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const bytes = orig.slice();
      const s = targets[Math.floor(rnd() * targets.length)]!;
      for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) bytes[s.offset + Math.floor(rnd() * s.size)] = Math.floor(rnd() * 256);
      try {
        for (const v of loadDebugInfo(parseElf(bytes, name)).variables()) {
          walk(v.type, 0, new Set());
          void v.declFile;
        }
      } catch (e) {
        if (!(e instanceof HeapscopeError)) untyped.push(`${s.name} #${i}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    expect(untyped).toEqual([]);
  });
});
