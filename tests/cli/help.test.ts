import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';

describe('heapscope --help', () => {
  it('prints usage and exits 0', () => {
    const out = execFileSync(process.execPath, ['bin/heapscope.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: heapscope');
  });
});

describe('output into a closed pipe', () => {
  it('ends quietly when the reader goes away (heapscope probe sim: | head -1)', () => {
    // probe prints its first line, then measures for a second: by then `head` has exited.
    const out = execFileSync('bash', ['-c', 'node bin/heapscope.js probe sim: --seconds 1 2>&1 | head -1; echo "rc=${PIPESTATUS[0]}"'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/rc=0\s*$/);
    expect(out).not.toContain('EPIPE');
  });
});
