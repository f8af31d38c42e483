// Stack high-water marks, read without halting: a stack grows down from its high end, and RTOS startup
// code fills it with a pattern (FreeRTOS 0xA5, Zephyr 0xAA); the bytes at the far (low) end that still
// hold the pattern were never used. Stacks come from FreeRTOS's task lists (TCB pxStack / pxEndOfStack /
// pcTaskName) or Zephyr's thread list (_kernel.threads, CONFIG_THREAD_MONITOR: stack_info, name) when
// the ELF has them, or from a region the user names (--stack _sstack.._estack).
import { UsageError } from '../errors.js';
import type { MemoryReader } from '../probe/types.js';
import { findStatic, memberAt, pointee, sizeOfType } from './dwarf-layout.js';
import { MemoryView } from './memory-view.js';
import type { HeapContext, Region } from './types.js';
import { stripQualifiers } from '../elf/dwarf/index.js';

export const FREERTOS_STACK_FILL = 0xa5;
export const ZEPHYR_STACK_FILL = 0xaa;
/** Stacks larger than this are not scanned (a wrong pointer would otherwise read the whole RAM). */
const MAX_STACK_BYTES = 1 << 20;
const MAX_TASKS = 256;

export interface StackReport {
  /** Task name, or the region as the user wrote it. */
  name: string;
  source: 'freertos-task' | 'zephyr-thread' | 'region';
  /** Lowest address of the stack (its far end: stacks grow down). */
  start: number;
  /** One past the highest address, when known (FreeRTOS without pxEndOfStack: null). */
  end: number | null;
  sizeBytes: number | null;
  /** Bytes at the far end still holding the fill pattern: never used. */
  unusedBytes: number;
  /** High-water mark: bytes ever used (sizeBytes - unusedBytes), when the size is known. */
  usedBytes: number | null;
  /** The task that was running when the task lists were read. */
  current?: boolean;
}

/** Parses `A..B` (symbols or hex/decimal addresses) or a single array variable name into a region. */
export function parseStackSpec(ctx: HeapContext, spec: string): Region {
  const parts = spec.split('..');
  if (parts.length === 1) {
    const v = findStatic(ctx, spec);
    const size = v ? sizeOfType(v.type) : null;
    if (!v || v.address === null || !size) {
      throw new UsageError(`--stack ${spec}: not a variable with a size; write START..END, e.g. --stack _sstack.._estack or 0x20040000..0x20042000`);
    }
    return { start: v.address, end: v.address + size };
  }
  if (parts.length !== 2) throw new UsageError(`--stack ${spec}: write START..END, e.g. --stack _sstack.._estack`);
  const [start, end] = parts.map((p) => addressOf(ctx, p.trim(), spec)) as [number, number];
  if (!(end > start)) throw new UsageError(`--stack ${spec}: the end (0x${end.toString(16)}) must be above the start (0x${start.toString(16)})`);
  if (end - start > MAX_STACK_BYTES) throw new UsageError(`--stack ${spec}: ${end - start} bytes is more than a stack (max ${MAX_STACK_BYTES})`);
  return { start, end };
}

function addressOf(ctx: HeapContext, text: string, spec: string): number {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text);
  const sym = ctx.symbols.get(text);
  if (sym) return sym.value;
  const v = findStatic(ctx, text);
  if (v && v.address !== null) return v.address;
  throw new UsageError(`--stack ${spec}: '${text}' is neither an address nor a symbol of the ELF`);
}

export function parseFill(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new UsageError(`--fill ${text}: a byte value, e.g. --fill 0xA5`);
  return n;
}

function uintAt(b: Uint8Array, o: number, size: number, le: boolean): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + b[o + (le ? size - 1 - i : i)]!;
  return v;
}

/** Bytes at the start of `bytes` equal to `fill`. */
function leadingFill(bytes: Uint8Array, fill: number): number {
  let n = 0;
  while (n < bytes.length && bytes[n] === fill) n++;
  return n;
}

/** Scans named regions (one coalesced read for all of them). */
export async function scanRegions(reader: MemoryReader, regions: readonly { name: string; region: Region }[], fill: number): Promise<StackReport[]> {
  if (regions.length === 0) return [];
  const view = new MemoryView(reader, true);
  const got = await view.read(regions.map((r) => ({ address: r.region.start, length: r.region.end - r.region.start })));
  return regions.map((r, i) => {
    const size = r.region.end - r.region.start;
    const unused = leadingFill(got[i]!, fill);
    return { name: r.name, source: 'region', start: r.region.start, end: r.region.end, sizeBytes: size, unusedBytes: unused, usedBytes: size - unused };
  });
}

interface TaskLayout {
  lists: Region[]; // List_t variables (an array counts as several)
  listBytes: number;
  listEndOffset: number; // List_t.xListEnd
  itemNext: number; // ListItem_t.pxNext
  itemOwner: number; // ListItem_t.pvOwner
  tcbBytes: number;
  pxStack: number;
  pxTopOfStack: number;
  pxEndOfStack: number | null;
  name: { offset: number; size: number };
  current: number | null; // &pxCurrentTCB
  ps: number;
}

