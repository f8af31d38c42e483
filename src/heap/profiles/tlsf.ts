// TLSF (Matthew Conte's tlsf and its many copies): one control structure
//   control_t { block_header_t block_null; fl_bitmap; sl_bitmap[FL]; block_header_t *blocks[FL][SL]; }
// with free blocks { prev_phys_block; size | FREE(1) | PREV_FREE(2); next_free; prev_free } on the
// segregated lists blocks[fl][sl], each ending at &block_null. TLSF keeps no counters: free bytes, free
// block count and the largest free block all come from walking the lists (tlsf-walk.ts beside the
// profile, same conventions as walk.ts).
//
// Detection, because application code holds TLSF through a `void *` handle (tlsf_t) that DWARF cannot
// follow: (1) the ELF's DWARF defines a struct type named control_t / tlsf_t / tlsf_control_t with
// fl_bitmap, sl_bitmap and blocks members (found among ALL types, not only those of variables); and
// (2) a static variable reaches one: its type is that struct, or a pointer to it, or Conte's handle
// typedef `tlsf_t` (a void * whose value is the control's address, read at walk time). Globals win over
// statics, then the first in DWARF order. Without (2) a user forces the profile with --allocator tlsf
// and gets the "not found" note, or names a counter-less handle by hand (see notes).
import { HeapscopeError } from '../../errors.js';
import { DW_AT, DW_TAG, DW_UT } from '../../elf/dwarf/constants.js';
import { DwarfContext } from '../../elf/dwarf/context.js';
import { TypeBuilder } from '../../elf/dwarf/types.js';
import { stripQualifiers } from '../../elf/dwarf/index.js';
import type { AggregateType, ArrayType, TypeInfo, VariableInfo } from '../../elf/dwarf/model.js';
import type { ElfFile } from '../../elf/elf.js';
import { aggregateOf, memberAt, pointee, pointerSize, sizeOfType } from '../dwarf-layout.js';
import type { AllocatorProfile, CounterPlan, Detection, HeapContext, Region } from '../types.js';
import { walkTlsf, type TlsfLayout } from './tlsf-walk.js';

const CONTROL_NAMES = ['control_t', 'tlsf_t', 'tlsf_control_t'];
const HANDLE_TYPEDEF = 'tlsf_t';
const PF_W = 2;
const PT_LOAD = 1;

function isControl(t: TypeInfo): AggregateType | null {
  const agg = aggregateOf(t);
  if (!agg || agg.declaration) return null;
  return ['fl_bitmap', 'sl_bitmap', 'blocks', 'block_null'].every((m) => memberAt(agg, m)) ? agg : null;
}

const typeCache = new WeakMap<ElfFile, AggregateType | null>();

/** The control structure's type from the DWARF of any unit (the handle's void * does not lead there). */
export function findControlType(elf: ElfFile): AggregateType | null {
  if (typeCache.has(elf)) return typeCache.get(elf)!;
  let found: AggregateType | null = null;
  try {
    const dwarf = new DwarfContext(elf);
    const types = new TypeBuilder(dwarf);
    outer: for (const u of dwarf.units) {
      if (u.unitType !== DW_UT.compile && u.unitType !== DW_UT.partial) continue;
      const root = dwarf.dieAt(u, u.dieStart);
      if (!root) continue;
      for (const d of root.children()) {
        if (d.tag !== DW_TAG.structure_type && d.tag !== DW_TAG.typedef) continue;
        const name = d.str(DW_AT.name);
        if (!name || !CONTROL_NAMES.includes(name)) continue;
        const agg = isControl(types.at(d.ref));
        if (agg) {
          found = agg;
          break outer;
        }
      }
    }
  } catch (e) {
    // No or unreadable DWARF: loading the variables reports that; here TLSF is simply absent.
    if (!(e instanceof HeapscopeError)) throw e;
    found = null;
  }
  typeCache.set(elf, found);
  return found;
}

interface ControlHolder {
  variable: VariableInfo;
  /** 'static': the variable is the control; 'pointer': it holds the control's address. */
  how: 'static' | 'pointer';
  why: string;
}

function typedefName(t: TypeInfo): string | null {
  let u = t;
  while (u.kind === 'qualified') u = u.target;
  return u.kind === 'typedef' ? u.name : null;
}

/** The static variable that is, or points at, the control structure (rule (2) above). */
function findHolder(ctx: HeapContext, control: AggregateType): ControlHolder | null {
  const vars = ctx.debug.variables().filter((v) => v.address !== null);
  const ordered = [...vars.filter((v) => v.scope === 'global'), ...vars.filter((v) => v.scope !== 'global')];
  const ctl = control.name ?? 'control_t';
  for (const v of ordered) {
    if (isControl(v.type)) return { variable: v, how: 'static', why: `${v.name}: struct ${ctl} (the control structure itself)` };
  }
  for (const v of ordered) {
    const u = stripQualifiers(v.type);
    if (u.kind === 'pointer' && isControl(pointee(v.type))) return { variable: v, how: 'pointer', why: `${v.name}: pointer to struct ${ctl}` };
  }
  for (const v of ordered) {
    const u = stripQualifiers(v.type);
    if (typedefName(v.type) === HANDLE_TYPEDEF && u.kind === 'pointer') {
      return { variable: v, how: 'pointer', why: `${v.name}: tlsf_t handle (void *), read as a pointer to struct ${ctl}` };
    }
  }
  return null;
}

