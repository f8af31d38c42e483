// The dashboard as a person sees it: the real CLI in tmux, real firmware on the built-in emulator.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, waitFor, type TmuxSession } from './tmux.js';

const sessions: TmuxSession[] = [];
afterEach(() => {
  while (sessions.length) sessions.pop()!.kill();
});

function start(args: string[], w: number, h: number, env: Record<string, string> = {}): TmuxSession {
  const s = startCli(args, w, h, env);
  sessions.push(s);
  return s;
}

const samplesShown = (screen: string): number => Number(/samples (\d+)/.exec(screen)?.[1] ?? 0);

describe('heapscope demo in a 100x30 terminal', () => {
  it('shows the heap counters moving, the status line, help on ?, and exits cleanly on q', async () => {
    const s = start(['demo', '--pattern', 'sawtooth'], 100, 30);
    await waitFor('samples on screen', () => samplesShown(s.capture()) > 20, 45_000, () => s.capture());
    const first = s.capture();
    expect(first).toContain('heapscope demo');
    expect(first).toContain('g_heap.used');
    expect(first).toContain('g_heap.fragments');
    expect(first).toMatch(/stats/);
    expect(first).toMatch(/drift/);
    expect(first).toMatch(/\d+\/50 Hz/);
    expect(first).toContain('-10m00s'); // the demo opens on 10 min of firmware time
    expect(first).not.toMatch(/qqqq|xxxx/); // line drawing, not ACS letters
    await new Promise((r) => setTimeout(r, 1500));
    const second = s.capture();
    expect(samplesShown(second)).toBeGreaterThan(samplesShown(first));
    expect(second).not.toBe(first);

    s.keys('?');
    await waitFor('help', () => s.capture().includes('pause drawing'), 5000, () => s.capture());
    s.keys('x');
    await waitFor('help closed', () => !s.capture().includes('pause drawing'), 5000, () => s.capture());

    s.keys('+');
    await waitFor('zoom out to 1h', () => s.capture().includes('[1h]'), 5000, () => s.capture());
    s.save('demo-100x30');

    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
    const after = s.capture();
    expect(after).not.toContain('g_heap.used'); // alternate screen left, terminal restored
    expect(readFileSync(s.stderrPath, 'utf8')).toBe('');
  });
});

describe('heapscope demo in an 80x24 terminal', () => {
  it('fits, survives a resize to 60x20, and writes nothing to stderr', async () => {
    const s = start(['demo'], 80, 24);
    await waitFor('samples on screen', () => samplesShown(s.capture()) > 5, 45_000, () => s.capture());
    const screen = s.save('demo-80x24');
    const lines = screen.split('\n');
    expect(lines.some((l) => l.includes('g_heap.used'))).toBe(true);
    expect(lines.some((l) => /Hz/.test(l))).toBe(true);
    s.resize(60, 20);
    await new Promise((r) => setTimeout(r, 1500));
    const small = s.save('demo-60x20');
    expect(s.alive()).toBe(true);
    expect(small).toContain('heapscope');
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
    expect(readFileSync(s.stderrPath, 'utf8')).toBe('');
  });

  it('draws without colour escape junk when NO_COLOR is set', async () => {
    const s = start(['demo'], 80, 24, { NO_COLOR: '1' });
    await waitFor('samples on screen', () => samplesShown(s.capture()) > 5, 45_000, () => s.capture());
    const screen = s.save('demo-no-color');
    expect(screen).not.toMatch(/\{[a-z]+-fg\}/);
    const escaped = execFileSync('tmux', ['capture-pane', '-p', '-e', '-t', s.name], { encoding: 'utf8' });
    expect(escaped).not.toMatch(/\x1b\[3[1-6]m/); // no foreground colours
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
  });
});

describe('without a terminal', () => {
  it('refuses with a hint to use record or read', () => {
    const r = spawnSync(process.execPath, ['bin/heapscope.js', 'demo'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal.*heapscope record/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});
