// Where the installed heapscope package lives (its package.json), from src/ under vitest or from
// dist/src/ when built: the CLI reads its version there, the sim finds the bundled firmware and its
// compiled worker there.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeapscopeError } from './errors.js';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'heapscope') return (cached = dir);
    } catch {
      /* keep climbing */
    }
    dir = dirname(dir);
  }
  throw new HeapscopeError('heapscope package root not found (package.json named "heapscope"): reinstall heapscope');
}
