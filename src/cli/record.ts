// `heapscope record <elf> <expr>... --probe URL`: headless sampling for long runs (soak tests, lab
// loggers). Wires config + flags -> watches -> Sampler (scheduler, reconnects) -> Recorder (CSV/JSONL,
// meta, rotation) + optional Prometheus endpoint + optional leak verdict, and ends with a summary and an
// exit code a CI job can gate on.
import { resolve as resolvePath } from 'node:path';
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import type { LeakDetector, LeakResult } from '../drift/types.js';
import type { TypeInfo } from '../elf/dwarf/model.js';
import { openElf, type ElfFile } from '../elf/elf.js';
import { HeapscopeError, UsageError } from '../errors.js';
import { parseListenAddress, startMetricsServer, type MetricsServer } from '../export/prometheus.js';
import { openProbe } from '../probe/url.js';
import { checkOutputFree, Recorder, type RecordingResult } from '../record/recorder.js';
import type { WatchRole } from '../record/meta.js';
import { buildRunMeta } from '../record/run-meta.js';
import { formatBytes, formatDuration, parseDuration, parseRotate, type RotatePolicy } from '../record/units.js';
import { Sampler, type SampledWatch, type SamplerStats } from '../sample/sampler.js';
import type { ColumnValue, Sample } from '../sample/types.js';
import { intReader } from '../watch/decode.js';
import { buildWatch } from '../watch/resolve.js';
import { resolveRawWatch, resolveWatch, type Watch } from '../watch/index.js';
import { loadConfig, type ConfigWatch, type RecordConfig } from './config.js';
import { writeJson } from './output.js';
import { defaultProbeFor } from './read.js';
import { heapscopeVersion } from './version.js';
import { positiveNumber, tcpPort } from './arg-parsers.js';
import { heapRoleOf } from '../drift/roles.js';
import { TargetTimeline } from '../sample/target-time.js';
import { heapCounters, walkHzArg, walkMetaWatches, walkSidecar, type HeapWalkPlan } from './heap-counters.js';
import type { WalkColumnStats } from '../sample/walk-column.js';

export const EXIT = { ok: 0, error: 1, usage: 2, probeUnreachable: 3, probeGaveUp: 4, output: 5, leak: 10 } as const;

interface RecordFlags {
  probe?: string;
  driftWindow?: number;
  tickHz?: number;
  allocator?: string;
  walkHz?: number;
  rate?: number;
  duration?: string;
  out?: string;
  format?: 'csv' | 'jsonl';
  rotate?: string;
  quiet?: boolean;
  json?: boolean;
  raw?: boolean;
  overwrite?: boolean;
  targetClock?: string;
  config?: string;
  metrics?: string;
  metricsPort?: number;
  failOn?: string;
  giveUpAfter?: string;
  allowHalt?: boolean;
  timeout?: number;
}

/** Everything the run needs, after config + flags (flags win). */
export interface RecordSettings {
  elf: string;
  probe: string;
  watches: { expr: string; rateHz: number; label?: string; role?: WatchRole }[];
  rateHz: number;
  durationS?: number;
  out: string;
  format: 'csv' | 'jsonl';
  rotate?: RotatePolicy;
  quiet: boolean;
  json: boolean;
  raw: boolean;
  overwrite: boolean;
  targetClock?: string;
  metrics?: { host: string; port: number };
  failOnLeak: boolean;
  driftWindowS?: number;
  tickHz?: number;
  /** With no expressions: the allocator profile to use instead of detecting one. */
  allocator?: string;
  /** With no expressions and no largest-free counter: heap walks per second for heap.largest_free (0 = off). */
  walkHz: number;
  giveUpAfterS?: number;
  allowHalt: boolean;
  timeoutMs: number;
}

