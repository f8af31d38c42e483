// `heapscope heap <elf> --probe URL`: "how is my heap right now". Detects the allocator from the ELF
// (symbols + DWARF types), reads its counters and walks its free list without halting the core.
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { openElf } from '../elf/elf.js';
import { UsageError } from '../errors.js';
import { formatHeapReport } from '../heap/format.js';
import { counterWatches, detectAllocator, heapContext, inspectHeap, notDetectedMessage, PROFILES } from '../heap/index.js';
import type { HeapReport } from '../heap/inspect.js';
import { formatStacks } from '../heap/format.js';
import {
  FREERTOS_STACK_FILL,
  freeRtosTaskStacks,
  hasFreeRtosTasks,
  hasZephyrThreads,
  parseFill,
  parseStackSpec,
  scanRegions,
  ZEPHYR_STACK_FILL,
  zephyrThreadStacks,
  type StackReport,
} from '../heap/stacks.js';
import type { HeapContext } from '../heap/types.js';
import type { MemoryReader } from '../probe/types.js';
import { openProbe } from '../probe/url.js';
import { writeJson } from './output.js';
import { defaultProbeFor } from './read.js';

interface HeapOptions {
  probe?: string;
  json?: boolean;
  watch?: boolean;
  interval: number;
  allocator?: string;
  listAllocators?: boolean;
  walk: boolean;
  allowHalt?: boolean;
  timeout: number;
  stack?: string[];
  fill?: string;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
}

export function register(program: Command): void {
  program
    .command('heap')
    .description('detect the heap allocator and show capacity, used, free, largest free block, fragmentation')
    .argument('[elf]', 'firmware ELF with debug info (-g)')
    .option('--probe <url>', 'sim:[fw.elf] | openocd://host[:6666] | gdb://host:port | serial:/dev/ttyACM0 | qmp:/path.sock')
    .option('--json', 'print the report as JSON')
    .option('--watch', 'refresh until Ctrl-C')
    .option('--interval <ms>', 'refresh period with --watch', positiveInt, 1000)
    .option('--allocator <name>', 'skip detection and use this profile (see --list-allocators)')
    .option('--list-allocators', 'list the allocator profiles and what each looks for')
    .option('--no-walk', 'read the counters only, do not walk the free list')
    .option('--stack <start..end>', 'scan a stack region for its high-water mark: symbols or addresses, e.g. _sstack.._estack (repeatable)', collect)
    .option('--fill <byte>', 'stack fill pattern (default 0xA5 as FreeRTOS; 0xAA for Zephyr threads)')
    .option('--allow-halt', 'allow a probe that halts the core to read (QEMU gdbstub, Black Magic Probe)')
    .option('--timeout <ms>', 'per-request probe timeout', positiveInt, 3000)
    .action(async (elfPath: string | undefined, opts: HeapOptions) => {
      if (opts.listAllocators) return listAllocators(opts.json ?? false);
      if (!elfPath) throw new UsageError('name the firmware ELF: `heapscope heap fw.elf --probe URL`');
      await runHeap(elfPath, opts);
    });
}

function listAllocators(json: boolean): void {
  if (json) return writeJson(PROFILES.map((p) => ({ name: p.name, title: p.title, looksFor: p.looksFor })));
  for (const p of PROFILES) process.stdout.write(`${p.name.padEnd(18)} ${p.title}\n${''.padEnd(18)} looks for: ${p.looksFor}\n`);
}

async function runHeap(elfPath: string, opts: HeapOptions): Promise<void> {
  const elf = openElf(elfPath);
  const { loadDebugInfo } = await import('../elf/dwarf/index.js');
  const ctx = heapContext(elf, loadDebugInfo(elf));
  const found = detectAllocator(ctx, opts.allocator);
  if (!found) throw new UsageError(notDetectedMessage(elfPath));
  const watches = counterWatches(ctx, found);
  // The RTOS's own pattern unless the user names one.
  const zephyr = !hasFreeRtosTasks(ctx) && hasZephyrThreads(ctx);
  const fill = opts.fill !== undefined ? parseFill(opts.fill) : zephyr ? ZEPHYR_STACK_FILL : FREERTOS_STACK_FILL;
  const regions = (opts.stack ?? []).map((spec) => ({ name: spec, region: parseStackSpec(ctx, spec) }));
  const url = opts.probe ?? defaultProbeFor(elfPath);
  const reader = await openProbe(url, { allowHalt: opts.allowHalt ?? false, timeoutMs: opts.timeout, elfPath: resolve(elfPath) });
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  try {
    for (let i = 0; !interrupted; i++) {
      const report = await inspectHeap(reader, ctx, found, { walk: opts.walk }, watches);
      const stacks = await readStacks(reader, ctx, regions, fill);
      print({ ...report, ...(stacks.length ? { stacks, stackFill: fill } : {}) }, reader.description, opts, i);
      if (!opts.watch) break;
      await new Promise((r) => setTimeout(r, opts.interval));
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    await reader.close().catch(() => undefined);
  }
  if (interrupted) process.exitCode = 130;
}

/** Regions the user named, else the FreeRTOS tasks' or Zephyr threads' stacks when the ELF has them. */
async function readStacks(reader: MemoryReader, ctx: HeapContext, regions: { name: string; region: { start: number; end: number } }[], fill: number): Promise<StackReport[]> {
  if (regions.length) return scanRegions(reader, regions, fill);
  if (hasFreeRtosTasks(ctx)) return freeRtosTaskStacks(reader, ctx, fill);
  return hasZephyrThreads(ctx) ? zephyrThreadStacks(reader, ctx, fill) : [];
}

type PrintedReport = HeapReport & { stacks?: StackReport[]; stackFill?: number };

function print(report: PrintedReport, probe: string, opts: HeapOptions, index: number): void {
  if (opts.json) {
    const body = { probe, at: new Date().toISOString(), ...report };
    if (opts.watch) process.stdout.write(JSON.stringify(body) + '\n');
    else writeJson(body);
    return;
  }
  if (opts.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
  else if (index > 0) process.stdout.write('\n');
  process.stdout.write(`probe           ${probe}\n` + formatHeapReport(report) + formatStacks(report.stacks ?? [], report.stackFill ?? FREERTOS_STACK_FILL));
}
