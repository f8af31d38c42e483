// `watch --from`: a past recording in the same dashboard, whole run and drift verdict.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, waitFor, type TmuxSession } from './tmux.js';

const sessions: TmuxSession[] = [];
afterEach(() => {
  while (sessions.length) sessions.pop()!.kill();
});

/** A 3 h saw-tooth at 1 Hz over a 64 KiB heap; with `leakPerHour` the troughs climb. */
function writeRecording(leakPerHour: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'hs-replay-'));
  const path = join(dir, 'soak.csv');
  const cap = 65536;
  const lines = ['t,wall,g_heap.used,g_heap.free,g_heap.largest_free'];
  for (let t = 0; t < 3 * 3600; t++) {
    const used = 2000 + ((t % 120) / 120) * 20000 + (leakPerHour * t) / 3600;
    const free = cap - used;
    lines.push(`${t},${new Date(t * 1000).toISOString()},${used.toFixed(0)},${free.toFixed(0)},${(free * 0.9).toFixed(0)}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('watch --from a recording', () => {
  it('shows the whole run and a leak verdict for a recording whose troughs climb', async () => {
    const file = writeRecording(4000);
    const s = startCli(['watch', '--from', file], 100, 30);
    sessions.push(s);
    await waitFor('leak verdict', () => /LEAK/.test(s.capture()), 30_000, () => s.capture());
    const screen = s.save('replay-leak');
    expect(screen).toContain('replay soak.csv');
    expect(screen).toContain('whole run');
    expect(screen).toContain('g_heap.used');
    expect(screen).toMatch(/-(3h00m|2h59m)/); // the run spans 3 h less one sample
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
    expect(readFileSync(s.stderrPath, 'utf8')).toBe('');
  });

  it('says no leak for the same saw-tooth without a leak', async () => {
    const file = writeRecording(0);
    const s = startCli(['watch', '--from', file], 100, 30);
    sessions.push(s);
    await waitFor('verdict', () => /no leak|undecided/.test(s.capture()), 30_000, () => s.capture());
    const screen = s.save('replay-no-leak');
    expect(screen).not.toContain('LEAK');
    expect(screen).toContain('no leak');
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
  });

  it('names a missing recording in one line, without a stack trace', async () => {
    const s = startCli(['watch', '--from', '/nonexistent/soak.csv'], 80, 24);
    sessions.push(s);
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).not.toBe(0);
    const err = readFileSync(s.stderrPath, 'utf8');
    expect(err).toMatch(/no such recording: \/nonexistent\/soak.csv/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
