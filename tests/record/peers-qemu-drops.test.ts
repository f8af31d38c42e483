// `heapscope record` over QEMU's QMP socket (mps2-an385 running the Cortex-M3 heap demo; QMP reads
// while the VM runs) with QEMU killed mid-run and started again twice on the same -qmp socket path:
// each outage is a marked gap, samples exist before, between and after, and record still ends at
// --duration with exit 0. Through the built CLI (run `npm run build` first).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sleep, startPeer, type Peer } from '../peers/process.js';
import type { RecordingMeta } from '../../src/record/meta.js';

const ELF = resolve('firmware/prebuilt/heapdemo-m3-sawtooth.elf');
const HAVE_QEMU = spawnSync('qemu-system-arm', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'heapscope-rec-qmp-'));
const QMP_SOCK = join(dir, 'qmp.sock');
const peers: Peer[] = [];
const children: ChildProcess[] = [];

/** QEMU on a fixed QMP socket path, so that a restarted QEMU is the same probe URL. */
async function startQemu(): Promise<Peer> {
  // QEMU removes a stale socket file before it binds; wait for the new one to appear.
  rmSync(QMP_SOCK, { force: true });
  const peer = startPeer('qemu-system-arm', [
    '-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', ELF,
    '-qmp', `unix:${QMP_SOCK},server=on,wait=off`,
  ]);
  peers.push(peer);
  for (let i = 0; i < 200 && !existsSync(QMP_SOCK); i++) await sleep(50);
  if (!existsSync(QMP_SOCK)) {
    await peer.stop();
    throw new Error(`QEMU made no QMP socket within 10 s: ${peer.output()}`);
  }
  return peer;
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
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Polls record's /metrics until pred holds; fails with the last scrape after timeoutMs. */
async function waitMetrics(port: number, pred: (t: string) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await scrape(port);
    if (text && pred(text)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last scrape:\n${text.slice(0, 2000)}`);
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of peers) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Line = { event?: string; t: number; downS?: number; values?: unknown } & Record<string, unknown>;

describe.skipIf(!HAVE_QEMU)('heapscope record across QEMU restarts (QMP)', () => {
  it('marks each outage as a gap, keeps samples before, between and after, and exits 0 at --duration', async () => {
    const metricsPort = await freePort();
    let qemu = await startQemu();
    const out = join(dir, 'qmp-drops.jsonl');
    const child = spawn(
      process.execPath,
      ['bin/heapscope.js', 'record', ELF, 'g_heap.used', 'g_ticks', '--probe', `qmp:${QMP_SOCK}`, '--rate', '20',
        '--duration', '18s', '--out', out, '--metrics', String(metricsPort), '--quiet'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));

    for (let round = 1; round <= 2; round++) {
      await waitMetrics(
        metricsPort,
        (t) => metric(t, 'heapscope_samples_total') >= 10 * round && metric(t, 'heapscope_probe_up') === 1,
        `samples before drop ${round}`,
      );
      await qemu.stop();
      await waitMetrics(metricsPort, (t) => metric(t, 'heapscope_probe_up') === 0, `probe down ${round}`);
      qemu = await startQemu();
      await waitMetrics(metricsPort, (t) => metric(t, 'heapscope_reconnects_total') === round, `reconnect ${round}`);
    }
    const code = await exit;
    await qemu.stop();
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);

    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines.filter((l) => l.event).map((l) => l.event)).toEqual(['gap', 'reconnect', 'gap', 'reconnect']);
    const at = (event: string, nth: number): number => lines.map((l, i) => (l.event === event ? i : -1)).filter((i) => i >= 0)[nth]!;
    const samplesIn = (from: number, to: number): Line[] => lines.slice(from, to).filter((l) => !l.event);
    // Samples before the first outage, between the two, and after the last; none while QEMU was down.
    expect(samplesIn(0, at('gap', 0)).length).toBeGreaterThanOrEqual(10);
    expect(samplesIn(at('reconnect', 0) + 1, at('gap', 1)).length).toBeGreaterThan(0);
    expect(samplesIn(at('reconnect', 1) + 1, lines.length).length).toBeGreaterThan(0);
    expect(samplesIn(at('gap', 0), at('reconnect', 0))).toEqual([]);
    expect(samplesIn(at('gap', 1), at('reconnect', 1))).toEqual([]);
    for (const i of [at('reconnect', 0), at('reconnect', 1)]) expect(lines[i]!.downS).toBeGreaterThan(0);
    // Time keeps running across the gaps: t rises through the whole file and ends within --duration.
    const ts = lines.map((l) => l.t);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    expect(ts[ts.length - 1]!).toBeLessThan(18);

    const meta = JSON.parse(readFileSync(`${out}.meta.json`, 'utf8')) as RecordingMeta;
    expect(meta.probe).toMatch(/qmp/);
    expect(meta.gaps).toHaveLength(2);
    expect(stderr).toMatch(/probe lost at t=.*reconnecting/);
    expect(stderr.match(/probe back after/g)).toHaveLength(2);
  }, 45_000);
});
