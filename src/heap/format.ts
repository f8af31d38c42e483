// Text rendering of a HeapReport for `heapscope heap` (the JSON form is the report itself).
import type { HeapReport } from './inspect.js';
import type { StackReport } from './stacks.js';
import type { CounterRole } from './types.js';

const LABELS: ReadonlyArray<[CounterRole, string]> = [
  ['capacity', 'capacity'],
  ['used', 'used'],
  ['free', 'free'],
  ['minEverFree', 'min ever free'],
  ['allocCount', 'allocations'],
  ['freeCount', 'frees'],
  ['failedAllocs', 'failed allocs'],
  ['peakUsed', 'peak used'],
];

function bytes(n: number): string {
  return `${n} B` + (n >= 1024 ? ` (${(n / 1024).toFixed(1)} KiB)` : '');
}

export function formatHeapReport(r: HeapReport): string {
  const out: string[] = [];
  const row = (label: string, value: string): void => void out.push(`${label.padEnd(15)} ${value}`);
  row('allocator', `${r.allocator}: ${r.title}`);
  for (const w of r.why) row('  matched', w);
  const v = r.values;
  for (const [role, label] of LABELS) {
    const x = v[role];
    if (x === undefined) continue;
    const isBytes = role === 'capacity' || role === 'used' || role === 'free' || role === 'minEverFree' || role === 'peakUsed';
    let text = isBytes ? bytes(x) : String(x);
    if (role === 'used' && v.capacity) text += `, ${((100 * x) / v.capacity).toFixed(1)} % of capacity`;
    row(label, text);
  }
  if (r.largestFree !== undefined) row('largest free', `${bytes(r.largestFree)} (${r.largestFreeSource === 'walk' ? 'free-list walk' : "allocator's counter"})`);
  if (r.fragmentation !== undefined) row('fragmentation', `${r.fragmentation.toFixed(3)} (1 - largest/free)`);
  const w = r.walk;
  if (w?.consistent) {
    row('free blocks', String(w.freeBlocks));
    const buckets = Object.entries(w.histogram ?? {})
      .map(([k, n]) => [Number(k), n] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [k, n] of buckets) row(`  ${k}..${2 * k - 1}`, `${'#'.repeat(Math.min(n, 40))} ${n}`);
    row('walk', `${w.reads} block read(s), ${w.bytesRead} bytes, ${w.attempts} attempt(s)${w.reason ? ` (${w.reason})` : ''}`);
  } else if (w) {
    // Identical rejections on every attempt are not a race: say so, rather than blame the firmware.
    const why = w.sameEachTime
      ? 'the same on every attempt, so not a race: the memory does not match the layout heapscope expects for this allocator (a different version or configuration?)'
      : 'the firmware kept changing its free list';
    row('walk', `${w.reason ?? 'inconsistent snapshot'}: ${why}; numbers above are its own counters`);
  }
  for (const [role, x] of Object.entries(r.stale ?? {})) row(`stale ${role}`, `${x} (from the last mallinfo() call)`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export function formatStacks(stacks: readonly StackReport[], fill: number): string {
  if (stacks.length === 0) return '';
  const out = [`stacks (fill 0x${fill.toString(16).padStart(2, '0')}, never-used bytes counted from the far end)`];
  for (const s of stacks) {
    const name = (s.name + (s.current ? ' *' : '')).padEnd(14);
    const at = `0x${s.start.toString(16)}${s.end !== null ? `..0x${s.end.toString(16)}` : ''}`;
    if (s.sizeBytes !== null) {
      const margin = s.sizeBytes > 0 ? ((100 * s.unusedBytes) / s.sizeBytes).toFixed(1) : '0.0';
      out.push(`  ${name} ${String(s.sizeBytes).padStart(6)} B  high-water ${String(s.usedBytes).padStart(6)} B  margin ${String(s.unusedBytes).padStart(6)} B (${margin} %)  ${at}`);
    } else {
      out.push(`  ${name}  size ?  margin ${s.unusedBytes} B never used  ${at} (no pxEndOfStack: set configRECORD_STACK_HIGH_ADDRESS 1 for sizes)`);
    }
  }
  return out.join('\n') + '\n';
}
