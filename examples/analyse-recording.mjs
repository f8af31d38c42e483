// Judge a recording (heapscope CSV/JSONL, or MCUViewer / J-Scope CSV) with the streaming leak
// detector, column by column, and print the verdict as JSON; exit 10 on a leak (as `report --fail-on leak`).
//   node examples/analyse-recording.mjs soak.csv [column] [capacityBytes]
import { leakDetector, readRecording } from '../dist/src/index.js';

const [path, column = 'g_heap.used', capacity] = process.argv.slice(2);
if (!path) {
  console.error('usage: node examples/analyse-recording.mjs soak.csv [column] [capacityBytes]');
  process.exit(2);
}
const rec = await readRecording(path, { columns: [column] });
const direction = /free/i.test(column) ? 'free' : 'used';
const detector = leakDetector({ direction, ...(capacity ? { capacityBytes: Number(capacity) } : {}), timeScale: 0.1 });
const values = rec.values[column];
for (let i = 0; i < rec.t.length; i++) detector.push(rec.t[i], Number.isNaN(values[i]) ? null : values[i]);
const r = detector.result();
console.log(JSON.stringify({ path, column, rows: rec.t.length, verdict: r.verdict, rateBytesPerHour: r.rateBytesPerHour, reason: r.reason }));
if (r.verdict === 'leak') process.exitCode = 10;
