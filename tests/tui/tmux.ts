// Drives the real CLI inside tmux, as a person would see it: fixed-size window, send-keys,
// capture-pane. Each session's final screen is saved under test-output/tui/ so that a failure shows
// what the user would have seen.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-output', 'tui');

// A UTF-8 locale for tmux and the program, whatever the CI environment has: braille and box drawing.
const UTF8_ENV = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-u', ...args], { encoding: 'utf8', env: UTF8_ENV });
}

export interface TmuxSession {
  name: string;
  stderrPath: string;
  capture(): string;
  keys(...keys: string[]): void;
  resize(width: number, height: number): void;
  /** True while the program (not the shell after it) still runs. */
  alive(): boolean;
  exitCode(): number | null;
  save(label: string): string;
  kill(): void;
}

let counter = 0;

/** Starts `node bin/heapscope.js <args>` in a detached tmux session of width x height. */
export function startCli(args: string[], width: number, height: number, env: Record<string, string> = {}): TmuxSession {
  mkdirSync(ARTIFACTS, { recursive: true });
  const name = `hs-test-${process.pid}-${++counter}`;
  const stderrPath = join(ARTIFACTS, `${name}.stderr`);
  const rcPath = join(ARTIFACTS, `${name}.rc`);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const envs = Object.entries({ TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  // The program's exit code goes to a file and the pane stays open so the restored screen can be read.
  const cmd = `cd '${ROOT}' && env ${envs} node bin/heapscope.js ${quoted} 2>'${stderrPath}'; echo $? > '${rcPath}'; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), cmd);
  return {
    name,
    stderrPath,
    capture: () => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys: string[]) => {
      tmux('send-keys', '-t', name, ...keys);
    },
    resize: (w: number, h: number) => {
      tmux('resize-window', '-t', name, '-x', String(w), '-y', String(h));
    },
    alive: () => !existsSync(rcPath),
    exitCode: () => (existsSync(rcPath) ? Number(readFileSync(rcPath, 'utf8').trim()) : null),
    save(label: string) {
      const screen = tmux('capture-pane', '-p', '-t', name);
      writeFileSync(join(ARTIFACTS, `${label}.txt`), screen);
      return screen;
    },
    kill: () => {
      try {
        tmux('kill-session', '-t', name);
      } catch {
        /* already gone */
      }
    },
  };
}

export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${describe()}`);
}