export function register(program: Command): void {
  program
    .command('record')
    .description('sample watches at fixed rates into CSV/JSONL for hours or days (headless)')
    .argument('[elf]', 'firmware ELF with debug info (or `elf:` in --config)')
    .argument('[expr...]', 'watch expressions, each optionally with its own rate: g_heap.used@100 g_stats@1')
    .option('--probe <url>', 'sim:[fw.elf] | openocd://host[:6666] | gdb://host:port | serial:/dev/ttyACM0 | qmp:/path.sock')
    .option('--rate <hz>', 'default sampling rate for watches without @rate (default 10)', positiveNumber)
    .option('--duration <time>', 'stop after this long: 10s, 90m, 24h, 7d (default: until Ctrl-C)')
    .option('--out <path>', 'recording file (default heapscope-<time>.csv); <path>.meta.json is written beside it')
    .addOption(new Option('--format <fmt>', 'csv or jsonl (default: from --out extension, else csv)').choices(['csv', 'jsonl']))
    .option('--rotate <when>', 'start a new numbered file every SIZE (100MB) or TIME (1h)')
    .option('--target-clock <expr>', "read the target's own clock with every sample (g_ticks, or 0xE0001004 for DWT CYCCNT)")
    .option('--tick-hz <n>', 'ticks per second of --target-clock (1000 for a ms tick): verdicts then use firmware time', positiveNumber)
    .option('--allocator <name>', 'with no expressions: this allocator profile instead of detecting one')
    .option(
      '--walk-hz <n>',
      'with no expressions, when the allocator keeps no largest-free-block counter: walk its free list this often ' +
        'for a heap.largest_free column, in the spare time between ticks (default 1; 0 = off)',
      walkHzArg,
    )
    .option('--config <file>', 'settings file (.yaml or .json); flags override it')
    .option('--metrics <[host:]port>', 'serve Prometheus /metrics (loopback unless a host is named)')
    .option('--metrics-port <n>', 'same as --metrics 127.0.0.1:<n>', tcpPort)
    .addOption(new Option('--fail-on <what>', 'exit 10 when the drift verdict is a leak').choices(['leak']))
    .option('--drift-window <s>', 'leak detector (--fail-on leak) baseline window in seconds (default 60)', positiveNumber)
    .option('--give-up-after <time>', 'exit 4 when the probe stays unreachable this long (default: never)')
    .option('--raw', 'resolve plain symbol names from the symbol table only (no DWARF needed)')
    .option('--allow-halt', 'allow a probe that halts the core to read')
    .option('--timeout <ms>', 'per-request probe timeout', positiveNumber)
    .option('--overwrite', 'replace an existing recording instead of refusing')
    .option('--quiet', 'no progress line')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 other error, 2 usage or config error, 3 cannot reach the probe at start,\n' +
        '4 gave up after probe loss (--give-up-after), 5 output error (disk full, permission), 10 leak found (--fail-on leak).',
    )
    .action(async (elf: string | undefined, exprs: string[], flags: RecordFlags) => {
      process.exitCode = await runRecord(resolveSettings(elf, exprs, flags));
    });
}

/** Splits `g_heap.used@100` into expression and rate. C expressions never contain '@'. */
export function parseWatchSpec(spec: string, defaultRate: number): { expr: string; rateHz: number } {
  const at = spec.lastIndexOf('@');
  if (at < 0) return { expr: spec.trim(), rateHz: defaultRate };
  const rate = Number(spec.slice(at + 1));
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new UsageError(`bad rate in '${spec}': write EXPR@HZ, e.g. g_heap.used@100`);
  }
  return { expr: spec.slice(0, at).trim(), rateHz: rate };
}

function defaultOut(format: 'csv' | 'jsonl'): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `heapscope-${stamp}.${format}`;
}