const TASK_LISTS = ['pxReadyTasksLists', 'xDelayedTaskList1', 'xDelayedTaskList2', 'xPendingReadyList', 'xTasksWaitingTermination', 'xSuspendedTaskList'];

function freeRtosTaskLayout(ctx: HeapContext): TaskLayout | null {
  const cur = findStatic(ctx, 'pxCurrentTCB');
  if (!cur || cur.address === null) return null;
  const tcb = pointee(cur.type);
  const tcbBytes = sizeOfType(tcb);
  const pxStack = memberAt(tcb, 'pxStack');
  const top = memberAt(tcb, 'pxTopOfStack');
  const name = memberAt(tcb, 'pcTaskName');
  const end = memberAt(tcb, 'pxEndOfStack');
  const state = memberAt(tcb, 'xStateListItem');
  if (!tcbBytes || !pxStack || !top || !name || !state) return null;
  const lists: Region[] = [];
  let listType = null;
  for (const n of TASK_LISTS) {
    const v = findStatic(ctx, n);
    if (!v || v.address === null) continue;
    const size = sizeOfType(v.type);
    const t = stripQualifiers(v.type);
    const el = t.kind === 'array' ? t.element : v.type;
    const elSize = sizeOfType(el);
    if (!size || !elSize) continue;
    listType ??= el;
    for (let a = v.address; a < v.address + size; a += elSize) lists.push({ start: a, end: a + elSize });
  }
  if (!listType || lists.length === 0) return null;
  const listEnd = memberAt(listType, 'xListEnd');
  const next = memberAt(state.member.type, 'pxNext');
  const owner = memberAt(state.member.type, 'pvOwner');
  const listBytes = sizeOfType(listType);
  if (!listEnd || !next || !owner || !listBytes) return null;
  return {
    lists,
    listBytes,
    listEndOffset: listEnd.offset,
    itemNext: next.offset,
    itemOwner: owner.offset,
    tcbBytes,
    pxStack: pxStack.offset,
    pxTopOfStack: top.offset,
    pxEndOfStack: end ? end.offset : null,
    name: { offset: name.offset, size: name.size },
    current: cur.address,
    ps: pxStack.size,
  };
}

export function hasFreeRtosTasks(ctx: HeapContext): boolean {
  return freeRtosTaskLayout(ctx) !== null;
}

/**
 * Finds the tasks on FreeRTOS's lists and scans their stacks. Reads: the list heads (one call), then
 * one call per step along the lists (all lists advance together), then all stacks in one call.
 */
