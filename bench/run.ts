// `npm run bench`: runs every bench/<name>.ts module's run() in turn (or only those named on the
// command line). Each module prints ratios measured side by side in the same run, because these
// machines are noisy: absolute times are printed for context only.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.slice(0, -3))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

let failed = 0;
for (const name of names) {
  process.stdout.write(`\n=== bench: ${name} ===\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') {
      process.stdout.write(`(skipped: ${name} exports no run())\n`);
      continue;
    }
    await mod.run();
  } catch (err) {
    failed++;
    process.stdout.write(`bench ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
