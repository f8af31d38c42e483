// `heapscope record` end to end, through the built CLI (run `npm run build` first), against real
// targets: the built-in sim, and rp2040js's GDB server killed and restarted mid-run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sleep, startPeer, waitForPort, type Peer } from '../peers/process.js';
import { bundledFirmware } from '../../src/probe/sim/bundled.js';
import type { RecordingMeta } from '../../src/record/meta.js';

const ELF = bundledFirmware('leak', 'm0plus');
const dir = mkdtempSync(join(tmpdir(), 'heapscope-cli-rec-'));
const children: ChildProcess[] = [];
const peers: Peer[] = [];

interface Run {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

function record(args: string[]): Run {
  const child = spawn(process.execPath, ['bin/heapscope.js', 'record', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function scrape(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    return await res.text();
  } catch {
    return '';
  }
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Polls /metrics until pred holds (or fails after timeoutMs with the last scrape in the message). */
async function waitMetrics(port: number, pred: (t: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await scrape(port);
    if (text && pred(text)) return text;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; last scrape:\n${text.slice(0, 2000)}`);
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of peers) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('heapscope record from the sim target', () => {
  const out = join(dir, 'sim.csv');
  let run: Run;
  let metricsText = '';
  let code: number | null = null;

  beforeAll(async () => {
    const port = await freePort();
    run = record([ELF, 'g_heap.used', 'g_heap@2', '--target-clock', 'g_ticks', '--probe', 'sim:', '--rate', '50',
      '--duration', '60s', '--out', out, '--metrics', `127.0.0.1:${port}`, '--json', '--quiet']);
    // Scrape while it records, then stop it with Ctrl-C after ~150 samples (3-5 s of recording).
    metricsText = await waitMetrics(port, (t) => metric(t, 'heapscope_samples_total') >= 150, '150 samples');
    run.child.kill('SIGINT');
    code = await run.exit;
  }, 60_000);

  it('serves Prometheus /metrics while recording: watch gauges and health', () => {
    expect(metricsText).toMatch(/^heapscope_watch_value\{expr="g_heap\.used"\} \d+$/m);
    expect(metricsText).toMatch(/^heapscope_watch_value\{expr="g_ticks"\} \d+$/m);
    expect(metric(metricsText, 'heapscope_probe_up')).toBe(1);
    expect(metricsText).toMatch(/^heapscope_lateness_seconds\{stat="p99"\} [\d.e-]+$/m);
    expect(metricsText).toContain('# TYPE heapscope_overruns_total counter');
  });

  it('on SIGINT flushes, prints the summary and exits 0', () => {
    expect(run.stderr()).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const summary = JSON.parse(run.stdout()) as { samples: number; stoppedBy: string; lateness: { p99Ms: number }; files: string[] };
    expect(summary.stoppedBy).toBe('SIGINT');
    expect(summary.lateness.p99Ms).toBeGreaterThanOrEqual(0);
    expect(summary.files).toEqual([out]);
  });

  it('writes a CSV whose rows are every sample, with the firmware counters moving', () => {
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const summary = JSON.parse(run.stdout()) as { samples: number };
    expect(rows.length).toBe(summary.samples);
    expect(Object.keys(rows[0]!).slice(0, 4)).toEqual(['t', 'wall', 'g_heap.used', 'g_heap.capacity']);
    const ticks = rows.map((r) => Number(r.g_ticks));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!).toBeGreaterThanOrEqual(ticks[i - 1]!);
    expect(ticks[ticks.length - 1]!).toBeGreaterThan(ticks[0]!);
    expect(new Set(rows.map((r) => r['g_heap.used'])).size).toBeGreaterThan(1);
    // g_heap (2 Hz) fills its other columns on some rows only.
    expect(rows.filter((r) => r['g_heap.capacity'] === '16384').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r['g_heap.capacity'] === '').length).toBeGreaterThan(0);
  });

  it('writes the meta file: ELF hash, build-id, addresses, rates, probe', () => {
    const m = JSON.parse(readFileSync(`${out}.meta.json`, 'utf8')) as RecordingMeta;
    expect(m.elf.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.probe).toMatch(/^sim /);
    expect(m.rates).toEqual([50, 2]);
    expect(m.watches.map((w) => w.expr)).toEqual(['g_heap.used', 'g_heap']);
    expect(m.watches[0]!.address).toBeGreaterThanOrEqual(0x20000000);
    expect(m.targetClock?.expr).toBe('g_ticks');
    // Each column's width from DWARF (uint32_t counters): where it wraps, so report never guesses 16 bits.
    expect(m.watches[0]!.columnBits).toEqual([32]);
    expect(m.watches[1]!.columnBits).toEqual(Array(m.watches[1]!.columns.length).fill(32));
  });
});

describe('heapscope record killed with SIGKILL', () => {
  it('leaves a recording that parses up to its last complete line (flushed at least once a second)', async () => {
    const out = join(dir, 'killed.csv');
    const r = record([ELF, 'g_heap.used', 'g_ticks', '--probe', 'sim:', '--rate', '50', '--duration', '60s', '--out', out, '--quiet']);
    const deadline = Date.now() + 30_000;
    const rowsOnDisk = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 2 : 0);
    while (rowsOnDisk() < 30 && Date.now() < deadline) await sleep(200);
    r.child.kill('SIGKILL');
    await r.exit;
    const text = readFileSync(out, 'utf8');
    const rows = parse(text.slice(0, text.lastIndexOf('\n') + 1), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const row of rows) expect(row.g_ticks).toMatch(/^\d+$/);
    expect(existsSync(`${out}.meta.json`)).toBe(true);
  }, 60_000);
});

describe('heapscope record across probe drops (rp2040js GDB server killed and restarted twice)', () => {
  it('marks each outage as a gap, keeps samples before and after, and exits 0 at the end of --duration', async () => {
    const gdbPort = await freePort();
    const metricsPort = await freePort();
    const startServer = async (): Promise<Peer> => {
      const p = startPeer(process.execPath, ['dist/tests/peers/rp2040-gdb-server.js', '--elf', ELF, '--port', String(gdbPort)]);
      peers.push(p);
      await waitForPort(gdbPort, 20_000);
      return p;
    };
    let server = await startServer();
    const out = join(dir, 'drops.jsonl');
    const r = record([ELF, 'g_heap.used', 'g_ticks', '--probe', `gdb://127.0.0.1:${gdbPort}`, '--rate', '20',
      '--duration', '20s', '--out', out, '--metrics', String(metricsPort), '--quiet']);
    for (let round = 1; round <= 2; round++) {
      await waitMetrics(metricsPort, (t) => metric(t, 'heapscope_samples_total') >= 20 * round && metric(t, 'heapscope_probe_up') === 1, `samples before drop ${round}`);
      await server.stop();
      await waitMetrics(metricsPort, (t) => metric(t, 'heapscope_probe_up') === 0, `probe down ${round}`);
      server = await startServer();
      await waitMetrics(metricsPort, (t) => metric(t, 'heapscope_reconnects_total') === round, `reconnect ${round}`);
    }
    expect(await r.exit).toBe(0);
    await server.stop();
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event?: string; t: number });
    const events = lines.filter((l) => l.event).map((l) => l.event);
    expect(events).toEqual(['gap', 'reconnect', 'gap', 'reconnect']);
    const gapAt = lines.findIndex((l) => l.event === 'gap');
    const lastGap = lines.map((l) => l.event).lastIndexOf('reconnect');
    expect(lines.slice(0, gapAt).filter((l) => !l.event).length).toBeGreaterThanOrEqual(20);
    expect(lines.slice(lastGap + 1).filter((l) => !l.event).length).toBeGreaterThan(0);
    const meta = JSON.parse(readFileSync(`${out}.meta.json`, 'utf8')) as RecordingMeta;
    expect(meta.gaps).toHaveLength(2);
    expect(r.stderr()).toMatch(/probe lost at t=.*reconnecting/);
  }, 90_000);
});

describe('record with no expressions', () => {
  it('records the detected allocator counters, with their roles in the meta', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync: mk, readFileSync: rd } = await import('node:fs');
    const { join: j } = await import('node:path');
    const { tmpdir: td } = await import('node:os');
    const out = j(mk(j(td(), 'hs-auto-')), 'auto.csv');
    const r = spawnSync(
      process.execPath,
      ['bin/heapscope.js', 'record', 'firmware/prebuilt/heapdemo-m0plus-sawtooth.elf', '--duration', '2s', '--out', out, '--quiet'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('recording the heapscope heap counters');
    expect(rd(out, 'utf8').split('\n')[0]).toContain('g_heap.largest_free');
    const meta = JSON.parse(rd(`${out}.meta.json`, 'utf8')) as { watches: { expr: string; role?: string }[] };
    expect(meta.watches.find((w) => w.expr === 'g_heap.used')?.role).toBe('used');
    expect(meta.watches.find((w) => w.expr === 'g_heap.free')?.role).toBe('free');
  });
});