export function resolveSettings(elfArg: string | undefined, exprArgs: string[], flags: RecordFlags): RecordSettings {
  const cfg: RecordConfig = flags.config ? loadConfig(flags.config) : {};
  const elf = elfArg ?? cfg.elf;
  if (!elf) throw new UsageError('record needs an ELF: heapscope record fw.elf g_heap.used --probe URL (or elf: in --config)');
  const rateHz = flags.rate ?? cfg.rate ?? 10;
  const fromCfg: ConfigWatch[] = cfg.watches ?? [];
  const watches: RecordSettings['watches'] = [];
  // Expressions on the command line replace the config's list (flags override the file).
  if (exprArgs.length > 0) for (const s of exprArgs) watches.push(parseWatchSpec(s, rateHz));
  else {
    for (const w of fromCfg) {
      if (typeof w === 'string') watches.push(parseWatchSpec(w, rateHz));
      else {
        const p = parseWatchSpec(w.expr, w.rate ?? rateHz);
        watches.push({ ...p, ...(w.label ? { label: w.label } : {}), ...(w.role ? { role: w.role } : {}) });
      }
    }
  }
  // No expressions: runRecord watches the detected heap allocator's counters (zero configuration).
  const out = flags.out ?? cfg.out;
  const format = flags.format ?? cfg.format ?? (out && /\.jsonl$/i.test(out) ? 'jsonl' : 'csv');
  const durationSpec = flags.duration ?? cfg.duration;
  const durationS = durationSpec !== undefined ? parseDuration(durationSpec, '--duration') : undefined;
  if (durationS !== undefined && durationS <= 0) throw new UsageError('--duration must be longer than 0 s');
  const rotateSpec = flags.rotate ?? cfg.rotate;
  const metricsSpec = flags.metrics ?? (flags.metricsPort !== undefined ? String(flags.metricsPort) : cfg.metrics);
  const failOn = flags.failOn ?? cfg.failOn;
  const giveUp = flags.giveUpAfter ?? cfg.giveUpAfter;
  // The bundled M0+ demo runs in the built-in sim; anything else must name its probe.
  const probe = flags.probe ?? cfg.probe ?? defaultProbeFor(elf);
  return {
    elf,
    probe,
    watches,
    rateHz,
    ...(durationS !== undefined ? { durationS } : {}),
    out: out ?? defaultOut(format),
    format,
    ...(rotateSpec !== undefined ? { rotate: parseRotate(String(rotateSpec)) } : {}),
    quiet: flags.quiet ?? cfg.quiet ?? false,
    json: flags.json ?? cfg.json ?? false,
    raw: flags.raw ?? cfg.raw ?? false,
    overwrite: flags.overwrite ?? cfg.overwrite ?? false,
    ...((flags.targetClock ?? cfg.targetClock) ? { targetClock: flags.targetClock ?? cfg.targetClock } : {}),
    ...(metricsSpec !== undefined ? { metrics: parseListenAddress(metricsSpec) } : {}),
    failOnLeak: failOn === 'leak' || (Array.isArray(failOn) && failOn.includes('leak')),
    ...(giveUp !== undefined ? { giveUpAfterS: parseDuration(giveUp, '--give-up-after') } : {}),
    allowHalt: flags.allowHalt ?? false,
    timeoutMs: flags.timeout ?? 3000,
    ...((flags.driftWindow ?? cfg.driftWindow) !== undefined ? { driftWindowS: (flags.driftWindow ?? cfg.driftWindow)! } : {}),
    ...((flags.tickHz ?? cfg.tickHz) !== undefined ? { tickHz: (flags.tickHz ?? cfg.tickHz)! } : {}),
    ...((flags.allocator ?? cfg.allocator) !== undefined ? { allocator: (flags.allocator ?? cfg.allocator)! } : {}),
    walkHz: flags.walkHz ?? cfg.walkHz ?? 1,
  };
}

const UINT32: TypeInfo = { kind: 'base', name: 'uint32_t', byteSize: 4, encoding: 'unsigned' };

/** `--target-clock 0xE0001004`: a plain 32-bit counter at an address (DWT CYCCNT and the like). */
function addressWatch(expr: string, address: number, littleEndian: boolean): Watch {
  return buildWatch({
    expr,
    address,
    hops: [],
    byteSize: 4,
    type: UINT32,
    typeName: 'uint32_t',
    littleEndian,
    read: intReader(4, false, littleEndian),
  });
}

