// Full newlib malloc (the default specs; dlmalloc 2.6.x): free chunks in the __malloc_av_ bins, the
// top chunk in bin 0, memory from _sbrk starting at __malloc_sbrk_base. Live counters: only
// __malloc_current_mallinfo.arena (newlib's sbrked_mem is that very field) and the two maxima;
// uordblks/fordblks are refreshed only when the firmware calls mallinfo(), so free, used and the
// largest free block come from walking the bins.
import type { ArrayType } from '../../elf/dwarf/model.js';
import { stripQualifiers } from '../../elf/dwarf/index.js';
import { pointee, describeType, findStatic, memberAt, pointerSize, sizeOfType } from '../dwarf-layout.js';
import type { AllocatorProfile, CounterPlan, Detection, HeapContext } from '../types.js';
import { walkBins, type BinLayout } from '../walk-bins.js';
import { findSbrkTop, mallinfoCounters } from './newlib-common.js';

function binLayout(ctx: HeapContext): BinLayout | null {
  const av = findStatic(ctx, '__malloc_av_');
  const base = findStatic(ctx, '__malloc_sbrk_base');
  const top = findSbrkTop(ctx);
  if (!av || av.address === null || !base || base.address === null || !top) return null;
  const arr = stripQualifiers(av.type);
  if (arr.kind !== 'array' || arr.dims[0] == null) return null;
  const chunk = pointee((arr as ArrayType).element);
  const prev = memberAt(chunk, 'prev_size');
  const size = memberAt(chunk, 'size');
  const fd = memberAt(chunk, 'fd');
  const bk = memberAt(chunk, 'bk');
  const minChunk = sizeOfType(chunk);
  if (!prev || !size || !fd || !bk || minChunk === null) return null;
  const ps = pointerSize(ctx, (arr as ArrayType).element);
  return {
    // newlib's bin_at(i) is &av_[2i + 2] - 2 words: the array starts with two zero words, then the
    // fd/bk pairs of bins 0..NAV-1 (a fact of mallocr.c's source, not of the DWARF).
    binsAddress: av.address + 2 * ps,
    binCount: Math.floor((arr.dims[0] - 2) / 2),
    pointerSize: ps,
    littleEndian: ctx.elf.littleEndian,
    prevSizeOffset: prev.offset,
    sizeOffset: size.offset,
    sizeBytes: size.size,
    fdOffset: fd.offset,
    bkOffset: bk.offset,
    flagBits: 3, // PREV_INUSE | IS_MMAPPED
    minChunk,
    alignment: 2 * size.size, // MALLOC_ALIGNMENT = 2 * SIZE_SZ
    regionPointers: { start: base.address, end: top.address },
  };
}

export const newlibFullProfile: AllocatorProfile = {
  name: 'newlib',
  title: 'newlib malloc (full, dlmalloc bins): bin walk, sbrked memory',
  looksFor: "__malloc_av_ (bins) and __malloc_sbrk_base (and _sbrk's heap_end for the heap top)",
  detect(ctx: HeapContext): Detection | null {
    const av = findStatic(ctx, '__malloc_av_');
    const base = findStatic(ctx, '__malloc_sbrk_base');
    if (!av || !base) return null;
    const why = [`__malloc_av_: ${describeType(pointee(stripQualifiers(av.type).kind === 'array' ? (stripQualifiers(av.type) as ArrayType).element : av.type))} bins`, '__malloc_sbrk_base'];
    const top = findSbrkTop(ctx);
    if (top) why.push(`sbrk top: ${top.label}`);
    return { profile: this.name, why };
  },
  counters(ctx: HeapContext): CounterPlan {
    const counters = mallinfoCounters(ctx, false);
    const notes = [
      'free, used and largest free come from walking the bins; __malloc_current_mallinfo.uordblks/fordblks ' +
        '(shown as stale) only change when the firmware calls mallinfo(); arena (= sbrked memory) is live',
    ];
    if (!findSbrkTop(ctx)) notes.push("no sbrk top variable found (_sbrk's heap_end): the bins cannot be walked safely");
    return { counters, notes };
  },
  walk(ctx: HeapContext) {
    const layout = binLayout(ctx);
    return layout ? (reader, opts) => walkBins(reader, layout, opts) : null;
  },
};
