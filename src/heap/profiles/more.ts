// Counter-struct profiles: Zephyr sys_heap / k_heap runtime stats, ThreadX byte pools (also walked:
// walk-byte-pool.ts), Mbed OS heap stats, lwIP's mem stats. The others are not walked (yet): their
// largest free block is not available from counters, and the report says so.
import { pointee, findStatic, memberAt } from '../dwarf-layout.js';
import type { MemoryBlock } from '../../probe/types.js';
import type { AllocatorProfile, HeapContext } from '../types.js';
import { walkBytePool } from '../walk-byte-pool.js';
import { structCounterProfile, variablesOfStruct, whyVar } from './struct-counters.js';

const NO_WALK = 'the largest free block needs a walk of this allocator, which heapscope does not do yet';

/** Zephyr: k_heap (k_malloc's _system_heap first) or a bare sys_heap; stats live in struct z_heap behind
 * sys_heap.heap, only with CONFIG_SYS_HEAP_RUNTIME_STATS. */
export const zephyrProfile = structCounterProfile({
  name: 'zephyr-sys-heap',
  title: 'Zephyr sys_heap / k_heap (CONFIG_SYS_HEAP_RUNTIME_STATS counters)',
  looksFor: 'a struct k_heap (e.g. _system_heap) or struct sys_heap whose z_heap has free_bytes/allocated_bytes',
  find(ctx: HeapContext) {
    const k = variablesOfStruct(ctx, ['k_heap']);
    const pick = k.find((v) => v.name === '_system_heap') ?? k[0];
    const variable = pick ?? variablesOfStruct(ctx, ['sys_heap'])[0];
    if (!variable) return null;
    const sysPath = pick ? `${variable.name}.heap` : variable.name;
    const sysType = pick ? memberAt(variable.type, 'heap')?.member.type : variable.type;
    const zh = sysType ? memberAt(sysType, 'heap') : null;
    const statsType = zh ? pointee(zh.member.type) : null;
    if (!statsType || !memberAt(statsType, 'free_bytes')) return null;
    return { prefix: `${sysPath}.heap->`, statsType, why: [whyVar(variable), 'struct z_heap with free_bytes, allocated_bytes (CONFIG_SYS_HEAP_RUNTIME_STATS)'] };
  },
  members: [
    ['free', 'free_bytes'],
    ['used', 'allocated_bytes'],
    ['peakUsed', 'max_allocated_bytes'],
  ],
  notes: ['Zephyr counts payload bytes (chunk headers are not in free + used)', NO_WALK],
});

/** ThreadX: the first TX_BYTE_POOL (tx_byte_pool_create); others are on _tx_byte_pool_created_ptr. */
const threadxCounters = structCounterProfile({
  name: 'threadx-byte-pool',
  title: 'ThreadX byte pool (TX_BYTE_POOL available / fragments / size)',
  looksFor: 'a TX_BYTE_POOL variable (struct TX_BYTE_POOL_STRUCT)',
  find(ctx: HeapContext) {
    const pools = variablesOfStruct(ctx, ['TX_BYTE_POOL_STRUCT']);
    const variable = pools[0];
    if (!variable) return null;
    const why = [whyVar(variable)];
    if (pools.length > 1) why.push(`other pools: ${pools.slice(1).map((p) => p.name).join(', ')} (use --allocator with expressions by hand for them)`);
    return { prefix: variable.name, statsType: variable.type, why };
  },
  members: [
    ['capacity', 'tx_byte_pool_size'],
    ['free', 'tx_byte_pool_available'],
    ['fragments', 'tx_byte_pool_fragments'],
  ],
  notes: [
    'tx_byte_pool_available counts free bytes minus one block header; block headers of allocated blocks count as used',
    'largest free = the largest allocation that would succeed (adjacent free blocks merged, as ThreadX does while searching)',
  ],
});

export const threadxProfile: AllocatorProfile = {
  ...threadxCounters,
  walk(ctx: HeapContext) {
    const pool = variablesOfStruct(ctx, ['TX_BYTE_POOL_STRUCT'])[0];
    if (!pool || pool.address === null) return null;
    const at = (m: string): MemoryBlock | null => {
      const x = memberAt(pool.type, m);
      return x ? { address: pool.address! + x.offset, length: x.size } : null;
    };
    const start = at('tx_byte_pool_start');
    const size = at('tx_byte_pool_size');
    const available = at('tx_byte_pool_available');
    const fragments = at('tx_byte_pool_fragments');
    if (!start || !size || !available || !fragments) return null;
    // Block header = UCHAR * + ALIGN_TYPE (ThreadX's documented layout; ALIGN_TYPE is ULONG by default,
    // i.e. the size of tx_byte_pool_size). No DWARF type describes it.
    const ps = start.length;
    const layout = { littleEndian: ctx.elf.littleEndian, pointerSize: ps, start, size, available, fragments, headerBytes: ps + size.length, ownerOffset: ps, ownerBytes: size.length };
    return (reader, opts) => walkBytePool(reader, layout, opts);
  },
};

/** Mbed OS: mbed_stats_heap_t heap_stats (MBED_HEAP_STATS_ENABLED) in mbed_alloc_wrappers.cpp. */
export const mbedProfile = structCounterProfile({
  name: 'mbed-heap-stats',
  title: 'Mbed OS heap statistics (mbed_stats_heap_t, MBED_HEAP_STATS_ENABLED)',
  looksFor: 'a variable of type mbed_stats_heap_t (current_size, reserved_size, alloc_cnt)',
  find(ctx: HeapContext) {
    const variable = ctx.debug.variables().find((v) => {
      if (v.address === null) return false;
      let t = v.type;
      while (t.kind === 'qualified') t = t.target;
      const named = t.kind === 'typedef' && t.name === 'mbed_stats_heap_t';
      const shaped = ['current_size', 'max_size', 'reserved_size', 'alloc_cnt', 'alloc_fail_cnt'].every((m) => memberAt(v.type, m));
      return named || shaped;
    });
    return variable ? { prefix: variable.name, statsType: variable.type, why: [`${variable.name}: mbed_stats_heap_t`] } : null;
  },
  members: [
    ['capacity', 'reserved_size'],
    ['used', 'current_size'],
    ['peakUsed', 'max_size'],
    ['allocCount', 'alloc_cnt'],
    ['failedAllocs', 'alloc_fail_cnt'],
  ],
  notes: ['Mbed counts requested bytes (used) against the reserved heap; allocator overhead is in overhead_size', NO_WALK],
});

/** lwIP: lwip_stats.mem (MEM_STATS) — lwIP's own heap, beside the system one. */
export const lwipProfile = structCounterProfile({
  name: 'lwip-mem',
  title: "lwIP heap (lwip_stats.mem, MEM_STATS)",
  looksFor: 'lwip_stats with a mem member (avail, used, max, err)',
  find(ctx: HeapContext) {
    const v = findStatic(ctx, 'lwip_stats');
    const mem = v ? memberAt(v.type, 'mem') : null;
    if (!mem || !memberAt(mem.member.type, 'used') || !memberAt(mem.member.type, 'avail')) return null;
    return { prefix: 'lwip_stats.mem', statsType: mem.member.type, why: ['lwip_stats.mem: struct stats_mem (avail, used, max)'] };
  },
  members: [
    ['capacity', 'avail'],
    ['used', 'used'],
    ['peakUsed', 'max'],
    ['failedAllocs', 'err'],
  ],
  notes: ["lwIP's mem heap only (pbuf pools are in lwip_stats.memp[])", NO_WALK],
});
