// `heapscope probe <url>`: "can I reach my board?" Connects, prints who answered (OpenOCD version,
// GDB stub, QMP, sim), the target and its state, whether reads stop the core, the largest block per
// request, and a measured read rate with latency percentiles for 4-byte and 1 KiB reads.
// --json prints the same as one object. Every failure is a typed error whose message names the
// likely cause (nothing listening, wrong port, target not examined, serial permission).
import { InvalidArgumentError, type Command } from 'commander';
import { TargetMemoryError } from '../errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../probe/types.js';
import { openProbe } from '../probe/url.js';
import { writeJson } from './output.js';
import { positiveNumber } from './arg-parsers.js';

interface ProbeOptions {
  json?: boolean;
  seconds: number;
  address: number;
  allowHalt?: boolean;
  timeout: number;
}

export interface ReadMeasurement {
  bytes: number;
  address: string;
  reads: number;
  seconds: number;
  readsPerSecond: number;
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ProbeReport {
  url: string;
  description: string;
  kind: string;
  server: string;
  target: string | null;
  targetState: string;
  nonHalting: boolean;
  maxBlockBytes: number;
  extra: Record<string, unknown>;
  measurements: ReadMeasurement[];
}

/** SRAM on most Cortex-M parts (STM32, nRF52, RP2040, SAM, mps2-an385 in QEMU): a safe default to read. */
const DEFAULT_ADDRESS = 0x2000_0000;
const SIZES = [4, 1024];

function address(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError('must be an address like 0x20000000');
  return n;
}

export function register(program: Command): void {
  program
    .command('probe')
    .description('check a probe connection: server, target state, non-halting reads, read rate and latency')
    .argument('<url>', 'openocd://host[:6666][?target=NAME] | gdb://host:port | serial:/dev/ttyACM0 | qmp:/path.sock | sim:')
    .option('--json', 'print one JSON object')
    .option('--seconds <n>', 'total time spent measuring (split between 4 B and 1 KiB reads)', positiveNumber, 2)
    .option('--address <addr>', 'readable RAM address to measure with', address, DEFAULT_ADDRESS)
    .option('--allow-halt', 'allow a probe that halts the core to read (QEMU gdbstub, Black Magic Probe)')
    .option('--timeout <ms>', 'per-request probe timeout', positiveNumber, 3000)
    .action(async (url: string, opts: ProbeOptions) => {
      await runProbe(url, opts);
    });
}

async function runProbe(url: string, opts: ProbeOptions): Promise<void> {
  const reader = await openProbe(url, { allowHalt: opts.allowHalt ?? false, timeoutMs: opts.timeout });
  try {
    const info = await reader.info();
    const report = baseReport(url, reader, info);
    if (!opts.json) printIdentity(report);
    for (const size of SIZES) {
      const m = await measure(reader, opts.address, size, (opts.seconds * 1000) / SIZES.length).catch((e: unknown) => {
        throw withAddressHint(e, opts.address);
      });
      report.measurements.push(m);
      if (!opts.json) printMeasurement(m);
    }
    if (opts.json) writeJson(report);
  } finally {
    await reader.close().catch(() => undefined);
  }
}

function baseReport(url: string, reader: MemoryReader, info: ProbeInfo): ProbeReport {
  return {
    url,
    description: reader.description,
    kind: info.kind,
    server: info.server,
    target: info.target ?? null,
    targetState: info.targetState ?? 'unknown',
    nonHalting: reader.nonHalting,
    maxBlockBytes: reader.maxBlockBytes,
    extra: info.extra ?? {},
    measurements: [],
  };
}

/** Reads `size` bytes at `addr` back to back for `ms`; latency per readBlocks call. */
async function measure(reader: MemoryReader, addr: number, size: number, ms: number): Promise<ReadMeasurement> {
  // A block larger than the probe's limit goes as several blocks in one call, as the planner would.
  const blocks: MemoryBlock[] = [];
  for (let off = 0; off < size; off += reader.maxBlockBytes) {
    blocks.push({ address: addr + off, length: Math.min(reader.maxBlockBytes, size - off) });
  }
  const latencies: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    await reader.readBlocks(blocks);
    latencies.push(performance.now() - t0);
  } while (performance.now() - start < ms);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return {
    bytes: size,
    address: '0x' + addr.toString(16),
    reads: latencies.length,
    seconds: round(seconds, 3),
    readsPerSecond: round(latencies.length / seconds, 1),
    bytesPerSecond: Math.round((latencies.length * size) / seconds),
    p50Ms: round(pct(0.5), 2),
    p99Ms: round(pct(0.99), 2),
  };
}

/** The probe answered but the default address is not RAM on this chip: say what to pass instead. */
function withAddressHint(e: unknown, addr: number): unknown {
  if (!(e instanceof TargetMemoryError)) return e;
  const hint = `; the probe works, but 0x${addr.toString(16)} is not readable on this target: pass --address with a RAM address of your chip`;
  return new TargetMemoryError(e.message + hint, e.address, e.length);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function printIdentity(r: ProbeReport): void {
  const raw = typeof r.extra.rawState === 'string' ? r.extra.rawState : '';
  const state =
    r.targetState === 'halted'
      ? 'halted (not by heapscope: it keeps reading and leaves the core as it is)'
      : r.targetState === 'unknown' && /examine/.test(raw)
        ? `${raw} (not examined: the server has not talked to the chip yet)`
        : r.targetState === 'unknown' && raw
          ? raw
          : r.targetState;
  const lines = [
    ['probe', `${r.url}  (${r.description})`],
    ['server', r.server],
    ['target', r.target ? `${r.target}${r.extra.targetType ? ` (${String(r.extra.targetType)})` : ''}, ${state}` : state],
    [
      'reads',
      r.nonHalting
        ? 'non-halting: the core keeps running while heapscope reads'
        : 'HALTING: the core stops for every read (allowed by --allow-halt)',
    ],
    ['max block', `${r.maxBlockBytes} bytes per request`],
  ];
  for (const [k, v] of lines) process.stdout.write(`${k!.padEnd(10)} ${v}\n`);
}

function printMeasurement(m: ReadMeasurement): void {
  const label = m.bytes >= 1024 ? `${m.bytes / 1024} KiB` : `${m.bytes} B`;
  process.stdout.write(
    `${`${label} read`.padEnd(10)} ${m.readsPerSecond}/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  ` +
      `(${m.reads} reads at ${m.address} in ${m.seconds} s)\n`,
  );
}
