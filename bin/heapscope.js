#!/usr/bin/env node
// Entry point: the TypeScript is compiled to dist/ by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('heapscope: not built yet. Run `npm install` (or `npm run build`) in ' + root + '\n');
  process.exit(2);
}
await import(main);
