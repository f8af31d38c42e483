// `heapscope demo`: the bundled example firmware on the built-in emulated target, in the live
// dashboard. No hardware, nothing outside npm: the README's first command.
import { InvalidArgumentError, type Command } from 'commander';
import { bundledFirmware, HEAP_PATTERNS, openSim, type HeapPattern } from '../probe/sim/index.js';
import { requireTty, runLiveSession } from './live-session.js';
import { positiveNumber } from './arg-parsers.js';

interface DemoOptions {
  pattern: HeapPattern;
  rate: number;
  speed: number;
  fps: number;
  record?: string;
  driftWindow?: number;
}

export const DEMO_WATCHES = ['g_heap.used', 'g_heap.free', 'g_heap.largest_free', 'g_heap.fragments'];

const DESCRIPTIONS: Record<HeapPattern, string> = {
  leak: 'saw-tooth with a slow leak',
  sawtooth: 'saw-tooth, no leak',
  fragmentation: 'fragmentation creep',
  warmup: 'warm-up, then a plateau',
};

function pattern(v: string): HeapPattern {
  if (!(HEAP_PATTERNS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`choose one of ${HEAP_PATTERNS.join(', ')}`);
  return v as HeapPattern;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('watch the bundled example firmware run on the built-in emulator (no hardware needed)')
    .option('--pattern <name>', `workload: ${HEAP_PATTERNS.join(' | ')}`, pattern, 'leak' as HeapPattern)
    .option('--rate <hz>', 'samples per second', positiveNumber, 50)
    .option('--speed <x>', 'firmware time per wall time (the emulator may run faster than real time)', positiveNumber, 4)
    .option('--drift-window <s>', 'leak detector baseline window, seconds: a few saw-tooth periods (default 60)', positiveNumber, 6)
    .option('--record <file>', 'also record every sample to FILE (CSV, or JSONL when it ends in .jsonl)')
    .option('--fps <n>', 'screen redraws per second', positiveNumber, 10)
    .action(async (opts: DemoOptions) => {
      requireTty('heapscope demo');
      const elfPath = bundledFirmware(opts.pattern, 'm0plus');
      await runLiveSession({
        elfPath,
        exprs: DEMO_WATCHES,
        openReader: () => openSim({ elfPath, speed: opts.speed }),
        probeLabel: 'sim: rp2040js',
        rateHz: opts.rate,
        targetClock: { expr: 'g_ticks', secondsPerTick: 0.001 },
        title: `demo: ${DESCRIPTIONS[opts.pattern]}`,
        banner: 'your board: watch fw.elf g_heap.used --probe openocd://host',
        fps: opts.fps,
        zoom: 2, // 10 min of firmware time: the climbing troughs, not just the last few cycles
        ...(opts.driftWindow ? { driftWindowS: opts.driftWindow } : {}),
        ...(opts.record ? { record: { path: opts.record, format: /\.jsonl$/i.test(opts.record) ? 'jsonl' : 'csv' } } : {}),
      });
    });
}
