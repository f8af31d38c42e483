// Drift benchmark: (1) streaming cost per sample of the leak detector (goal < 2 us), side by side with
// a loop that only takes a min (the floor any streaming baseline pays); (2) `report` on a 24 h x 100 Hz
// x 8 signal CSV (70 M values) generated into the temp dir: time and peak RSS, as a ratio to a pass
// that only parses the same file with the same reader (goal < 30 s, < 500 MB).
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createLeakDetector } from '../src/drift/index.js';
import { scanRecording } from '../src/record/reader.js';
import { analyseRecording } from '../src/report/analyse.js';

function sawtooth(i: number, hz: number): number {
  const t = i / hz;
  return 20000 + t * (600 / 3600) + ((t % 37) / 37) * 8000 + ((i * 2654435761) % 97);
}

async function writeBigCsv(path: string, hours: number, hz: number, signals: number): Promise<number> {
  const out = createWriteStream(path);
  const cols = ['g_heap.used', 'g_heap.free', 'g_heap.largest_free'];
  for (let k = cols.length; k < signals; k++) cols.push(`g_stat${k}`);
  out.write(`t,wall,${cols.join(',')}\n`);
  const n = hours * 3600 * hz;
  const start = Date.UTC(2026, 0, 1);
  let buf = '';
  for (let i = 0; i < n; i++) {
    const used = Math.round(sawtooth(i, hz));
    const free = 131072 - used;
    let line = `${(i / hz).toFixed(2)},${new Date(start + (i * 1000) / hz).toISOString()},${used},${free},${Math.round(free * 0.6)}`;
    for (let k = 3; k < signals; k++) line += `,${(i * (k + 7)) % 1000}`;
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.write(buf);
  out.end();
  await once(out, 'finish');
  return n;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export async function run(): Promise<void> {
  // (1) streaming cost per sample: 24 h at 100 Hz = 8.64 M samples through one detector.
  const hz = 100;
  const n = 24 * 3600 * hz;
  let t0 = process.hrtime.bigint();
  let m = Infinity;
  for (let i = 0; i < n; i++) {
    const v = sawtooth(i, hz);
    if (v < m) m = v;
  }
  const floorNs = Number(process.hrtime.bigint() - t0) / n;
  if (m === -1) process.stdout.write('');
  const det = createLeakDetector({ direction: 'used', capacityBytes: 131072 });
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) det.push(i / hz, sawtooth(i, hz));
  const r = det.result();
  const detNs = Number(process.hrtime.bigint() - t0) / n;
  process.stdout.write(
    `streaming: ${(detNs / 1000).toFixed(3)} us/sample (goal < 2 us), ${(detNs / floorNs).toFixed(1)}x a bare min() loop ` +
      `(${floorNs.toFixed(0)} ns); verdict ${r.verdict} ${r.rateBytesPerHour?.toFixed(0)} B/h (true 600)\n`,
  );

  // (2) report on a 24 h x 100 Hz x 8 signal CSV.
  const path = join(tmpdir(), `heapscope-bench-drift-${process.pid}.csv`);
  try {
    const wroteStart = Date.now();
    const rows = await writeBigCsv(path, 24, hz, 8);
    const size = statSync(path).size;
    process.stdout.write(`file: ${rows} rows x 8 signals, ${(size / 1e9).toFixed(2)} GB (written in ${((Date.now() - wroteStart) / 1000).toFixed(0)} s)\n`);
    const rssBefore = peakRssMb();
    let s0 = Date.now();
    let sink = 0;
    await scanRecording(path, () => {}, (_t, v) => {
      sink += v[0]!;
    });
    const parseS = (Date.now() - s0) / 1000;
    s0 = Date.now();
    const data = await analyseRecording(path, {});
    const reportS = (Date.now() - s0) / 1000;
    const peak = peakRssMb();
    process.stdout.write(
      `report: ${reportS.toFixed(1)} s (goal < 30 s) = ${(reportS / parseS).toFixed(2)}x parse-only (${parseS.toFixed(1)} s); ` +
        `peak RSS ${peak.toFixed(0)} MB (goal < 500 MB; ${rssBefore.toFixed(0)} MB before the file passes); ` +
        `verdicts: ${data.signals.map((x) => `${x.name}=${x.result.verdict}`).join(', ')}${sink ? '' : ''}\n`,
    );
  } finally {
    rmSync(path, { force: true });
  }
}
