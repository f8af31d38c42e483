// Warm-up then plateau is not a leak: the same dashboard must say so (bundled warm-up firmware).
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, waitFor, type TmuxSession } from './tmux.js';

let s: TmuxSession | null = null;
afterEach(() => s?.kill());

describe('heapscope demo --pattern warmup', () => {
  it('says no leak once the caches stop growing, and never LEAK on the way', async () => {
    s = startCli(['demo', '--pattern', 'warmup'], 100, 30);
    let sawLeak = false;
    await waitFor(
      'the no-leak verdict',
      () => {
        const screen = s!.capture();
        if (screen.includes('LEAK')) sawLeak = true;
        return screen.includes('no leak');
      },
      180_000,
      () => s!.capture(),
    );
    s.save('demo-warmup-verdict');
    expect(sawLeak).toBe(false);
    s.keys('q');
    await waitFor('exit', () => !s!.alive(), 10_000, () => s!.capture());
    expect(s.exitCode()).toBe(0);
  }, 200_000);
});
