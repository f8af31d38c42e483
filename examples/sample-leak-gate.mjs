// Sample the heap counter at 50 Hz for 10 s and fail (exit 1) if the leak detector says `leak`: a
// CI gate in a few lines.
//   node examples/sample-leak-gate.mjs [fw.elf] [probe-url] [seconds]
// Time axis: the firmware's own millisecond tick (g_ticks), so the verdict is about firmware time
// even when the emulator runs faster than real time (the default URL runs it at 32x: 10 s of wall time
// are ~5 min of firmware time when the host keeps up, enough for the demo's 3 s saw-tooth). On a real
// board push the host time `s.t` (or your tick counter) and run for many saw-tooth periods: a verdict
// needs a steady trend, and `undecided` says how much more it needs.
import { fileURLToPath } from 'node:url';
import { connect, leakDetector, loadFirmware } from '../dist/src/index.js';

const elf = process.argv[2] || fileURLToPath(new URL('../firmware/prebuilt/heapdemo-m0plus-leak.elf', import.meta.url));
const url = process.argv[3] || 'sim:?speed=32';
const durationS = Number(process.argv[4] || 10);

const fw = await loadFirmware(elf);
const capacityBytes = fw.detectAllocator()?.capacityBytes;
const target = await connect(fw, url);
// timeScale 0.1: 6 s baseline windows (a few periods of the demo's 3 s saw-tooth), as `--drift-window 6`.
const detector = leakDetector({ direction: 'used', capacityBytes, timeScale: 0.1 });
const stream = target.sample(['g_ticks', 'g_heap.used'], { rateHz: 50, durationS });
let samples = 0;
try {
  for await (const { values } of stream) {
    detector.push(values.g_ticks / 1000, values['g_heap.used']);
    samples++;
  }
} finally {
  await target.close();
}
const r = detector.result();
console.log(JSON.stringify({ samples, dropped: stream.stats().dropped, verdict: r.verdict, rateBytesPerHour: r.rateBytesPerHour, reason: r.reason }));
if (r.verdict === 'leak') process.exitCode = 1;