async function resolveWatches(settings: RecordSettings): Promise<{ elf: ElfFile; watches: Watch[]; target?: Watch }> {
  const elf = openElf(settings.elf);
  let resolveOne: (expr: string) => Watch;
  if (settings.raw) resolveOne = (e) => resolveRawWatch(elf, e);
  else {
    // Loaded on demand, like `read`, so --raw works without the DWARF reader.
    const { loadDebugInfo } = await import('../elf/dwarf/index.js');
    const debug = loadDebugInfo(elf);
    resolveOne = (e) => resolveWatch(debug, elf, e);
  }
  const watches = settings.watches.map((w) => resolveOne(w.expr));
  let target: Watch | undefined;
  if (settings.targetClock) {
    const tc = settings.targetClock;
    target = /^0x[0-9a-f]+$/i.test(tc) ? addressWatch(tc, Number(tc), elf.littleEndian) : resolveOne(tc);
    if (target.columns().length !== 1) throw new UsageError(`--target-clock ${tc} must be a single integer, not a ${target.typeName}`);
  }
  return { elf, watches, ...(target ? { target } : {}) };
}

interface ColumnStats {
  min: number;
  max: number;
  sum: number;
  n: number;
  last: ColumnValue | undefined;
}

export async function runRecord(settings: RecordSettings): Promise<number> {
  let walkPlan: HeapWalkPlan | null = null;
  if (settings.watches.length === 0) {
    if (settings.raw) throw new UsageError('nothing to record: with --raw, name the symbols to watch');
    const auto = await heapCounters(settings.elf, settings.allocator, { walk: settings.walkHz > 0 });
    walkPlan = auto.walk;
    const walked = walkPlan ? `by walking its free list at ${settings.walkHz} Hz, ${walkPlan.columns.map((c) => c.name).join(', ')}` : '';
    const counters = auto.exprs.length ? `heap counters (${auto.exprs.join(', ')})${walked ? ` and, ${walked}` : ''}` : `heap ${walked}`;
    process.stderr.write(`heapscope: no expressions given: recording the ${auto.allocator} ${counters}\n`);
    const roleOfExpr = new Map<string, WatchRole>();
    // Stale counters keep a role that says so: their names (fordblks...) must not make them judged.
    for (const e of auto.stale) roleOfExpr.set(e, 'stale');
    if (auto.roles.used) roleOfExpr.set(auto.roles.used, 'used');
    if (auto.roles.free) roleOfExpr.set(auto.roles.free, 'free');
    if (auto.roles.largest) roleOfExpr.set(auto.roles.largest, 'largest');
    settings = {
      ...settings,
      watches: auto.exprs.map((expr) => ({ expr, rateHz: settings.rateHz, ...(roleOfExpr.has(expr) ? { role: roleOfExpr.get(expr)! } : {}) })),
    };
  }
  const { elf, watches, target } = await resolveWatches(settings);
  const sampled: SampledWatch[] = watches.map((w, i) => ({
    watch: w,
    rateHz: settings.watches[i]!.rateHz,
    ...(settings.watches[i]!.label ? { label: settings.watches[i]!.label } : {}),
  }));
  const elfPath = resolvePath(settings.elf);
  const openReader = () =>
    openProbe(settings.probe, { allowHalt: settings.allowHalt, timeoutMs: settings.timeoutMs, elfPath });
  const err = process.stderr;
  const say = (line: string): void => void err.write(`heapscope: ${line}\n`);

  // Columns and their stats; the sampler decides the order (watch columns, then the target clock).
  let recorder: Recorder | null = null;
  let writeFailure: unknown = null;
  const lastValues: (ColumnValue | undefined)[] = [];
  const colStats: ColumnStats[] = [];
  const leak: { detector: LeakDetector | null; column: number } = { detector: null, column: -1 };
  let sampler: Sampler;
  const timeline = settings.tickHz && settings.targetClock ? new TargetTimeline(1 / settings.tickHz) : null;

  const onSample = (s: Sample): void => {
    s.values.forEach((v, i) => {
      if (v === undefined) return;
      lastValues[i] = v;
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
      if (n === null || !Number.isFinite(n)) return;
      const c = colStats[i]!;
      if (n < c.min) c.min = n;
      if (n > c.max) c.max = n;
      c.sum += n;
      c.n++;
    });
    if (leak.detector) {
      const v = s.values[leak.column];
      // With --tick-hz the verdict follows the firmware's clock (a slow or stalling link does not bend it).
      const t = timeline && s.target !== undefined ? timeline.at(s.target) : s.t;
      // Empty cells (a lower-rate column) are skipped; outages reach the detector as gap events.
      if (typeof v === 'number' || typeof v === 'bigint') leak.detector.push(t, Number(v));
    }
    if (!recorder || writeFailure) return;
    try {
      recorder.writeSample(s);
    } catch (e) {
      // The in-memory queue is full and the disk still refuses: stop rather than drop silently.
      writeFailure = e;
      void sampler.stop();
    }
  };

  const anchors = watches.filter((_, i) => settings.watches[i]!.role === 'used' || settings.watches[i]!.role === 'free');
  const walk = walkPlan ? walkSidecar(walkPlan, settings.walkHz, anchors, (m) => say(m)) : null;
  sampler = new Sampler({
    watches: sampled,
    openReader,
    ...(walk ? { sidecar: walk } : {}),
    ...(target ? { targetClock: target } : {}),
    ...(settings.durationS !== undefined ? { durationS: settings.durationS } : {}),
    reconnect: { ...(settings.giveUpAfterS !== undefined ? { giveUpAfterS: settings.giveUpAfterS } : {}) },
    onSample,
    onEvent: (e) => {
      if (e.event === 'gap') say(`probe lost at t=${e.t.toFixed(1)} s (${e.reason}); reconnecting`);
      if (e.event === 'reconnect') say(`probe back after ${e.downS.toFixed(1)} s (${e.attempts} attempts)`);
      if (!recorder || writeFailure) return;
      try {
        recorder.writeEvent(e);
      } catch (x) {
        writeFailure = x;
        void sampler.stop();
      }
    },
  });
  const columns = sampler.columns;
  for (let i = 0; i < columns.length; i++) colStats.push({ min: Infinity, max: -Infinity, sum: 0, n: 0, last: undefined });

  // The drift verdict watches one heap counter: 'used' rising or 'free' falling.
  const walkRole = new Map(walkPlan?.columns.map((c) => [c.name, c.role]) ?? []);
  const roles = columns.map((c) => settings.watches.find((w) => w.expr === c)?.role ?? walkRole.get(c) ?? heapRoleOf(c));
  if (settings.failOnLeak) {
    const used = roles.indexOf('used');
    const free = roles.indexOf('free');
    const column = used >= 0 ? used : free;
    if (column < 0) {
      throw new UsageError(
        "--fail-on leak needs a heap counter to judge: watch one named like 'used' or 'free' (e.g. g_heap.used), " +
          'or give a watch `role: used` in --config',
      );
    }
    const { createLeakDetector } = await import('../drift/detector.js');
    leak.column = column;
    const { columnBitsOf } = await import('../watch/column-bits.js');
    const bits = columnBitsOf(watches, walkPlan?.columns.map((c) => c.name) ?? []);
    leak.detector = createLeakDetector({
      direction: column === used ? 'used' : 'free',
      wrapBits: bits.get(columns[column]!) ?? 'auto',
      ...(settings.driftWindowS ? { timeScale: settings.driftWindowS / 60 } : {}),
    });
  }

  checkOutputFree(settings.out, settings.rotate !== undefined, settings.overwrite);
  await sampler.open();
  const probeDescription = sampler.probeDescription ?? settings.probe;
  const meta = buildRunMeta({
    version: heapscopeVersion(),
    format: settings.format,
    elf,
    elfPath,
    probe: probeDescription,
    watches: watches.map((w, i) => ({
      watch: w,
      rateHz: settings.watches[i]!.rateHz,
      ...(settings.watches[i]!.label ? { label: settings.watches[i]!.label } : {}),
      ...(settings.watches[i]!.role ? { role: settings.watches[i]!.role } : {}),
    })),
    rates: sampler.rates,
    ...(target ? { targetClock: target } : {}),
    ...(settings.tickHz ? { tickHz: settings.tickHz } : {}),
    roleOf: heapRoleOf,
  });
  // The walk's columns are in the meta as watches with their role and where they come from.
  if (walkPlan) meta.watches.push(...walkMetaWatches(walkPlan, settings.walkHz));
  let metrics: MetricsServer | null = null;
  let stopReason = '';
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      say(`${sig} again: exiting without waiting`);
      process.exit(130);
    }
    stopReason = sig;
    void sampler.stop();
  };
  let progress: NodeJS.Timeout | null = null;
  let result: RecordingResult | null = null;
  let stats: SamplerStats | null = null;
  let runError: unknown = null;
  try {
    recorder = new Recorder({
      path: settings.out,
      format: settings.format,
      columns,
      meta,
      ...(settings.rotate ? { rotate: settings.rotate } : {}),
      overwrite: settings.overwrite,
      onWriteTrouble: (msg, recovered) => say(recovered ? msg : `WRITE ERROR: ${msg}`),
    });
    if (settings.metrics) {
      metrics = await startMetricsServer({ columns, lastValues: () => lastValues, stats: () => sampler.stats() }, settings.metrics);
      say(`metrics on ${metrics.url}`);
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const started = Date.now();
    const tty = err.isTTY === true;
    if (!settings.quiet) {
      const line = (): string => progressLine(sampler.stats(), recorder!, settings, (Date.now() - started) / 1000, columns, lastValues);
      progress = setInterval(() => {
        if (tty) err.write(`\r\x1b[K${line()}`);
        else err.write(line() + '\n');
      }, tty ? 500 : 60_000);
      progress.unref();
    }
    try {
      stats = await sampler.run();
    } catch (e) {
      runError = e;
      stats = sampler.stats();
    }
    if (progress) clearInterval(progress);
    if (tty && !settings.quiet) err.write('\r\x1b[K');
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (progress) clearInterval(progress);
    if (metrics) await metrics.close();
    await sampler.close();
    if (recorder) {
      try {
        result = recorder.close();
      } catch (e) {
        // close() says what reached the disk and where the rest went: the most useful message.
        writeFailure = e;
        result = (e as { result?: RecordingResult }).result ?? null;
      }
    }
  }
  stats ??= sampler.stats();
  const verdict = leak.detector?.result() ?? null;
  const summary = buildSummary(settings, columns, colStats, lastValues, stats, result, verdict, stopReason, walk?.stats() ?? null);
  if (settings.json) writeJson(summary);
  else printSummary(summary);
  if (writeFailure) {
    say((writeFailure as Error).message);
    return writeFailure instanceof HeapscopeError ? Math.max(writeFailure.exitCode, EXIT.output) : EXIT.output;
  }
  if (runError) {
    if (!(runError instanceof HeapscopeError)) throw runError;
    say(runError.message);
    return runError.exitCode;
  }
  if (settings.failOnLeak && verdict?.verdict === 'leak') return EXIT.leak;
  return EXIT.ok;
}

