// For tests/cli/{symbols,resolve}.test.ts: runs `node bin/heapscope.js ...` (build first:
// `npm run build`) asynchronously and memoised, so a test file can start all its invocations in
// beforeAll; on a loaded machine node start-up dominates, and two at a time keeps the files fast.
import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

const cache = new Map<string, Promise<CliResult>>();
// Two at a time: more only queue up for the same two cores and risk the timeout.
const MAX_PARALLEL = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function slot<T>(job: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export function heapscope(...args: string[]): Promise<CliResult> {
  const key = JSON.stringify(args);
  let p = cache.get(key);
  if (!p) {
    p = slot(
      () =>
        new Promise<CliResult>((resolve) => {
          execFile(process.execPath, ['bin/heapscope.js', ...args], { encoding: 'utf8', timeout: 120_000 }, (err, out, errOut) => {
            // A kill (timeout) has no numeric code: report it in `err` so the failing test says why.
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({ code, out, err: code === -1 ? `${errOut}\n(${err?.message})` : errOut });
          });
        }),
    );
    cache.set(key, p);
  }
  return p;
}

/** `print &expr` for each expression through gdb-multiarch: the oracle for addresses. */
export function gdbAddresses(elf: string, exprs: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'gdb-multiarch',
      ['-batch', '-nx', elf, ...exprs.flatMap((e) => ['-ex', `print/x (unsigned long)&${e}`])],
      { encoding: 'utf8', timeout: 60_000 },
      (err, out) => {
        if (err) reject(err);
        else resolve([...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => Number(m[1])));
      },
    );
  });
}
