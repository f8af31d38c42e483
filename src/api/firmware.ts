// `loadFirmware(path)`: the ELF side of the scripting API. Opens the ELF and its DWARF once (both are
// parsed lazily inside: nothing is decoded until a script asks), resolves watch expressions, lists
// variables and detects the heap allocator, by calling the same modules as the CLI commands.
import { resolve as resolvePath } from 'node:path';
import type { DebugInfo } from '../elf/dwarf/index.js';
import type { ElfFile } from '../elf/elf.js';
import { UsageError } from '../errors.js';
import { counterWatches, detectAllocator, heapContext, notDetectedMessage, type CounterWatch, type DetectedAllocator } from '../heap/index.js';
import type { CounterRole, HeapContext } from '../heap/types.js';
import { resolveRawWatch, resolveWatch, type Watch, type WatchDebugInfo } from '../watch/index.js';
import { describeWatch, openWatchSource, type ResolveResult } from '../cli/resolve.js';
import { dwarfRows, rawRows, type SymbolRow } from '../cli/symbols.js';

export type { SymbolRow as VariableInfo } from '../cli/symbols.js';

/** Where and what an expression reads: address (of the first pointer for `p->x`), size and gdb's type spelling. */
export type ResolvedExpression = Extract<ResolveResult, { address: number }>;

export interface LoadFirmwareOptions {
  /** Symbol table only (no DWARF needed): plain symbol names, values as unsigned integers of the symbol's size. */
  raw?: boolean;
}

/** What `fw.detectAllocator()` found: the profile, why it matched, and the counters it reads. */
export interface AllocatorInfo {
  name: string;
  title: string;
  why: string[];
  /** Watch expression per counter role (used, free, largestFree, ...). */
  counters: { role: CounterRole; expr: string; stale: boolean }[];
  /** Heap size when it is fixed at link time and no counter holds it. */
  capacityBytes?: number;
  notes: string[];
}

export class Firmware {
  /** Absolute path of the ELF. */
  readonly path: string;
  private readonly debug: WatchDebugInfo | null;
  private heapCtx: HeapContext | null = null;
  private readonly detected = new Map<string, DetectedAllocator | null>();

  /** @internal use loadFirmware() */
  constructor(path: string, opts: LoadFirmwareOptions = {}) {
    this.path = resolvePath(path);
    const src = openWatchSource(this.path, opts.raw === true);
    this.elf = src.elf;
    this.debug = src.debug;
  }

  /** The parsed ELF (sections, symbols, build-id), for scripts that need more than the API gives. */
  readonly elf: ElfFile;

  get littleEndian(): boolean {
    return this.elf.littleEndian;
  }

  /** GNU build-id as lowercase hex, or null. */
  get buildId(): string | null {
    return this.elf.buildId();
  }

  /** Globals, file-statics and function-statics (the `heapscope symbols --json` rows), unsorted. */
  variables(): SymbolRow[] {
    return this.debug ? dwarfRows(this.debug) : rawRows(this.elf);
  }

  /** Address, size and type of an expression; throws UnknownSymbolError, ExpressionError, AmbiguousSymbolError... */
  resolve(expr: string): ResolvedExpression {
    return describeWatch(this.watch(expr)) as ResolvedExpression;
  }

  /** The resolved watch (address, hops, decoder) the Target reads. */
  watch(expr: string): Watch {
    return this.debug ? resolveWatch(this.debug, this.elf, expr) : resolveRawWatch(this.elf, expr);
  }

  /** The heap allocator in this ELF (heapscope's, FreeRTOS heap_N, newlib, Zephyr, TLSF...), or null.
   * `force` names a profile (as `heapscope heap --allocator`). */
  detectAllocator(force?: string): AllocatorInfo | null {
    const found = this.detectedAllocator(force);
    if (!found) return null;
    const plan = found.profile.counters(this.heapContext());
    return {
      name: found.profile.name,
      title: found.profile.title,
      why: found.detection.why,
      counters: plan.counters.map((c) => ({ role: c.role, expr: c.expr, stale: c.stale ?? false })),
      ...(plan.capacityBytes !== undefined ? { capacityBytes: plan.capacityBytes } : {}),
      notes: plan.notes,
    };
  }

  /** @internal the allocator and its counter watches, for Target.heap(); UsageError when there is none. */
  heapPlan(force?: string): { ctx: HeapContext; found: DetectedAllocator; watches: CounterWatch[] } {
    const found = this.detectedAllocator(force);
    if (!found) throw new UsageError(notDetectedMessage(this.path));
    const ctx = this.heapContext();
    return { ctx, found, watches: counterWatches(ctx, found) };
  }

  private detectedAllocator(force?: string): DetectedAllocator | null {
    const key = force ?? '';
    if (!this.detected.has(key)) this.detected.set(key, detectAllocator(this.heapContext(), force));
    return this.detected.get(key)!;
  }

  private heapContext(): HeapContext {
    if (!this.debug) throw new UsageError(`${this.path} was loaded with { raw: true }: heap detection needs its DWARF`);
    // openWatchSource returns loadDebugInfo()'s DebugInfo, typed by the subset the resolver needs.
    this.heapCtx ??= heapContext(this.elf, this.debug as DebugInfo);
    return this.heapCtx;
  }
}

/** Opens an ELF with debug info. Throws ElfFormatError, NoDebugInfoError (rebuild with -g, or { raw: true }). */
export async function loadFirmware(path: string, opts: LoadFirmwareOptions = {}): Promise<Firmware> {
  return new Firmware(path, opts);
}
