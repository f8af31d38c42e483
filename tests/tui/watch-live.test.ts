// `heapscope watch` on a real GDB server (rp2040js's, running the bundled firmware), as a person sees
// it: the probe is killed and restarted under it; the status line turns to PROBE LOST, then counts
// the reconnect; marks, the gap and the reconnect are written into the recording.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startPeer, waitForPort, type Peer } from '../peers/process.js';
import { startCli, waitFor } from './tmux.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ELF = join(ROOT, 'firmware/prebuilt/heapdemo-m0plus-sawtooth.elf');
const SERVER = join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js');

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function gdbServer(port: number): Promise<Peer> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} missing: run npm run build`);
  const peer = startPeer(process.execPath, [SERVER, '--elf', ELF, '--port', String(port)], { cwd: ROOT });
  cleanup.push(() => peer.stop());
  await waitForPort(port, 20_000);
  return peer;
}

describe('heapscope watch on a GDB server that drops', () => {
  it('shows PROBE LOST, reconnects by itself, and records marks, the gap and the reconnect', async () => {
    const port = await freePort();
    const server = await gdbServer(port);
    const rec = join(mkdtempSync(join(tmpdir(), 'hs-watch-')), 'live.jsonl');
    const s = startCli(
      ['watch', ELF, 'g_heap.used', 'g_heap.free', '--probe', `gdb://127.0.0.1:${port}`, '--rate', '20', '--record', rec],
      100,
      30,
    );
    cleanup.push(() => s.kill());
    await waitFor('samples', () => /samples (\d{2,})/.test(s.capture()), 30_000, () => s.capture());
    expect(s.capture()).toContain(`gdb://127.0.0.1:${port}`);
    s.keys('m');
    await waitFor('mark counted', () => s.capture().includes('marks 1'), 5000, () => s.capture());

    await server.stop();
    await waitFor('probe lost', () => s.capture().includes('PROBE LOST'), 20_000, () => s.capture());
    s.save('watch-probe-lost');

    await gdbServer(port);
    await waitFor('reconnect', () => s.capture().includes('reconnects 1'), 30_000, () => s.capture());
    expect(s.capture()).not.toContain('PROBE LOST');
    // Some samples after the reconnect before quitting (a loaded host is slow to deliver them).
    const count = (): number => Number(/samples (\d+)/.exec(s.capture())?.[1] ?? 0);
    const atReconnect = count();
    await waitFor('samples after the reconnect', () => count() >= atReconnect + 5, 20_000, () => s.capture());
    s.save('watch-reconnected');

    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
    const events = readFileSync(rec, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; t: number });
    const kinds = events.filter((e) => e.event).map((e) => e.event);
    // Under load one outage may take more than one attempt (another gap before the reconnect), but the
    // order is always: the mark, then the outage, then the reconnect.
    expect(kinds[0]).toBe('mark');
    expect(kinds.indexOf('gap')).toBeGreaterThan(0);
    expect(kinds.lastIndexOf('reconnect')).toBeGreaterThan(kinds.indexOf('gap'));
    const samples = events.filter((e) => !e.event);
    expect(samples.length).toBeGreaterThanOrEqual(15); // >= 10 before the outage, >= 5 after it
    // Samples exist on both sides of the outage.
    const gapT = events.find((e) => e.event === 'gap')!.t;
    expect(samples.some((e) => e.t > gapT)).toBe(true);
    const stderr = readFileSync(s.stderrPath, 'utf8');
    expect(stderr).toMatch(/heapscope: recorded \d+ samples to .*live\.jsonl\n$/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('heapscope watch with no expressions', () => {
  it('watches the counters of the detected allocator, with the heap bytes on one chart', async () => {
    const s = startCli(['watch', ELF], 100, 30);
    cleanup.push(() => s.kill());
    await waitFor('samples', () => /samples (\d{2,})/.test(s.capture()), 30_000, () => s.capture());
    const screen = s.save('watch-auto-heap');
    expect(screen).toContain('(heapscope heap)');
    expect(screen).toMatch(/g_heap\.used g_heap\.free|g_heap\.capacity g_heap\.used/); // one chart, several series
    expect(screen).toContain('largest_free');
    expect(screen).toMatch(/fragmentation/);
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
  });
});