function progressLine(
  s: SamplerStats,
  recorder: Recorder,
  settings: RecordSettings,
  elapsedS: number,
  columns: readonly string[],
  last: readonly (ColumnValue | undefined)[],
): string {
  const rate = s.scheduler.elapsedS > 0 ? s.samples / s.scheduler.elapsedS : 0;
  const dur = settings.durationS !== undefined ? ` / ${formatDuration(settings.durationS)}` : '';
  const values = columns
    .slice(0, 3)
    .map((c, i) => `${c}=${last[i] === undefined ? '-' : String(last[i])}`)
    .join(' ');
  return (
    `${formatDuration(elapsedS)}${dur}  ${s.samples} samples  ${rate.toFixed(1)} Hz  ` +
    `late p99 ${s.scheduler.lateness.p99Ms.toFixed(2)} ms  overruns ${s.scheduler.overruns}  ` +
    `gaps ${s.gaps}${s.probeUp ? '' : ' (probe DOWN)'}  ${formatBytes(recorder.bytes)}  ${values}`
  );
}

export interface RecordSummary {
  files: string[];
  samples: number;
  elapsedS: number;
  achievedHz: { requestedHz: number; achievedHz: number }[];
  lateness: { p50Ms: number; p99Ms: number; maxMs: number };
  overruns: number;
  gaps: number;
  reconnects: number;
  downS: number;
  bytesWritten: number;
  rowsUnsaved: number;
  rescuePath: string | null;
  columns: { name: string; min: number | null; max: number | null; mean: number | null; last: ColumnValue }[];
  leak: { verdict: string; rateBytesPerHour: number | null; reason: string } | null;
  /** The heap walk behind heap.largest_free (no-expression mode), null when there was none. */
  walk: WalkColumnStats | null;
  stoppedBy: string;
  host: string;
}

