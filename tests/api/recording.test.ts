// The leaking demo firmware, sampled through the API into a recording, then judged from the file:
// by readRecording + leakDetector in-process and by examples/analyse-recording.mjs (which keeps the
// documented example runnable). Truth by construction: the leak build keeps 32 B per 3 s cycle
// (~37.5 KiB/h of firmware time). The emulator runs up to 8x faster than real time and the file's
// time axis is the firmware's own millisecond tick, so a slower host only takes longer (up to 75 s).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, leakDetector, loadFirmware, readRecording, UsageError } from '../../src/index.js';
import { LEAK_ELF, runExample } from './helpers.js';

const KIB = 1024;

describe('a recording of the leaking firmware', () => {
  let csv: string;
  let firmwareSeconds = 0;

  beforeAll(async () => {
    const fw = await loadFirmware(LEAK_ELF);
    // 8x and 50 Hz: ~6 samples per firmware second, so each 3 s cycle's trough is seen (24x at 25 Hz saw ~1 a
    // second: troughs missed, and the rate came out anywhere from 30 to 49 KiB/h).
    const target = await connect(fw, 'sim:?speed=8');
    const rows = ['t,g_heap.used,g_heap.free'];
    try {
      for await (const s of target.sample<{ g_ticks: number; 'g_heap.used': number; 'g_heap.free': number }>(
        ['g_ticks', 'g_heap.used', 'g_heap.free'],
        { rateHz: 50, durationS: 75 },
      )) {
        // A loaded host can starve the emulator between two reads: the same firmware time twice is one row.
        if (s.values.g_ticks / 1000 <= firmwareSeconds) continue;
        firmwareSeconds = s.values.g_ticks / 1000;
        rows.push(`${firmwareSeconds},${s.values['g_heap.used']},${s.values['g_heap.free']}`);
        // 4 min of firmware time is plenty for the verdict: ~30 s here, longer on a loaded host.
        if (firmwareSeconds >= 240) break;
      }
    } finally {
      await target.close();
    }
    csv = join(mkdtempSync(join(tmpdir(), 'hs-api-rec-')), 'leak.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
  }, 100_000);

  it('covered enough firmware time to judge (else the host was too slow for this test)', () => {
    expect(firmwareSeconds).toBeGreaterThanOrEqual(240);
  });

  it('reads back as aligned columns with increasing t', async () => {
    const rec = await readRecording(csv);
    expect(rec.columns).toEqual(['g_heap.used', 'g_heap.free']);
    expect(rec.values['g_heap.used']!.length).toBe(rec.t.length);
    for (let i = 1; i < rec.t.length; i++) expect(rec.t[i]!).toBeGreaterThan(rec.t[i - 1]!);
    for (let i = 0; i < rec.t.length; i++) expect(rec.values['g_heap.used']![i]! + rec.values['g_heap.free']![i]!).toBe(16384);
  });

  it('is judged a leak at the firmware leak rate by the detector', async () => {
    const rec = await readRecording(csv, { columns: ['g_heap.used'] });
    const d = leakDetector({ direction: 'used', capacityBytes: 16384, timeScale: 0.1 });
    const used = rec.values['g_heap.used']!;
    rec.t.forEach((t, i) => d.push(t, used[i]!));
    const r = d.result();
    expect(r.verdict, r.reason).toBe('leak');
    expect(r.rateBytesPerHour! / KIB).toBeGreaterThan(30);
    expect(r.rateBytesPerHour! / KIB).toBeLessThan(45);
  });

  it('names the columns it has when asked for one it has not', async () => {
    await expect(readRecording(csv, { columns: ['g_heap.nope'] })).rejects.toThrow(UsageError);
    await expect(readRecording(csv, { columns: ['g_heap.nope'] })).rejects.toThrow(/g_heap\.used/);
  });

  it('gets the same verdict from examples/analyse-recording.mjs, which exits 10 on a leak', async () => {
    const run = await runExample('analyse-recording.mjs', [csv, 'g_heap.used', '16384']);
    expect(run.code).toBe(10);
    const out = JSON.parse(run.stdout) as { verdict: string; rateBytesPerHour: number };
    expect(out.verdict).toBe('leak');
    expect(out.rateBytesPerHour / KIB).toBeGreaterThan(30);
  });
});

describe('examples/read-once.mjs', () => {
  it('prints the firmware magic and a heap whose used + free is its capacity', async () => {
    const run = await runExample('read-once.mjs');
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { values: Record<string, number>; largestFree: number };
    expect(out.values.g_magic).toBe(0xc0ffee42);
    expect(out.values['g_heap.used']! + out.values['g_heap.free']!).toBe(out.values['g_heap.capacity']);
    expect(out.largestFree).toBeGreaterThan(0);
  });

  it('exits with the error class exit code and a message on an unreachable probe', async () => {
    const run = await runExample('read-once.mjs', ['', 'gdb://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: /m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
