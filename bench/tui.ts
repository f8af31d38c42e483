// Dashboard frame cost vs history length: one frame (every chart's window query + braille render +
// stats) with 24 h of history at 100 Hz x 8 signals, against the same with 1 minute of history.
// The ratio must stay near 1: render cost depends on the screen, not on the run's length.
import { renderChart } from '../src/tui/chart-render.js';
import { LiveSource } from '../src/tui/live-source.js';
import { renderStatsPane } from '../src/tui/panes.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIGNALS = 8;
const RATE = 100;
const WIDTH = 120;
const HEIGHT = 40;

function fill(seconds: number): LiveSource {
  const columns = Array.from({ length: SIGNALS }, (_, i) => `sig${i}`);
  const src = new LiveSource({
    title: 'bench',
    columns,
    roles: {},
    rateHz: RATE,
    status: () => ({ probe: 'bench', connected: true, reconnects: 0, requestedHz: RATE, achievedHz: RATE, latenessP99Ms: 0, overruns: 0, elapsedS: seconds }),
  });
  const values = new Array<number>(SIGNALS);
  const n = seconds * RATE;
  for (let k = 0; k < n; k++) {
    const t = k / RATE;
    for (let i = 0; i < SIGNALS; i++) values[i] = 1000 * i + ((t * (i + 1)) % 300) + t * 0.01;
    src.onSample({ t, wallMs: t * 1000, values });
  }
  return src;
}

function frame(src: LiveSource, spanS: number | null): number {
  const [t0, t1] = src.timeRange();
  const span = spanS ?? t1 - t0;
  const chartW = WIDTH - 40;
  const chartH = Math.floor((HEIGHT - 2) / SIGNALS);
  let chars = 0;
  for (let i = 0; i < SIGNALS; i++) {
    const w = src.window(i, t1 - span, t1, (chartW - 10) * 2);
    chars += renderChart({ windows: [w], spanS: span, width: chartW - 2, height: chartH - 2, color: true }).join('').length;
  }
  chars += renderStatsPane(src, 38, SIGNALS + 2, []).length;
  return chars;
}

function timeFrames(src: LiveSource, spanS: number | null, frames: number): number {
  frame(src, spanS); // warm up
  const t = process.hrtime.bigint();
  for (let f = 0; f < frames; f++) frame(src, spanS);
  return Number(process.hrtime.bigint() - t) / 1e6 / frames;
}

export async function run(): Promise<void> {
  const fillStart = process.hrtime.bigint();
  const day = fill(24 * 3600);
  const fillMs = Number(process.hrtime.bigint() - fillStart) / 1e6;
  const minute = fill(60);
  const frames = 50;
  const rows: Array<[string, number]> = [];
  // Interleave the two cases so that machine noise hits both alike.
  let a = 0;
  let b = 0;
  let c = 0;
  for (let rep = 0; rep < 3; rep++) {
    a += timeFrames(minute, 60, frames);
    b += timeFrames(day, 60, frames);
    c += timeFrames(day, null, frames);
  }
  rows.push(['1 min history, 1 min window', a / 3], ['24 h history, 1 min window', b / 3], ['24 h history, whole run', c / 3]);
  for (const [label, ms] of rows) process.stdout.write(`${label.padEnd(32)} ${ms.toFixed(3)} ms/frame\n`);
  process.stdout.write(`ratio 24h/1min (1 min window): ${(b / a).toFixed(2)}  (goal: near 1)\n`);
  process.stdout.write(`ratio 24h whole run / 1 min history: ${(c / a).toFixed(2)}  (goal: near 1)\n`);
  process.stdout.write(`frame budget at 10 fps: 100 ms; filling 24 h x ${SIGNALS} signals x ${RATE} Hz took ${(fillMs / 1000).toFixed(1)} s ` +
    `(${((fillMs * 1e3) / (24 * 3600 * RATE)).toFixed(2)} µs per sample of ${SIGNALS} values)\n`);
  await runCpu();
}

// --- CPU use of `heapscope watch` at 100 Hz, drawing vs paused (sampling goes on in both) ---------
// The target is rp2040js's GDB server in its own process, so only heapscope's own CPU is counted.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cpuSeconds(pid: number): number {
  // utime + stime of the process (all threads), in clock ticks (100 per second on Linux).
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function freeTcpPort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCpu(): Promise<void> {
  const server = join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js');
  const elf = join(ROOT, 'firmware/prebuilt/heapdemo-m0plus-sawtooth.elf');
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    process.stdout.write('cpu: skipped (tmux not installed)\n');
    return;
  }
  if (!existsSync(server)) return void process.stdout.write('cpu: skipped (run npm run build)\n');
  const port = await freeTcpPort();
  const peer = spawn(process.execPath, [server, '--elf', elf, '--port', String(port)], { stdio: 'ignore', detached: true });
  const session = `hs-bench-${process.pid}`;
  try {
    await sleep(2000);
    const pidFile = join(ROOT, 'dist', `.bench-watch-${process.pid}.pid`);
    const cmd = `cd '${ROOT}' && echo $$ > '${pidFile}' && exec node bin/heapscope.js watch '${elf}' g_heap.used g_heap.free g_heap.largest_free g_heap.fragments --probe gdb://127.0.0.1:${port} --rate 100`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd]);
    await sleep(4000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const measure = async (): Promise<number> => {
      const c0 = cpuSeconds(pid);
      await sleep(10_000);
      return (cpuSeconds(pid) - c0) / 10;
    };
    const drawing = await measure();
    execFileSync('tmux', ['send-keys', '-t', session, ' ']);
    await sleep(500);
    const paused = await measure();
    process.stdout.write(
      `watch at 100 Hz: CPU ${(drawing * 100).toFixed(1)} % of a core while drawing at 10 fps, ` +
        `${(paused * 100).toFixed(1)} % with drawing paused (sampling only); drawing/paused ${(drawing / paused).toFixed(2)}\n`,
    );
  } finally {
    try {
      execFileSync('tmux', ['kill-session', '-t', session]);
    } catch {
      /* gone */
    }
    if (peer.pid) process.kill(-peer.pid, 'SIGTERM');
  }
}
