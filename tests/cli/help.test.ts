import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';

describe('heapscope --help', () => {
  it('prints usage and exits 0', () => {
    const out = execFileSync(process.execPath, ['bin/heapscope.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: heapscope');
  });
});
