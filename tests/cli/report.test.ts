// `heapscope report` end to end: runs the built CLI (npm run build first) on recordings written by the
// labelled-trace generator, in a temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrace } from '../fixtures/drift/write-trace.js';

let dir = '';
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/heapscope.js', 'report', ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapscope-report-'));
  writeTrace('slow-leak', 11, join(dir, 'leak.csv'), { hours: 8 });
  writeTrace('sawtooth', 11, join(dir, 'ok.csv'), { hours: 8 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('heapscope report', () => {
  it('--json follows the issue 7 contract', () => {
    const r = run(join(dir, 'leak.csv'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const s = j.signals.find((x: { name: string }) => x.name === 'g_heap.used');
    expect(s.verdict).toBe('leak');
    expect(typeof s.rateBytesPerHour).toBe('number');
    expect(s.rateCI).toHaveLength(2);
    expect(typeof s.timeToExhaustionHours).toBe('number');
    expect(typeof s.detectedAtS).toBe('number');
    expect(['creep', 'stable', 'undecided']).toContain(j.fragmentation.verdict);
    expect('index' in j.fragmentation && 'largestFreeTrendBytesPerHour' in j.fragmentation).toBe(true);
  });

  it('--fail-on leak exits 10 on a leaking recording', () => {
    expect(run(join(dir, 'leak.csv'), '--fail-on', 'leak').status).toBe(10);
  });

  it('--fail-on leak exits 0 on a healthy saw-tooth and uses null where a number does not apply', () => {
    const r = run(join(dir, 'ok.csv'), '--fail-on', 'leak', '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout).signals[0];
    expect(s.verdict).toBe('no-leak');
    expect(s.timeToExhaustionHours).toBeNull();
    expect(s.detectedAtS).toBeNull();
  });

  it('says which columns it picked and gives a verdict paragraph per signal', () => {
    const r = run(join(dir, 'leak.csv'));
    expect(r.stdout).toMatch(/g_heap\.used \(heap used, picked by role 'used' in the meta\): LEAK/);
    expect(r.stdout).toMatch(/g_heap\.free \(heap free, picked by role 'free' in the meta\)/);
    expect(r.stdout).toMatch(/fragmentation \(g_heap\.free vs g_heap\.largest_free\)/);
  });

  it('--html writes one self-contained page with an SVG chart per signal and no network references', () => {
    const out = join(dir, 'r.html');
    expect(run(join(dir, 'leak.csv'), '--html', out).status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('reads a foreign CSV with a `time [ms]` column, semicolons, and picks xFreeBytesRemaining by name', () => {
    const lines = ['time [ms];xFreeBytesRemaining;xMinimumEverFreeBytesRemaining'];
    for (let i = 0; i < 4 * 3600; i++) lines.push(`${i * 1000};${30000 - (i % 50) * 40};20000`);
    writeFileSync(join(dir, 'foreign.csv'), lines.join('\n'));
    const r = run(join(dir, 'foreign.csv'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.signals.map((s: { name: string }) => s.name)).toEqual(['xFreeBytesRemaining']);
    expect(j.durationS).toBeCloseTo(4 * 3600 - 1, 0);
  });

  it('reads a heapscope JSONL recording, skipping event lines, and breaks nothing on a gap event', () => {
    const lines: string[] = [];
    for (let i = 0; i < 2 * 720; i++) {
      if (i === 700) lines.push(JSON.stringify({ event: 'gap', t: i * 5, reason: 'probe lost' }));
      lines.push(JSON.stringify({ t: i * 5, wall: new Date(i * 5000).toISOString(), values: { 'heap.used': 20000 + (i % 12) * 300 } }));
    }
    writeFileSync(join(dir, 'rec.jsonl'), lines.join('\n') + '\n');
    const r = run(join(dir, 'rec.jsonl'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rows).toBe(1440);
    expect(j.signals[0].name).toBe('heap.used');
    expect(j.signals[0].verdict).not.toBe('leak');
  });

  it('a column that does not exist is a usage error (exit 2) that lists the columns', () => {
    const r = run(join(dir, 'ok.csv'), '--used', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no column 'nope'.*g_heap\.used/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('a file without a time column is refused with a message, not a stack', () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n');
    const r = run(join(dir, 'bad.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no time column/);
  });
  it('reads columns filled only every 10th row (walked free bytes and largest block) as sampled less often, not as gaps', () => {
    // The saw-tooth recording with free and largest-free emptied in 9 rows of 10, as `record` writes a heap
    // walk's columns beside counters read every tick.
    const lines = readFileSync(join(dir, 'ok.csv'), 'utf8').trimEnd().split('\n');
    const sparse = lines.map((l, i) => (i === 0 || i % 10 === 0 ? l : l.replace(/,[^,]*,[^,]*$/, ',,')));
    writeFileSync(join(dir, 'sparse.csv'), sparse.join('\n') + '\n');
    writeFileSync(join(dir, 'sparse.csv.meta.json'), readFileSync(join(dir, 'ok.csv.meta.json')));
    const r = run(join(dir, 'sparse.csv'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const free = j.signals.find((x: { name: string }) => x.name === 'g_heap.free');
    expect(free.gaps).toBe(0);
    expect(free.verdict).not.toBe('leak');
    expect(j.fragmentation.verdict).not.toBe('undecided');
  });
});
