// `heapscope read <elf> <expr>...`: the quick "what is this value right now" check.
// Text output prints `expr = value` (structs and arrays pretty-printed over several lines).
// --json prints `[{"expr","address","value"}]`: address is a hex string ("0x20000100"; for `p->x` the
// address of p), 64-bit integers are decimal strings (JSON numbers lose precision above 2^53), all
// other numbers are numbers, a null pointer on the way gives value null. With --count N > 1 each
// sample is one compact JSON array per line.
import { basename, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { openElf } from '../elf/elf.js';
import { UsageError } from '../errors.js';
import { openProbe } from '../probe/url.js';
import type { MemoryReader } from '../probe/types.js';
import { readWatches } from '../sample/read-watches.js';
import type { Watch, WatchValue } from '../watch/types.js';
import { positiveInt, positiveNumber } from './arg-parsers.js';
import { resolveWatches } from './resolve-watches.js';

interface ReadOptions {
  probe?: string;
  json?: boolean;
  count: number;
  rate: number;
  raw?: boolean;
  allowHalt?: boolean;
  timeout: number;
}

export function register(program: Command): void {
  program
    .command('read')
    .description('read the current value of globals by name (structs pretty-printed)')
    .argument('<elf>', 'firmware ELF with debug info (-g)')
    .argument('<expr...>', "expressions: g_heap, g_heap.used, g_samples[3], 'file.c::s_count', p->x")
    .option('--probe <url>', 'sim:[fw.elf] | openocd://host[:6666] | gdb://host:port | serial:/dev/ttyACM0 | qmp:/path.sock | qmp://host:port')
    .option('--json', 'print [{"expr","address","value"}] (64-bit integers as strings)')
    .option('--count <n>', 'read this many times', positiveInt, 1)
    .option('--rate <hz>', 'reads per second with --count', positiveNumber, 1)
    .option('--raw', 'resolve plain symbol names from the symbol table only (no DWARF needed)')
    .option('--allow-halt', 'allow a probe that halts the core to read (QEMU gdbstub, Black Magic Probe)')
    .option('--timeout <ms>', 'per-request probe timeout', positiveInt, 3000)
    .action(async (elfPath: string, exprs: string[], opts: ReadOptions) => {
      await runRead(elfPath, exprs, opts);
    });
}

/** `sim:` for the bundled M0+ demo (firmware/prebuilt/...); everything else needs --probe. */
export function defaultProbeFor(elfPath: string): string {
  const abs = resolve(elfPath);
  const bundled = abs.includes(`${sep}firmware${sep}prebuilt${sep}`);
  if (bundled && /m0plus/.test(basename(abs))) return `sim:${abs}`;
  const hint = bundled
    ? `${basename(abs)} is a Cortex-M3 build for QEMU: run qemu-system-arm -M mps2-an385 -display none -kernel ${elfPath} -qmp unix:/tmp/qmp.sock,server=on,wait=off and pass --probe qmp:/tmp/qmp.sock`
    : 'pass --probe URL, e.g. --probe openocd://127.0.0.1:6666, --probe gdb://127.0.0.1:3333 or --probe qmp:/tmp/qmp.sock';
  throw new UsageError(`no probe given for ${elfPath}: ${hint}`);
}

async function runRead(elfPath: string, exprs: string[], opts: ReadOptions): Promise<void> {
  const elf = openElf(elfPath);
  const watches = await resolveWatches(elf, exprs, opts.raw ?? false);
  const url = opts.probe ?? defaultProbeFor(elfPath);
  const reader = await openProbe(url, { allowHalt: opts.allowHalt ?? false, timeoutMs: opts.timeout, elfPath: resolve(elfPath) });
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  try {
    const periodMs = 1000 / opts.rate;
    const start = performance.now();
    for (let i = 0; i < opts.count && !interrupted; i++) {
      // Absolute schedule: sample i is due at start + i*period, whatever the previous read cost.
      const wait = start + i * periodMs - performance.now();
      if (i > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (interrupted) break;
      const bytes = await readWatches(reader, watches);
      printSample(watches, bytes, opts, i);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    await closeQuietly(reader);
  }
  if (interrupted) process.exitCode = 130;
}

async function closeQuietly(reader: MemoryReader): Promise<void> {
  try {
    await reader.close();
  } catch {
    /* closing is best effort; the read result is already printed */
  }
}

function decodeOrNull(w: Watch, bytes: Uint8Array): WatchValue {
  return bytes.length === 0 ? null : w.decode(bytes);
}

function printSample(watches: readonly Watch[], bytes: readonly Uint8Array[], opts: ReadOptions, index: number): void {
  if (opts.json) {
    const rows = watches.map((w, i) => ({ expr: w.expr, address: hex(w.address), value: decodeOrNull(w, bytes[i]!) }));
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), opts.count > 1 ? undefined : 2);
    process.stdout.write(text + '\n');
    return;
  }
  if (opts.count > 1) process.stdout.write(`# sample ${index + 1}\n`);
  watches.forEach((w, i) => {
    const b = bytes[i]!;
    const shown = b.length === 0 ? '<null pointer>' : formatValue(w.decode(b), '');
    process.stdout.write(`${w.expr} = ${shown}\n`);
  });
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** gdb-like spelling: `{ used = 120, free = 16264 }`, one member per line when it does not fit. */
export function formatValue(v: WatchValue, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    const parts = v.map((x) => formatValue(x, inner));
    const flat = `{${parts.join(', ')}}`;
    return flat.length <= 80 && !flat.includes('\n') ? flat : `{\n${parts.map((p) => inner + p).join(',\n')}\n${indent}}`;
  }
  const parts = Object.entries(v).map(([k, x]) => `${k} = ${formatValue(x, inner)}`);
  const flat = `{${parts.join(', ')}}`;
  return flat.length <= 80 && !flat.includes('\n') ? flat : `{\n${parts.map((p) => inner + p).join(',\n')}\n${indent}}`;
}
