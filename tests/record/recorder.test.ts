import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppendFile } from '../../src/record/append-file.js';
import { OutputError } from '../../src/record/errors.js';
import type { RecordingMeta } from '../../src/record/meta.js';
import { Recorder, RecordingFailedError } from '../../src/record/recorder.js';
import type { Sample } from '../../src/sample/types.js';

const columns = ['g_heap.used', 'g_heap.free', 'g_name'];
const meta: RecordingMeta = {
  heapscope: '0.1.0',
  format: 'csv',
  elf: { path: '/fw.elf', sha256: 'ab'.repeat(32), buildId: null },
  probe: 'sim rp2040js',
  startedAt: '2026-01-01T00:00:00.000Z',
  watches: [{ expr: 'g_heap', address: 0x20000100, typeName: 'struct heap_stats', rateHz: 10, columns: columns.slice(0, 2) }],
  rates: [10],
  host: { name: 'h', platform: 'linux', release: 'x', node: 'v20' },
};
const wall0 = Date.UTC(2026, 0, 1);

function sample(i: number): Sample {
  return { t: i / 10, wallMs: wall0 + i * 100, values: [1000 + i, 5000 - i, i % 2 ? 'a,"b"' : undefined] };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapscope-rec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Recorder CSV', () => {
  it('round-trips: header t,wall,<columns>, one row per sample, empty cell for no value, a gap row', () => {
    const path = join(dir, 'a.csv');
    const r = new Recorder({ path, format: 'csv', columns, meta, flushIntervalMs: 0 });
    for (let i = 0; i < 5; i++) r.writeSample(sample(i));
    r.writeEvent({ event: 'gap', t: 0.5, wallMs: wall0 + 500, reason: 'probe lost' });
    r.writeEvent({ event: 'reconnect', t: 1.5, wallMs: wall0 + 1500, downS: 1, attempts: 2 });
    r.writeSample(sample(15));
    const res = r.close();
    expect(res.samples).toBe(6);
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['t', 'wall', ...columns]);
    expect(rows).toHaveLength(7);
    expect(rows[1]).toEqual({ t: '0.1', wall: '2026-01-01T00:00:00.100Z', 'g_heap.used': '1001', 'g_heap.free': '4999', g_name: 'a,"b"' });
    expect(rows[0]!.g_name).toBe('');
    expect(rows[5]).toEqual({ t: '0.5', wall: '2026-01-01T00:00:00.500Z', 'g_heap.used': '', 'g_heap.free': '', g_name: '' });
    const m = JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')) as RecordingMeta;
    expect(m.watches[0]!.address).toBe(0x20000100);
    expect(m.samples).toBe(6);
    expect(m.gaps).toEqual([{ t: 0.5, wall: '2026-01-01T00:00:00.500Z', reason: 'probe lost', downS: 1 }]);
    expect(m.endedAt).toBeTypeOf('string');
  });

  it('refuses to overwrite an existing recording unless asked', () => {
    const path = join(dir, 'a.csv');
    expect(() => new Recorder({ path, format: 'csv', columns, meta })).toThrow(/already exists.*--overwrite/);
    const r = new Recorder({ path, format: 'csv', columns, meta, overwrite: true });
    r.writeSample(sample(1));
    r.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('Recorder JSONL', () => {
  it('round-trips samples and gap/reconnect/mark event lines', () => {
    const path = join(dir, 'b.jsonl');
    const r = new Recorder({ path, format: 'jsonl', columns, meta: { ...meta, format: 'jsonl' } });
    r.writeSample({ ...sample(0), values: [1n << 60n, 7, null], target: 123 });
    r.writeEvent({ event: 'gap', t: 0.1, wallMs: wall0 + 100, reason: 'ECONNRESET' });
    r.writeEvent({ event: 'reconnect', t: 2, wallMs: wall0 + 2000, downS: 1.9, attempts: 3 });
    r.writeEvent({ event: 'mark', t: 2.5, wallMs: wall0 + 2500, text: 'firmware updated' });
    r.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      t: 0,
      wall: '2026-01-01T00:00:00.000Z',
      values: { 'g_heap.used': '1152921504606846976', 'g_heap.free': 7, g_name: null },
      target: 123,
    });
    expect(lines.slice(1).map((l) => l.event)).toEqual(['gap', 'reconnect', 'mark']);
    expect(lines[2]).toMatchObject({ downS: 1.9, attempts: 3 });
    expect(lines[3]).toMatchObject({ text: 'firmware updated' });
  });
});

describe('Recorder rotation', () => {
  it('by size: numbered files, each with its header and meta, rows continue in order', () => {
    const path = join(dir, 'rot', 'soak.csv');
    mkdirSync(join(dir, 'rot'));
    const r = new Recorder({ path, format: 'csv', columns, meta, rotate: { kind: 'size', bytes: 2048 } });
    for (let i = 0; i < 200; i++) r.writeSample(sample(i));
    const res = r.close();
    expect(res.files.length).toBeGreaterThan(3);
    expect(res.files[0]).toBe(join(dir, 'rot', 'soak.0001.csv'));
    const ts: number[] = [];
    res.files.forEach((f, k) => {
      const text = readFileSync(f, 'utf8');
      expect(text.length).toBeLessThanOrEqual(2048);
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      ts.push(...rows.map((x) => Number(x.t)));
      const m = JSON.parse(readFileSync(`${f}.meta.json`, 'utf8')) as RecordingMeta;
      expect(m.segment).toEqual({ index: k + 1, first: 'soak.0001.csv' });
      expect(m.samples).toBe(rows.length);
    });
    expect(ts).toEqual(Array.from({ length: 200 }, (_, i) => i / 10));
  });

  it('by time: a new file every rotation period of sample time', () => {
    const path = join(dir, 'rot', 'timed.jsonl');
    const r = new Recorder({ path, format: 'jsonl', columns, meta, rotate: { kind: 'time', seconds: 5 } });
    for (let i = 0; i < 120; i++) r.writeSample(sample(i)); // 12 s
    const res = r.close();
    expect(res.files.map((f) => f.slice(-11))).toEqual(['0001.jsonl', '0002.jsonl', '0003.jsonl'].map((s) => `timed.${s}`.slice(-11)));
    const firstOfSecond = JSON.parse(readFileSync(res.files[1]!, 'utf8').split('\n')[0]!) as { t: number };
    expect(firstOfSecond.t).toBe(5);
  });
});

