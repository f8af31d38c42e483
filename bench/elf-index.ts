// Index a LARGE firmware ELF (tens of MB of .debug_info) and compare, in one run, on the same file:
//   heapscope   openElf + loadDebugInfo + variables() (+ typeName of each), in a child node process
//   gdb         gdb-multiarch -batch -nx -ex 'info variables' ELF     (loads and prints every variable)
//   readelf     readelf --debug-dump=info ELF > /dev/null              (decodes every DIE)
// Wall and CPU time of each whole process (startup included for all three) and peak RSS, as ratios.
// The ELF is generated from C (thousands of struct types and globals, many compilation units that
// all carry every type, like a firmware with a big shared header) and cached in os.tmpdir().
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const STRUCTS = 2000; // struct types in the shared header, emitted in every unit
const UNITS = 48; // compilation units
const GLOBALS_PER_UNIT = 120; // globals + as many file-statics per unit
const RUNS = 2; // best of N for each tool
const TOOL_TIMEOUT_MS = 300_000;
const CACHE = join(tmpdir(), `heapscope-bench-elf-index-v1-${STRUCTS}x${UNITS}x${GLOBALS_PER_UNIT}`);

function say(line: string): void {
  process.stdout.write(line + '\n');
}

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function headerSource(): string {
  const out = ['#include <stdint.h>', ''];
  for (let e = 0; e < 50; e++) out.push(`enum kind${e} { K${e}_A, K${e}_B, K${e}_C = ${e + 2} };`);
  for (let i = 0; i < STRUCTS; i++) {
    const prev = i === 0 ? 'void' : `struct s${i - 1}`;
    out.push(
      `struct s${i} {`,
      `  uint32_t a; int16_t b; uint8_t c[8]; ${prev} *prev;`,
      `  union { uint32_t w; float f; uint8_t bytes[4]; } u;`,
      `  unsigned bf1 : 3; unsigned bf2 : 7; signed bf3 : 5;`,
      `  struct { uint16_t x, y; } pt;`,
      `  double d; enum kind${i % 50} kind; char name[12]; uint64_t big; int32_t m[2][3];`,
      `};`,
      `typedef struct s${i} s${i}_t;`,
    );
  }
  return out.join('\n') + '\n';
}

function unitSource(u: number): string {
  const out = ['#include "types.h"', ''];
  for (let j = 0; j < GLOBALS_PER_UNIT; j++) {
    const t = (u * GLOBALS_PER_UNIT + j) % STRUCTS;
    out.push(`s${t}_t g_u${u}_v${j};`);
    out.push(`static volatile uint32_t s_count${j} __attribute__((used));`);
  }
  out.push(`void unit${u}_tick(void) {`, `  static uint32_t calls;`, `  calls++;`);
  for (let j = 0; j < GLOBALS_PER_UNIT; j += 7) out.push(`  g_u${u}_v${j}.a = calls; s_count${j}++;`);
  out.push('}');
  return out.join('\n') + '\n';
}

/** Generates and links the big ELF once; later runs reuse it. Returns null (with the reason) when
 * no compiler is available. */
function bigElf(): { path: string } | { skip: string } {
  const elf = join(CACHE, 'big.elf');
  if (existsSync(elf)) return { path: elf };
  const cross = have('arm-none-eabi-gcc');
  if (!cross && !have('gcc')) return { skip: 'no arm-none-eabi-gcc or gcc to generate the large ELF' };
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'types.h'), headerSource());
  const sources: string[] = [];
  for (let u = 0; u < UNITS; u++) {
    const f = join(CACHE, `unit${u}.c`);
    writeFileSync(f, unitSource(u));
    sources.push(f);
  }
  const [cc, flags] = cross
    ? ['arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb']]
    : ['gcc', ['-no-pie', '-static', '-fno-pic']];
  say(`generating ${elf} with ${cc} (${UNITS} units x ${STRUCTS} struct types; cached for later runs)...`);
  const t0 = performance.now();
  const tmp = `${elf}.tmp`;
  const r = spawnSync(
    cc,
    [...flags, '-g', '-O0', '-fno-eliminate-unused-debug-types', '-nostdlib', '-Wl,-e,0', ...sources, '-o', tmp],
    { cwd: CACHE, stdio: ['ignore', 'ignore', 'pipe'], timeout: 900_000 },
  );
  if (r.status !== 0) return { skip: `${cc} failed: ${String(r.stderr).slice(0, 400)}` };
  renameSync(tmp, elf);
  say(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { path: elf };
}

interface Measured {
  wallMs: number;
  /** user + system CPU time of the tool (from bash's `times`): steadier than wall time on a loaded machine. */
  cpuMs: number | null;
  peakRssKb: number | null;
  detail?: string;
}

/** Peak RSS of a running child from /proc (VmHWM is the high-water mark), polled until it exits. */
function readHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** bash's `times` second line: the children's user and system time, e.g. "0m10.512s 0m0.301s". */
function childCpuMs(stderr: string): number | null {
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr);
  if (!m) return null;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

