// Tuning run (not a test): scores the detector on the TUNING seeds (DRIFT_SET=heldout for the held-out
// ones, DRIFT_SET=fresh for the final-report range FRESH_SEEDS; DRIFT_FIRST/DRIFT_COUNT=N override the
// range; DRIFT_KINDS=slow-leak,warmup limits the kinds). Compile and run:
//   npx tsc --outDir /tmp/hs --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
//     --skipLibCheck --strict --types node tests/drift/tune.ts && node /tmp/hs/tests/drift/tune.js
import { liveFalseAlarms, runSet, score } from './eval-set.js';
import { ALL_KINDS, NO_LEAK_KINDS, TUNING_SEEDS, HELD_OUT_SEEDS, type TraceKind } from '../fixtures/drift/generate.js';

/** Never used for tuning. 700_000.. was run once on 2026-11-26 (stop 10: precision 1, recall 1, slow-leak delay median
 *  0.92 h, worst 3.13 h); 800_000.. once on 2026-11-26 (stop 11, after the step/warm-up/shape fixes: precision 1,
 *  recall 1, slow-leak delay median 1.22 h, worst 2.83 h; live view wrong at 3.4 % of checks, was 7.2 %). Both have
 *  been seen now: pick a new range for the next unseen check. */
const FRESH_SEEDS = { first: 900_000_000, count: 20 };

const which =
  process.env.DRIFT_SET === 'heldout' ? HELD_OUT_SEEDS : process.env.DRIFT_SET === 'fresh' ? FRESH_SEEDS : TUNING_SEEDS;
const first = Number(process.env.DRIFT_FIRST ?? which.first);
const count = Number(process.env.DRIFT_COUNT ?? which.count);
const kinds = process.env.DRIFT_KINDS ? (process.env.DRIFT_KINDS.split(',') as TraceKind[]) : ALL_KINDS;
const t0 = Date.now();
const set = runSet(first, count, kinds);
const s = score(set);
console.log(JSON.stringify({ ...s, failures: s.failures.length, ms: Date.now() - t0 }, null, 1));
for (const f of s.failures) console.log(f);
const slow = set
  .filter((x) => x.trace.kind === 'slow-leak' && x.result.verdict === 'leak')
  .map((x) => ({ seed: x.trace.seed, h: (x.result.detectedAtS! - x.trace.leakStartS!) / 3600 }))
  .sort((a, b) => b.h - a.h);
if (slow.length) console.log('slowest:', slow.slice(0, 8).map((x) => `#${x.seed} ${x.h.toFixed(2)}h`).join(' '));
const und = set.filter((x) => !x.trace.leak && x.result.verdict === 'undecided');
for (const x of und.slice(0, 20)) console.log(`undecided ${x.trace.kind}#${x.trace.seed}: ${x.result.reason}`);

// DRIFT_LIVE=1: how often a live view (verdict asked every 30 min) showed a healthy trace as leaking.
if (process.env.DRIFT_LIVE) {
  const live = liveFalseAlarms(first, count, kinds.filter((k) => (NO_LEAK_KINDS as readonly string[]).includes(k)));
  console.log(
    `live: ${live.tracesEverAlarmed}/${live.traces} healthy traces ever shown as leak; ` +
      `${(100 * live.alarmShare).toFixed(2)} % of checks wrong`,
  );
  for (const [k, v] of Object.entries(live.byKind))
    console.log(`  ${k}: ${v.ever}/${v.traces} ever, ${(100 * v.share).toFixed(1)} % of checks`);
}