describe('Recorder on a full disk', () => {
  // A real small file system: a 64 KiB tmpfs (needs root / CAP_SYS_ADMIN). Without it, /dev/full
  // (every write fails with ENOSPC) still exercises the error path.
  let mnt: string | null = null;
  beforeAll(() => {
    const m = join(dir, 'tiny');
    mkdirSync(m);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', m], { stdio: 'ignore' });
      mnt = m;
    } catch {
      mnt = null;
    }
  });
  afterAll(() => {
    if (mnt) execFileSync('umount', [mnt], { stdio: 'ignore' });
  });

  it('keeps rows in memory while the disk refuses them, says so once, and on close reports what was saved and rescues the rest', (ctx) => {
    if (!mnt) ctx.skip();
    const path = join(mnt!, 'full.csv');
    const trouble: string[] = [];
    const r = new Recorder({
      path,
      format: 'csv',
      columns,
      meta,
      flushIntervalMs: 0,
      onWriteTrouble: (m) => trouble.push(m),
    });
    const n = 4000; // ~200 kB of rows: far more than 64 KiB
    for (let i = 0; i < n; i++) {
      r.writeSample(sample(i));
      if (i % 100 === 0) r.flush();
    }
    expect(trouble).toHaveLength(1);
    expect(trouble[0]).toMatch(/no space left on device \(ENOSPC\).*keeping \d+ bytes in memory/);
    let err: unknown;
    try {
      r.close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordingFailedError);
    const f = err as RecordingFailedError;
    expect(f.exitCode).toBe(5);
    expect(f.message).toMatch(/Saved \d+ rows .* in .*full\.csv; the last \d+ rows could not be written there and were saved to /);
    // Nothing read is lost: rows on the small disk + rows in the rescue file = every sample.
    const onDisk = readFileSync(path, 'utf8');
    const complete = onDisk.slice(0, onDisk.lastIndexOf('\n') + 1);
    const rescued = readFileSync(f.result.rescuePath!, 'utf8');
    const rowsOnDisk = (parse(complete, { columns: true }) as unknown[]).length;
    // A row cut in half by ENOSPC is completed in the rescue file (it holds the unwritten tail).
    const tail = onDisk.slice(onDisk.lastIndexOf('\n') + 1);
    const rescueBody = rescued.slice(rescued.indexOf('\n') + 1);
    const header = rescued.slice(0, rescued.indexOf('\n') + 1);
    const rescuedRows = (parse(header + tail + rescueBody, { columns: true }) as unknown[]).length;
    expect(rowsOnDisk + rescuedRows).toBe(n);
    rmSync(f.result.rescuePath!);
  });

  it('a write error (ENOSPC from /dev/full) surfaces as an OutputError with an actionable message', () => {
    const f = new AppendFile('/dev/full', { maxPendingBytes: 1000 });
    f.append('x'.repeat(10));
    expect(f.flush()).toBe(false);
    expect(f.bytesPending).toBe(10);
    expect(() => f.append('y'.repeat(2000))).toThrow(OutputError);
    expect(() => f.close()).toThrow(/could not write the last 2010 bytes to \/dev\/full: no space left on device/);
  });

  it('a directory that does not exist is an OutputError naming it', () => {
    expect(() => new Recorder({ path: join(dir, 'nope', 'x.csv'), format: 'csv', columns, meta })).toThrow(
      /cannot (open|write) .*nope\/x\.csv.*: directory does not exist/,
    );
    expect(existsSync(join(dir, 'nope'))).toBe(false);
    expect(readdirSync(dir)).not.toContain('nope');
  });
});

describe('marks in a CSV recording', () => {
  it('go into the meta file at once, since CSV has no event rows', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hs-marks-')), 'm.csv');
    const meta: RecordingMeta = {
      heapscope: 'test',
      format: 'csv',
      elf: { path: 'fw.elf', sha256: null, buildId: null },
      probe: 'test',
      startedAt: new Date(0).toISOString(),
      watches: [],
      rates: [10],
      host: { name: 'h', platform: 'linux', release: 'x', node: process.version },
    };
    const r = new Recorder({ path, format: 'csv', columns: ['a'], meta });
    r.writeSample({ t: 0, wallMs: 0, values: [1] });
    r.writeEvent({ event: 'mark', t: 0.5, wallMs: 500, text: 'door opened' });
    const during = JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')) as { marks?: { text: string; t: number }[] };
    expect(during.marks).toEqual([{ t: 0.5, wall: new Date(500).toISOString(), text: 'door opened' }]);
    r.close();
    const after = JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')) as { marks?: unknown[] };
    expect(after.marks).toHaveLength(1);
  });
});
