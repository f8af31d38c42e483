// The CI soak gate on real firmware: `record --fail-on leak` exits 10 on the bundled leaking firmware
// and 0 on the healthy saw-tooth (truth known by construction: 32 B kept per 3 s cycle, or none).
// The emulator runs 8x faster than real time and the verdict follows the firmware's own clock
// (--target-clock g_ticks --tick-hz 1000), so 45 s of wall time are 6 min of firmware time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

function record(pattern: 'leak' | 'sawtooth'): Promise<{ code: number | null; stdout: string; out: string }> {
  const out = join(mkdtempSync(join(tmpdir(), `hs-verdict-${pattern}-`)), 'soak.csv');
  const args = [
    'bin/heapscope.js', 'record', `firmware/prebuilt/heapdemo-m0plus-${pattern}.elf`, 'g_heap.used', 'g_heap.free',
    '--probe', 'sim:?speed=8', '--rate', '50', '--duration', '45s', '--target-clock', 'g_ticks', '--tick-hz', '1000',
    '--drift-window', '6', '--fail-on', 'leak', '--out', out, '--quiet',
  ];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => done({ code, stdout, out }));
  });
}

describe('record --fail-on leak on the bundled firmware', () => {
  it('exits 10 on the leaking build with the firmware’s leak rate, and 0 on the healthy one', async () => {
    const [leak, saw] = await Promise.all([record('leak'), record('sawtooth')]);
    expect(leak.code).toBe(10);
    expect(leak.stdout).toMatch(/leak verdict: leak \(baseline .* rising 3[6-9] KiB\/h/);
    expect(saw.code).toBe(0);
    expect(saw.stdout).toMatch(/leak verdict: (no-leak|undecided)/);
    const meta = JSON.parse(readFileSync(`${leak.out}.meta.json`, 'utf8')) as { targetClock?: { expr: string; hz?: number } };
    expect(meta.targetClock).toMatchObject({ expr: 'g_ticks', hz: 1000 });
  }, 120_000);
});
