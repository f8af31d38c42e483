// Shared by the API tests: the bundled firmware, its initial values from the ELF, and running an
// example script the way a user would (`node examples/x.mjs`, which loads dist/: run `npm run build`).
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openElf } from '../../src/elf/elf.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const LEAK_ELF = join(ROOT, 'firmware/prebuilt/heapdemo-m0plus-leak.elf');

/** A global's bytes at reset, from the PT_LOAD segment that holds it (what .data/.rodata say). */
export function initialU32(elfPath: string, name: string): number {
  const elf = openElf(elfPath);
  const sym = elf.symbols().find((s) => s.name === name);
  if (!sym) throw new Error(`${name} not in ${elfPath}`);
  for (const seg of elf.segments) {
    if (seg.type === 1 && sym.value >= seg.vaddr && sym.value + 4 <= seg.vaddr + seg.filesz) {
      const b = seg.data();
      return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(sym.value - seg.vaddr, elf.littleEndian);
    }
  }
  throw new Error(`${name} is not in a loaded segment`);
}

export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runExample(name: string, args: string[] = [], timeoutMs = 40_000): Promise<ExampleRun> {
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'examples', name), ...args], { cwd: ROOT, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