function buildSummary(
  settings: RecordSettings,
  columns: readonly string[],
  colStats: readonly ColumnStats[],
  last: readonly (ColumnValue | undefined)[],
  s: SamplerStats,
  result: RecordingResult | null,
  verdict: LeakResult | null,
  stopReason: string,
  walk: WalkColumnStats | null,
): RecordSummary {
  return {
    files: result?.files ?? [],
    samples: s.samples,
    elapsedS: s.scheduler.elapsedS,
    achievedHz: s.scheduler.groups.map((g) => ({ requestedHz: g.rateHz, achievedHz: g.achievedHz })),
    lateness: { p50Ms: s.scheduler.lateness.p50Ms, p99Ms: s.scheduler.lateness.p99Ms, maxMs: s.scheduler.lateness.maxMs },
    overruns: s.scheduler.overruns,
    gaps: s.gaps,
    reconnects: s.reconnects,
    downS: s.downS,
    bytesWritten: result?.bytesWritten ?? 0,
    rowsUnsaved: result?.rowsUnsaved ?? 0,
    rescuePath: result?.rescuePath ?? null,
    columns: columns.map((name, i) => {
      const c = colStats[i]!;
      return {
        name,
        min: c.n ? c.min : null,
        max: c.n ? c.max : null,
        mean: c.n ? c.sum / c.n : null,
        last: last[i] === undefined ? null : last[i]!,
      };
    }),
    leak: verdict ? { verdict: verdict.verdict, rateBytesPerHour: verdict.rateBytesPerHour, reason: verdict.reason } : null,
    walk,
    stoppedBy: stopReason || (settings.durationS !== undefined ? 'duration' : 'end'),
    host: hostname(),
  };
}