async function measure(cmd: string, args: string[], captureStdout: boolean): Promise<Measured> {
  const devnull = openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    // Through bash only to read the tool's CPU time afterwards (`times`); the tool is its only child.
    const child = spawn('bash', ['-c', '"$@"; s=$?; times >&2; exit $s', 'bash', cmd, ...args], {
      stdio: ['ignore', captureStdout ? 'pipe' : devnull, 'pipe'],
      detached: true, // own process group: a timeout kills the tool too, not only bash
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak: number | null = null;
    const poll = setInterval(() => {
      // bash's own VmHWM is a few MB; the tool's is what we want: read every process in the group.
      for (const pid of childPids(child.pid)) {
        const kb = readHwmKb(pid);
        if (kb !== null) peak = Math.max(peak ?? 0, kb);
      }
    }, 20);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, TOOL_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    const wallMs = performance.now() - t0;
    clearInterval(poll);
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${cmd} exited ${code}: ${stderr.slice(0, 300)}`);
    return { wallMs, cpuMs: childCpuMs(stderr), peakRssKb: peak, detail: captureStdout ? stdout : undefined };
  } finally {
    closeSync(devnull);
  }
}

/** The bash wrapper and its children (the measured tool), from /proc. */
function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids];
  } catch {
    return [pid];
  }
}

/** Best (lowest) wall time of N runs; the peak RSS is the highest seen. */
async function best(runs: number, f: () => Promise<Measured>): Promise<Measured> {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) all.push(await f());
  const fastest = all.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const peaks = all.map((m) => m.peakRssKb).filter((k): k is number => k !== null);
  const cpus = all.map((m) => m.cpuMs).filter((c): c is number => c !== null);
  return { ...fastest, cpuMs: cpus.length ? Math.min(...cpus) : null, peakRssKb: peaks.length ? Math.max(...peaks) : null };
}

// The heapscope side runs in its own node process (like the CLI would) and reports its own maxRSS.
const OURS_SCRIPT = `
const [elfUrl, dwarfUrl, typeUrl, path] = process.argv.slice(1);
const { openElf } = await import(elfUrl);
const { loadDebugInfo } = await import(dwarfUrl);
const { typeName } = await import(typeUrl);
const t0 = performance.now();
const debug = loadDebugInfo(openElf(path));
const vars = debug.variables();
const t1 = performance.now();
let chars = 0;
for (const v of vars) chars += typeName(v.type).length;
const t2 = performance.now();
process.stdout.write(JSON.stringify({ variables: vars.length, units: debug.unitCount, indexMs: t1 - t0,
  typeNamesMs: t2 - t1, maxRssKb: process.resourceUsage().maxRSS, chars }));
`;

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

function cpu(m: Measured): string {
  return m.cpuMs === null ? '' : `, CPU ${m.cpuMs.toFixed(0)} ms`;
}

function ratios(name: string, them: Measured, ours: Measured, oursRssKb: number): string {
  return (
    `  ratio ${name}/heapscope: wall ${ratio(them.wallMs, ours.wallMs)}` +
    (them.cpuMs !== null && ours.cpuMs !== null ? `, CPU ${ratio(them.cpuMs, ours.cpuMs)}` : '') +
    (them.peakRssKb ? `, peak RSS ${ratio(them.peakRssKb, oursRssKb)}` : '')
  );
}

function mb(kb: number | null): string {
  return kb === null ? '?' : `${(kb / 1024).toFixed(0)} MB`;
}

export async function run(): Promise<void> {
  const dist = fileURLToPath(new URL('../src/elf/', import.meta.url));
  const elfJs = join(dist, 'elf.js');
  const dwarfJs = join(dist, 'dwarf', 'index.js');
  const typeJs = join(dist, 'dwarf', 'type-name.js');
  if (![elfJs, dwarfJs, typeJs].every(existsSync)) {
    say(`skipped: compiled reader not found under ${dist} (run \`npm run build\`)`);
    return;
  }
  const big = bigElf();
  if ('skip' in big) {
    say(`skipped: ${big.skip}`);
    return;
  }
  const info = spawnSync('readelf', ['-SW', big.path], { encoding: 'utf8' });
  const debugInfoLine = /\.debug_info\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)/.exec(info.stdout ?? '');
  const debugInfoBytes = debugInfoLine ? parseInt(debugInfoLine[1]!, 16) : NaN;
  say(`ELF: ${big.path}: ${(statSync(big.path).size / 1e6).toFixed(1)} MB, .debug_info ${(debugInfoBytes / 1e6).toFixed(1)} MB`);

  const ours = await best(RUNS, () =>
    measure(
      process.execPath,
      ['--input-type=module', '-e', OURS_SCRIPT, ...[elfJs, dwarfJs, typeJs].map((f) => pathToFileURL(f).href), big.path],
      true,
    ),
  );
  const report = JSON.parse(ours.detail ?? '{}') as {
    variables: number;
    units: number;
    indexMs: number;
    typeNamesMs: number;
    maxRssKb: number;
  };
  say(
    `heapscope: ${report.variables} variables in ${report.units} units; index ${report.indexMs.toFixed(0)} ms ` +
      `(+ ${report.typeNamesMs.toFixed(0)} ms typeName for all); process ${ours.wallMs.toFixed(0)} ms${cpu(ours)}, ` +
      `peak RSS ${mb(report.maxRssKb)}`,
  );

  if (have('gdb-multiarch')) {
    const gdb = await best(RUNS, () =>
      measure('gdb-multiarch', ['-batch', '-nx', '-ex', 'info variables', big.path], false),
    );
    say(`gdb-multiarch 'info variables': ${gdb.wallMs.toFixed(0)} ms${cpu(gdb)}, peak RSS ${mb(gdb.peakRssKb)}`);
    say(ratios('gdb', gdb, ours, report.maxRssKb));
  } else {
    say('gdb-multiarch: skipped (not installed)');
  }

  if (have('readelf')) {
    const re = await best(RUNS, () => measure('readelf', ['--debug-dump=info', big.path], false));
    say(`readelf --debug-dump=info: ${re.wallMs.toFixed(0)} ms${cpu(re)}, peak RSS ${mb(re.peakRssKb)}`);
    say(ratios('readelf', re, ours, report.maxRssKb));
  } else {
    say('readelf: skipped (not installed)');
  }
}