export async function freeRtosTaskStacks(reader: MemoryReader, ctx: HeapContext, fill = FREERTOS_STACK_FILL): Promise<StackReport[]> {
  const L = freeRtosTaskLayout(ctx);
  if (!L) return [];
  const view = new MemoryView(reader, ctx.elf.littleEndian);
  const ptr = (a: number): number => view.uint(a, L.ps)!;
  await view.read([...L.lists.map((r) => ({ address: r.start, length: r.end - r.start })), ...(L.current !== null ? [{ address: L.current, length: L.ps }] : [])]);
  const tcbs = new Set<number>();
  // One cursor per list: the item to read next, until it comes back to the list's own end marker.
  let cursors = L.lists.map((r) => ({ end: r.start + L.listEndOffset, at: ptr(r.start + L.listEndOffset + L.itemNext) }));
  for (let step = 0; step < MAX_TASKS && cursors.length > 0; step++) {
    cursors = cursors.filter((c) => c.at !== c.end && c.at !== 0);
    const need = cursors.filter((c) => !view.has(c.at, L.itemOwner + L.ps));
    if (need.length) await view.read(need.map((c) => ({ address: c.at, length: L.itemOwner + L.ps })));
    for (const c of cursors) {
      const owner = ptr(c.at + L.itemOwner);
      if (owner !== 0) tcbs.add(owner);
      const next = ptr(c.at + L.itemNext);
      c.at = next === c.at ? c.end : next; // a self-link is a torn read: stop this list
    }
    if (tcbs.size > MAX_TASKS) break;
  }
  const list = [...tcbs];
  if (list.length === 0) return [];
  const tcbBytes = await view.read(list.map((a) => ({ address: a, length: L.tcbBytes })));
  const current = L.current !== null ? ptr(L.current) : null;
  const tasks = list.map((addr, i) => {
    const b = tcbBytes[i]!;
    const word = (o: number): number => uintAt(b, o, L.ps, ctx.elf.littleEndian);
    const nameBytes = b.subarray(L.name.offset, L.name.offset + L.name.size);
    const nul = nameBytes.indexOf(0);
    const name = new TextDecoder().decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes);
    const start = word(L.pxStack);
    // pxEndOfStack is the highest StackType_t of the stack; without it, the saved top of stack bounds
    // the scan (nothing above it can be unused).
    const end = L.pxEndOfStack !== null ? word(L.pxEndOfStack) + L.ps : null;
    const scanEnd = end ?? word(L.pxTopOfStack);
    return { addr, name, start, end, scanEnd };
  });
  const ok = tasks.filter((t) => t.scanEnd > t.start && t.scanEnd - t.start <= MAX_STACK_BYTES);
  const stacks = ok.length ? await view.read(ok.map((t) => ({ address: t.start, length: t.scanEnd - t.start }))) : [];
  return ok
    .map((t, i): StackReport => {
      const unused = leadingFill(stacks[i]!, fill);
      const size = t.end !== null ? t.end - t.start : null;
      return {
        name: t.name,
        source: 'freertos-task',
        start: t.start,
        end: t.end,
        sizeBytes: size,
        unusedBytes: unused,
        usedBytes: size !== null ? size - unused : null,
        ...(t.addr === current ? { current: true } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

interface ZephyrLayout {
  threadsAt: number; // &_kernel.threads
  currentAt: number | null; // &_kernel.cpus[0].current
  threadBytes: number;
  start: { offset: number; size: number };
  size: { offset: number; size: number };
  next: { offset: number; size: number };
  name: { offset: number; size: number } | null;
}

function zephyrLayout(ctx: HeapContext): ZephyrLayout | null {
  const kernel = findStatic(ctx, '_kernel');
  if (!kernel || kernel.address === null) return null;
  const threads = memberAt(kernel.type, 'threads');
  if (!threads) return null;
  const thread = pointee(threads.member.type);
  const threadBytes = sizeOfType(thread);
  const start = memberAt(thread, 'stack_info.start');
  const size = memberAt(thread, 'stack_info.size');
  const next = memberAt(thread, 'next_thread');
  if (!threadBytes || !start || !size || !next) return null;
  const name = memberAt(thread, 'name');
  let currentAt: number | null = null;
  const cpus = memberAt(kernel.type, 'cpus');
  if (cpus) {
    const t = stripQualifiers(cpus.member.type);
    const cur = memberAt(t.kind === 'array' ? t.element : t, 'current');
    if (cur) currentAt = kernel.address + cpus.offset + cur.offset;
  }
  return {
    threadsAt: kernel.address + threads.offset,
    currentAt,
    threadBytes,
    start: { offset: start.offset, size: start.size },
    size: { offset: size.offset, size: size.size },
    next: { offset: next.offset, size: next.size },
    name: name ? { offset: name.offset, size: name.size } : null,
  };
}

export function hasZephyrThreads(ctx: HeapContext): boolean {
  return zephyrLayout(ctx) !== null;
}

/**
 * Zephyr's threads (CONFIG_THREAD_MONITOR keeps them on _kernel.threads through next_thread) and their
 * stacks: stack_info.start/size, scanned for CONFIG_INIT_STACKS' 0xAA from the low end. Reads: the list
 * head, one read per thread along the list, then all stacks in one call.
 */
export async function zephyrThreadStacks(reader: MemoryReader, ctx: HeapContext, fill = ZEPHYR_STACK_FILL): Promise<StackReport[]> {
  const L = zephyrLayout(ctx);
  if (!L) return [];
  const le = ctx.elf.littleEndian;
  const view = new MemoryView(reader, le);
  const ps = L.next.size;
  await view.read([{ address: L.threadsAt, length: ps }, ...(L.currentAt !== null ? [{ address: L.currentAt, length: ps }] : [])]);
  const current = L.currentAt !== null ? view.uint(L.currentAt, ps) : null;
  const threads: { addr: number; name: string; start: number; size: number }[] = [];
  const seen = new Set<number>();
  for (let t = view.uint(L.threadsAt, ps)!; t !== 0 && !seen.has(t) && threads.length < MAX_TASKS; ) {
    seen.add(t);
    const [b] = await view.read([{ address: t, length: L.threadBytes }]);
    const field = (f: { offset: number; size: number }): number => uintAt(b!, f.offset, f.size, le);
    let name = `thread 0x${t.toString(16)}`;
    if (L.name) {
      const bytes = b!.subarray(L.name.offset, L.name.offset + L.name.size);
      const nul = bytes.indexOf(0);
      const text = new TextDecoder().decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
      if (text) name = text;
    }
    threads.push({ addr: t, name, start: field(L.start), size: field(L.size) });
    t = field(L.next);
  }
  const ok = threads.filter((t) => t.size > 0 && t.size <= MAX_STACK_BYTES && t.start !== 0);
  const stacks = ok.length ? await view.read(ok.map((t) => ({ address: t.start, length: t.size }))) : [];
  return ok.map((t, i): StackReport => {
    const unused = leadingFill(stacks[i]!, fill);
    return {
      name: t.name,
      source: 'zephyr-thread',
      start: t.start,
      end: t.start + t.size,
      sizeBytes: t.size,
      unusedBytes: unused,
      usedBytes: t.size - unused,
      ...(t.addr === current ? { current: true } : {}),
    };
  });
}
