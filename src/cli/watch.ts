// `heapscope watch <elf> <expr>... --probe URL`: live charts, stats and drift verdicts.
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { openProbe } from '../probe/url.js';
import { defaultProbeFor } from './read.js';
import { requireTty, runLiveSession } from './live-session.js';
import { runReplay } from './replay.js';
import { heapCounters, walkHzArg, type HeapCounterSet } from './heap-counters.js';
import type { HeapRoles } from '../tui/live-source.js';
import { UsageError } from '../errors.js';
import { positiveNumber } from './arg-parsers.js';

interface WatchOptions {
  probe?: string;
  rate: number;
  raw?: boolean;
  allowHalt?: boolean;
  targetClock?: string;
  tickSeconds: number;
  used?: string;
  free?: string;
  largest?: string;
  capacity?: number;
  fps: number;
  record?: string;
  driftWindow?: number;
  timeout: number;
  from?: string;
  allocator?: string;
  walkHz: number;
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('live charts of globals with stats and a heap drift verdict (needs a terminal)')
    .argument('[elf]', 'firmware ELF with debug info (-g)')
    .argument('[expr...]', 'expressions: g_heap.used g_heap.free xFreeBytesRemaining ... (none: the detected heap allocator)')
    .option('--probe <url>', 'sim:[fw.elf] | openocd://host[:6666] | gdb://host:port | serial:/dev/ttyACM0 | qmp:/path.sock')
    .option('--rate <hz>', 'samples per second', positiveNumber, 50)
    .option('--raw', 'resolve names from the symbol table only (no DWARF needed)')
    .option('--allow-halt', 'allow a probe that halts the core to read (QEMU gdbstub, Black Magic Probe)')
    .option('--target-clock <expr>', "the firmware's own clock (e.g. g_ticks): the time axis follows it")
    .option('--tick-seconds <s>', 'seconds per tick of --target-clock', positiveNumber, 0.001)
    .option('--used <col>', 'column holding the heap bytes in use')
    .option('--free <col>', 'column holding the free heap bytes')
    .option('--largest <col>', 'column holding the largest free block')
    .option('--capacity <bytes>', 'heap size, for time to exhaustion from --used', positiveNumber)
    .option('--fps <n>', 'screen redraws per second', positiveNumber, 10)
    .option('--drift-window <s>', 'leak detector baseline window, seconds: a few saw-tooth periods (default 60)', positiveNumber)
    .option('--record <file>', 'also record every sample to FILE (CSV, or JSONL when it ends in .jsonl)')
    .option('--allocator <name>', 'with no expressions: use this allocator profile instead of detecting one')
    .option(
      '--walk-hz <n>',
      'with no expressions, when the allocator keeps no largest-free-block counter: walk its free list this often ' +
        'for a heap.largest_free column, between ticks (0 = off)',
      walkHzArg,
      1,
    )
    .option('--from <recording>', 'open a past recording (CSV/JSONL) instead of a probe')
    .option('--timeout <ms>', 'per-request probe timeout', positiveNumber, 3000)
    .action(async (elfPath: string | undefined, exprs: string[], opts: WatchOptions) => {
      if (opts.from) {
        requireTty('heapscope watch');
        const roles = {
          ...(opts.used ? { used: opts.used } : {}),
          ...(opts.free ? { free: opts.free } : {}),
          ...(opts.largest ? { largest: opts.largest } : {}),
        };
        // `watch --from x.csv` has no ELF: commander puts the recording in elfPath when given first.
        return runReplay(opts.from, roles, opts.fps);
      }
      if (!elfPath) throw new UsageError('name the firmware ELF: `heapscope watch fw.elf g_heap.used --probe URL`');
      let roles: Partial<HeapRoles> = {};
      let title = `watch ${basename(elfPath)}`;
      let auto: HeapCounterSet | null = null;
      if (exprs.length === 0) {
        // Zero configuration: the detected allocator's counters, and its used/free/largest roles
        // (largest from a walk between ticks when the allocator keeps no such counter).
        auto = await heapCounters(elfPath, opts.allocator, { walk: opts.walkHz > 0 });
        exprs = auto.exprs;
        roles = auto.roles;
        title = `watch ${basename(elfPath)} (${auto.allocator} heap)`;
      }
      requireTty('heapscope watch');
      const url = opts.probe ?? defaultProbeFor(elfPath);
      const abs = resolve(elfPath);
      await runLiveSession({
        elfPath,
        exprs,
        openReader: () => openProbe(url, { allowHalt: opts.allowHalt ?? false, timeoutMs: opts.timeout, elfPath: abs }),
        probeLabel: url.length > 40 ? url.slice(0, 37) + '…' : url,
        // An allocator with nothing but a walk (TLSF) ticks at the walk's rate.
        rateHz: auto?.exprs.length === 0 && auto.walk ? opts.walkHz : opts.rate,
        ...(opts.raw ? { raw: true } : {}),
        ...(opts.targetClock ? { targetClock: { expr: opts.targetClock, secondsPerTick: opts.tickSeconds } } : {}),
        roles: {
          ...roles,
          ...(opts.used ? { used: opts.used } : {}),
          ...(opts.free ? { free: opts.free } : {}),
          ...(opts.largest ? { largest: opts.largest } : {}),
          ...(opts.capacity ? { capacityBytes: opts.capacity } : {}),
        },
        title,
        ...(auto?.walk ? { walk: { plan: auto.walk, rateHz: opts.walkHz } } : {}),
        ...(auto?.stale.length ? { stale: auto.stale } : {}),
        fps: opts.fps,
        ...(opts.driftWindow ? { driftWindowS: opts.driftWindow } : {}),
        ...(opts.record ? { record: { path: opts.record, format: /\.jsonl$/i.test(opts.record) ? 'jsonl' : 'csv' } } : {}),
      });
    });
}
