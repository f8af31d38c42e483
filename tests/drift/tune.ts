// Tuning run (not a test): scores the detector on the TUNING seeds (DRIFT_SET=heldout for the held-out
// ones; DRIFT_COUNT=N seeds per kind). Compile and run:
//   npx tsc --outDir /tmp/hs --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
//     --skipLibCheck --strict --types node tests/drift/tune.ts && node /tmp/hs/tests/drift/tune.js
import { runSet, score } from './eval-set.js';
import { TUNING_SEEDS, HELD_OUT_SEEDS } from '../fixtures/drift/generate.js';

const which = process.env.DRIFT_SET === 'heldout' ? HELD_OUT_SEEDS : TUNING_SEEDS;
const count = Number(process.env.DRIFT_COUNT ?? which.count);
const t0 = Date.now();
const set = runSet(which.first, count);
const s = score(set);
console.log(JSON.stringify({ ...s, failures: s.failures.length, ms: Date.now() - t0 }, null, 1));
for (const f of s.failures) console.log(f);
const und = set.filter((x) => !x.trace.leak && x.result.verdict === 'undecided');
for (const x of und.slice(0, 20)) console.log(`undecided ${x.trace.kind}#${x.trace.seed}: ${x.result.reason}`);
