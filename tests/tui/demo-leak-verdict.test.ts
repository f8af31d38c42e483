// The README's first command must show a leak verdict within about a minute (bundled leak firmware,
// 32 B kept per 3 s cycle: the truth is known by construction).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, waitFor, type TmuxSession } from './tmux.js';

let s: TmuxSession | null = null;
afterEach(() => s?.kill());

describe('heapscope demo (default: saw-tooth with a slow leak)', () => {
  it('says LEAK with the leak rate of the firmware within a couple of minutes', async () => {
    s = startCli(['demo'], 100, 30);
    const started = Date.now();
    await waitFor('the leak verdict', () => s!.capture().includes('LEAK'), 180_000, () => s!.capture());
    const screen = s.save('demo-leak-verdict');
    process.stdout.write(`leak verdict after ${((Date.now() - started) / 1000).toFixed(0)} s of wall time\n`);
    // 32 gross bytes per 3 s cycle = 38400 B/h = 37.5 KiB/h; allow the estimate 20 % either way.
    const rate = /\+([\d.]+) KiB\/h/.exec(screen);
    expect(rate).not.toBeNull();
    expect(Number(rate![1])).toBeGreaterThan(30);
    expect(Number(rate![1])).toBeLessThan(45);
    expect(screen).toMatch(/full in \d/);
    s.keys('q');
    await waitFor('exit', () => !s!.alive(), 10_000, () => s!.capture());
    expect(readFileSync(s.stderrPath, 'utf8')).toBe('');
  }, 200_000);
});
