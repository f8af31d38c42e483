// `record` with no expressions on an allocator that keeps no largest-free-block counter (newlib-nano,
// the alloc-variants firmware on the built-in sim): the largest free block comes from walking the free
// list between ticks, in a heap.largest_free column the meta names as the `largest` role, without
// costing the counters their rate. Runs the built CLI (npm run build first).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapscope, type CliResult } from '../watch/cli-runner.js';
import { startCli, waitFor, type TmuxSession } from '../tui/tmux.js';
import { variantElf } from '../heap/helpers.js';
import type { RecordingMeta } from '../../src/record/meta.js';
import type { RecordSummary } from '../../src/cli/record.js';

const ELF = variantElf('newlib-nano');
const RATE = 10;
const DURATION_S = 5;
const dir = mkdtempSync(join(tmpdir(), 'heapscope-walk-'));
const withWalk = join(dir, 'walk.csv');
const noWalk = join(dir, 'nowalk.csv');
const common = ['--probe', `sim:${ELF}`, '--rate', String(RATE), '--duration', String(DURATION_S), '--json', '--quiet'];
let walked: CliResult;
let unwalked: CliResult;
let tlsf: Promise<CliResult>;
const TLSF = variantElf('tlsf');
const tlsfOut = join(dir, 'tlsf.csv');

type Row = Record<string, string>;
const rows = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];
const meta = (path: string): RecordingMeta => JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')) as RecordingMeta;