/** Writable loadable segments: where a pool can lie when no array variable holds it. */
function ramRegions(elf: ElfFile): Region[] {
  return elf.segments
    .filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0 && s.memsz > 0)
    .map((s) => ({ start: s.vaddr, end: s.vaddr + s.memsz }));
}

function log2Exact(n: number): number | null {
  const k = Math.log2(n);
  return Number.isInteger(k) ? k : null;
}

export function tlsfLayout(ctx: HeapContext): TlsfLayout | null {
  const control = findControlType(ctx.elf);
  if (!control) return null;
  const holder = findHolder(ctx, control);
  if (!holder) return null;
  const blockNull = memberAt(control, 'block_null')!;
  const fl = memberAt(control, 'fl_bitmap')!;
  const sl = memberAt(control, 'sl_bitmap')!;
  const blocks = memberAt(control, 'blocks')!;
  const arr = stripQualifiers(blocks.member.type);
  const slArr = stripQualifiers(sl.member.type);
  if (arr.kind !== 'array' || slArr.kind !== 'array') return null;
  const [flCount, slCount] = (arr as ArrayType).dims;
  if (!flCount || !slCount || (slArr as ArrayType).dims[0] !== flCount) return null;
  const slLog2 = log2Exact(slCount);
  const header = blockNull.member.type;
  const prevPhys = memberAt(header, 'prev_phys_block');
  const size = memberAt(header, 'size');
  const nextFree = memberAt(header, 'next_free');
  const prevFree = memberAt(header, 'prev_free');
  const headerBytes = sizeOfType(header);
  const controlBytes = sizeOfType(control);
  if (slLog2 === null || !prevPhys || !size || !nextFree || !prevFree || headerBytes === null || controlBytes === null) return null;
  const ps = pointerSize(ctx, nextFree.member.type);
  const alignLog2 = log2Exact(size.size);
  if (alignLog2 === null) return null;
  // Static arrays big enough to hold a control structure and a pool: tlsf_create_with_pool(arr, sizeof arr)
  // puts the control at the array's start and the pool after it, so the array bounds the walk.
  const arrays = ctx.debug
    .variables()
    .filter((v) => v.address !== null && stripQualifiers(v.type).kind === 'array')
    .map((v) => ({ start: v.address!, end: v.address! + (sizeOfType(v.type) ?? 0) }))
    .filter((r) => r.end - r.start > controlBytes + 4 * headerBytes);
  return {
    littleEndian: ctx.elf.littleEndian,
    pointerSize: ps,
    control: holder.how === 'static' ? { address: holder.variable.address! } : { pointerAt: holder.variable.address! },
    controlBytes,
    blockNullOffset: blockNull.offset,
    flBitmap: { offset: fl.offset, size: fl.size },
    slBitmap: { offset: sl.offset, elementSize: sl.size / flCount },
    blocksOffset: blocks.offset,
    flCount,
    slCount,
    slLog2,
    alignLog2,
    prevPhysOffset: prevPhys.offset,
    sizeOffset: size.offset,
    sizeBytes: size.size,
    nextFreeOffset: nextFree.offset,
    prevFreeOffset: prevFree.offset,
    headerBytes,
    // block_size_min = sizeof(block_header_t) - sizeof(prev_phys_block)
    minBlock: headerBytes - prevPhys.size,
    poolArrays: arrays,
    ramRegions: ramRegions(ctx.elf),
  };
}

export const tlsfProfile: AllocatorProfile = {
  name: 'tlsf',
  title: 'TLSF (control_t segregated free lists, first/second-level bitmaps): list walk',
  looksFor: 'a DWARF struct control_t/tlsf_t with fl_bitmap, sl_bitmap, blocks, and a static variable of that type, a pointer to it, or a tlsf_t handle',
  detect(ctx: HeapContext): Detection | null {
    const control = findControlType(ctx.elf);
    if (!control) return null;
    const holder = findHolder(ctx, control);
    if (!holder) return null;
    const l = tlsfLayout(ctx);
    const shape = l ? `blocks[${l.flCount}][${l.slCount}]` : 'blocks';
    return { profile: this.name, why: [`struct ${control.name ?? 'control_t'} (DWARF type): block_null, fl_bitmap, sl_bitmap, ${shape}`, holder.why] };
  },
  counters(ctx: HeapContext): CounterPlan {
    const notes = [
      'TLSF keeps no counters: free bytes, free blocks and the largest free block come from walking its segregated lists',
      'sizes are payload bytes (TLSF block sizes); used = pool bytes - free, so it includes block headers',
      'largest free is the largest free block; TLSF rounds a request up to its list boundary, so a request that big may still fail',
    ];
    const control = findControlType(ctx.elf);
    if (!control) notes.push('no struct control_t with fl_bitmap/sl_bitmap/blocks in the DWARF: rebuild tlsf.c with -g');
    else if (!findHolder(ctx, control)) {
      notes.push('no variable holds the TLSF control structure: keep the handle in a global, e.g. `tlsf_t g_tlsf = tlsf_create_with_pool(...)`');
    }
    return { counters: [], notes };
  },
  walk(ctx: HeapContext) {
    const layout = tlsfLayout(ctx);
    return layout ? (reader, opts) => walkTlsf(reader, layout, opts) : null;
  },
};