function printSummary(r: RecordSummary): void {
  const out = process.stdout;
  const fmt = (v: number | null): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(3));
  out.write(
    `recorded ${r.samples} samples in ${r.elapsedS.toFixed(1)} s to ${r.files.join(', ') || '(nothing)'} ` +
      `(${formatBytes(r.bytesWritten)})\n` +
      `  rate ${r.achievedHz.map((g) => `${g.achievedHz.toFixed(2)}/${g.requestedHz} Hz`).join(', ')}; ` +
      `lateness p50 ${r.lateness.p50Ms.toFixed(3)} ms, p99 ${r.lateness.p99Ms.toFixed(3)} ms, max ${r.lateness.maxMs.toFixed(3)} ms; ` +
      `overruns ${r.overruns}; gaps ${r.gaps} (${r.downS.toFixed(1)} s down); reconnects ${r.reconnects}\n`,
  );
  const w = Math.max(6, ...r.columns.map((c) => c.name.length));
  out.write(`  ${'column'.padEnd(w)}  ${'min'.padStart(12)}  ${'max'.padStart(12)}  ${'mean'.padStart(14)}  last\n`);
  for (const c of r.columns) {
    out.write(
      `  ${c.name.padEnd(w)}  ${fmt(c.min).padStart(12)}  ${fmt(c.max).padStart(12)}  ${fmt(c.mean).padStart(14)}  ${String(c.last ?? '-')}\n`,
    );
  }
  if (r.walk) {
    const w = r.walk;
    out.write(
      `  heap walk: ${w.walks} walks (${w.achievedHz.toFixed(2)} Hz), median ${w.walkMs === null ? '-' : w.walkMs.toFixed(2)} ms, ` +
        `max ${w.maxWalkMs.toFixed(2)} ms; ${w.gaps} gaps, ${w.tornAttempts} torn attempts, ${w.deferred} deferred, ${w.abandoned} abandoned, ${w.overran} ran past a tick` +
        `${w.disabled ? `; ${w.disabled}` : ''}\n`,
    );
  }
  if (r.leak) out.write(`  leak verdict: ${r.leak.verdict} (${r.leak.reason})\n`);
}