beforeAll(async () => {
  // All at once (the runner runs two at a time, the third when one is done).
  tlsf = heapscope('record', TLSF, '--probe', `sim:${TLSF}`, '--duration', '4', '--json', '--quiet', '--out', tlsfOut);
  [walked, unwalked] = await Promise.all([
    heapscope('record', ELF, ...common, '--out', withWalk),
    heapscope('record', ELF, ...common, '--out', noWalk, '--walk-hz', '0'),
  ]);
}, 90_000);
let dashboard: TmuxSession | null = null;
afterAll(() => {
  dashboard?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('record: largest free block by walking the heap', () => {
  it('fills heap.largest_free with numbers no larger than the free bytes of the same row', () => {
    expect(walked.err).toMatch(/by walking its free list at 1 Hz, heap\.largest_free, heap\.walk_free/);
    expect(walked.code).toBe(0);
    const r = rows(withWalk);
    expect(Object.keys(r[0]!)).toContain('heap.largest_free');
    const walkRows = r.filter((x) => x['heap.largest_free'] !== '');
    // 5 s at 1 Hz: a walk at t = 0 and about one a second after it (a torn one may leave a gap).
    expect(walkRows.length, walked.out).toBeGreaterThanOrEqual(3);
    expect(walkRows.length).toBeLessThanOrEqual(DURATION_S + 1);
    for (const x of walkRows) {
      const largest = Number(x['heap.largest_free']);
      const free = Number(x['heap.walk_free']);
      expect(Number.isInteger(largest)).toBe(true);
      expect(largest).toBeLessThanOrEqual(free);
    }
    // The workload has allocated and freed by the end: some walk found a free block.
    expect(Math.max(...walkRows.map((x) => Number(x['heap.largest_free'])))).toBeGreaterThan(0);
  });

  it('the meta says the column comes from a heap walk and gives it the largest role', () => {
    const m = meta(withWalk);
    const largest = m.watches.filter((w) => w.role === 'largest');
    expect(largest).toHaveLength(1);
    expect(largest[0]!.columns).toEqual(['heap.largest_free']);
    expect(largest[0]!.derived).toEqual({ from: 'heap-walk', allocator: 'newlib-nano', quantity: 'largestFree' });
    expect(m.watches.find((w) => w.role === 'free')?.columns).toEqual(['heap.walk_free']);
    // mallinfo is only refreshed when the firmware asks: recorded, but never judged by its name.
    expect(m.watches.find((w) => w.expr === '__malloc_current_mallinfo.fordblks')?.role).toBe('stale');
  });

  it('report judges fragmentation on the walked columns', async () => {
    const r = await heapscope('report', withWalk);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^fragmentation \(heap\.walk_free vs heap\.largest_free\)/m);
  });

  it('the counters keep their rate: one row per tick, no walk ran into the next tick', () => {
    const s = JSON.parse(walked.out) as RecordSummary;
    const r = rows(withWalk);
    expect(r.length).toBe(s.samples);
    // Every tick the schedule owed was served or counted as an overrun by the run itself...
    expect(s.samples + s.overruns).toBeGreaterThanOrEqual(Math.floor(RATE * s.elapsedS) - 2);
    // ...and those overruns were not the walk's: a walk starts only when it fits before the next tick
    // (one may still meet a read stalled by the loaded host, as a counter read can).
    expect(s.walk).not.toBeNull();
    expect(s.walk!.overran, JSON.stringify(s.walk)).toBeLessThanOrEqual(1);
    // One filled cell per walk that gave numbers (a gap leaves the cell empty).
    expect(r.filter((x) => x['heap.largest_free'] !== '').length).toBe(s.walk!.walks);
    expect(s.achievedHz).toEqual([{ requestedHz: RATE, achievedHz: expect.any(Number) }]);
  });

  it('walk-hz in --config sets the walk rate; the flag overrides it', async () => {
    const { resolveSettings } = await import('../../src/cli/record.js');
    const cfg = join(dir, 'soak.yaml');
    writeFileSync(cfg, `elf: ${ELF}\nprobe: sim:${ELF}\nwalk-hz: 0   # no heap walk\n`);
    expect(resolveSettings(undefined, [], { config: cfg }).walkHz).toBe(0);
    expect(resolveSettings(undefined, [], { config: cfg, walkHz: 0.2 }).walkHz).toBe(0.2);
    expect(resolveSettings(ELF, [], { probe: 'sim:' }).walkHz).toBe(1);
    writeFileSync(cfg, 'walk-hz: -1\n');
    expect(() => resolveSettings(ELF, [], { config: cfg, probe: 'sim:' })).toThrow(/walk-hz/);
    const { loadConfig } = await import('../../src/cli/config.js');
    expect(loadConfig(new URL('../../docs/soak.example.yaml', import.meta.url).pathname).walkHz).toBe(1);
  });

  it('an allocator with no counters at all (TLSF) is recorded by its walk alone, at the walk rate', async () => {
    const r = await tlsf;
    expect(r.err).toMatch(/recording the tlsf heap by walking its free list at 1 Hz/);
    expect(r.code).toBe(0);
    const rs = rows(tlsfOut);
    expect(Object.keys(rs[0]!)).toEqual(['t', 'wall', 'heap.largest_free', 'heap.walk_free']);
    expect(rs.length, r.out).toBeGreaterThanOrEqual(2);
    for (const x of rs) expect(Number(x['heap.largest_free'])).toBeLessThanOrEqual(Number(x['heap.walk_free']));
    expect(meta(tlsfOut).rates).toEqual([1]);
  });

  it('--walk-hz 0 leaves the column out', () => {
    expect(unwalked.code).toBe(0);
    const header = readFileSync(noWalk, 'utf8').split('\n')[0]!;
    expect(header).toBe('t,wall,__malloc_current_mallinfo.arena,__malloc_current_mallinfo.uordblks,__malloc_current_mallinfo.fordblks');
    expect(meta(noWalk).watches.some((w) => w.derived)).toBe(false);
    expect((JSON.parse(unwalked.out) as RecordSummary).walk).toBeNull();
  });
});

describe('watch: largest free block by walking the heap', () => {
  it('the dashboard judges fragmentation on the walk, and --record keeps the column and its role', async () => {
    const rec = join(dir, 'live.csv');
    const s = startCli(['watch', ELF, '--probe', `sim:${ELF}`, '--rate', '10', '--record', rec], 120, 40);
    dashboard = s;
    // The drift pane's fragmentation line needs both walk columns: "largest 820 B of 2.4 KiB free".
    await waitFor('fragmentation from the walk', () => /largest \d+ B of [\d.]+ (KiB|B) free/.test(s.capture()), 30_000, () => s.capture());
    expect(s.capture()).toMatch(/heap\.largest_free\s+\d+/);
    s.keys('q');
    await waitFor('exit', () => !s.alive(), 10_000, () => s.capture());
    expect(s.exitCode()).toBe(0);
    expect(rows(rec).some((x) => /^\d+$/.test(x['heap.largest_free'] ?? ''))).toBe(true);
    expect(meta(rec).watches.find((w) => w.role === 'largest')?.derived?.from).toBe('heap-walk');
  }, 60_000);
});
