// `heapscope report <recording>`: leak / fragmentation verdicts on a recorded file, as text, JSON or a
// self-contained HTML page. `--fail-on leak` exits 10 on a leak: the CI soak gate.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { analyseRecording } from '../report/analyse.js';
import { renderHtml } from '../report/html.js';
import { reportJson, reportText } from '../report/text.js';
import { writeJson } from './output.js';
import { positiveNumber } from './arg-parsers.js';

export const LEAK_EXIT_CODE = 10;

function bytesArg(name: string) {
  return (v: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*([kKmM]i?[bB]?)?$/.exec(v.trim());
    if (!m) throw new UsageError(`${name} expects a byte count like 65536 or 64K, got '${v}'`);
    const mult = m[2] ? (/^[kK]/.test(m[2]) ? 1024 : 1024 * 1024) : 1;
    return Math.round(Number(m[1]) * mult);
  };
}

export function register(program: Command): void {
  program
    .command('report')
    .description('leak and fragmentation verdicts on a recording (heapscope CSV/JSONL, or any CSV with a `t` column in seconds)')
    .argument('<recording>', 'recording file (.csv or .jsonl; its .meta.json beside it is used when present)')
    .option('--used <col>', 'column with heap bytes in use')
    .option('--free <col>', 'column with free heap bytes')
    .option('--capacity <bytes>', 'heap size (for time to exhaustion from a used column)', bytesArg('--capacity'))
    .option('--largest <col>', 'column with the largest free block (fragmentation)')
    .option('--need <bytes>', 'forecast when the largest free block falls below this size', bytesArg('--need'))
    .option('--drift-window <s>', 'leak detector baseline window in seconds: a few saw-tooth periods (default 60)', positiveNumber)
    .option('--json', 'machine-readable output')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--fail-on <what>', "exit 10 when the verdict is 'leak'")
    .action(async (path: string, o: { used?: string; free?: string; capacity?: number; largest?: string; need?: number; driftWindow?: number; json?: boolean; html?: string; failOn?: string }) => {
      if (o.failOn !== undefined && o.failOn !== 'leak') throw new UsageError(`--fail-on accepts only 'leak', got '${o.failOn}'`);
      const data = await analyseRecording(path, o);
      if (o.html) {
        try {
          writeFileSync(o.html, await renderHtml(data));
        } catch (err) {
          throw new UsageError(`cannot write ${o.html}: ${(err as Error).message}`);
        }
      }
      if (o.json) writeJson(reportJson(data));
      else {
        process.stdout.write(reportText(data));
        if (o.html) process.stdout.write(`\nHTML report: ${o.html}\n`);
      }
      if (o.failOn === 'leak' && data.signals.some((s) => s.result.verdict === 'leak')) process.exitCode = LEAK_EXIT_CODE;
    });
}
