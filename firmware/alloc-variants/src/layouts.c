/* Counter layouts of allocators heapscope reads but cannot build here, written from their documented
 * data structures (not their source), one per build (-DLAYOUT_ZEPHYR / _THREADX / _MBED / _LWIP):
 * the same variable names, struct names and member names a real build has. Memory comes from a simple
 * slot allocator; after every operation the layout's counters are updated the way the real allocator
 * counts, and variant_truth() mirrors the same numbers into g_alloc_truth for the tests. */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

#define SLOT_BYTES 1024u
#define SLOTS 40u
static uint8_t s_slab[SLOTS][SLOT_BYTES] __attribute__((aligned(8)));
static uint32_t s_size[SLOTS]; /* requested bytes, 0 = free */
static uint32_t s_used_bytes, s_peak_bytes, s_allocs, s_fails;

#if LAYOUT_ZEPHYR
/* include/zephyr/sys/sys_heap.h, lib/heap/heap.h (CONFIG_SYS_HEAP_RUNTIME_STATS), kernel.h */
struct z_heap {
    uint64_t chunk0_hdr[2];
    uint32_t end_chunk;
    uint32_t avail_buckets;
    size_t free_bytes;
    size_t allocated_bytes;
    size_t max_allocated_bytes;
};
struct sys_heap {
    struct z_heap *heap;
    void *init_mem;
    size_t init_bytes;
};
struct _wait_q_t_stub { void *head, *tail; };
struct k_spinlock { uint8_t unused; };
struct k_heap {
    struct sys_heap heap;
    struct _wait_q_t_stub wait_q;
    struct k_spinlock lock;
};
static struct z_heap s_z_heap;
struct k_heap _system_heap = { .heap = { .heap = &s_z_heap, .init_mem = s_slab, .init_bytes = sizeof(s_slab) } };
static void publish(void)
{
    s_z_heap.allocated_bytes = s_used_bytes;
    s_z_heap.free_bytes = sizeof(s_slab) - s_used_bytes;
    s_z_heap.max_allocated_bytes = s_peak_bytes;
}
#elif LAYOUT_THREADX
/* tx_api.h */
typedef unsigned long ULONG;
typedef unsigned int UINT;
typedef unsigned char UCHAR;
typedef char CHAR;
typedef struct TX_BYTE_POOL_STRUCT {
    ULONG tx_byte_pool_id;
    CHAR *tx_byte_pool_name;
    ULONG tx_byte_pool_available;
    UINT tx_byte_pool_fragments;
    UCHAR *tx_byte_pool_list;
    UCHAR *tx_byte_pool_search;
    UCHAR *tx_byte_pool_start;
    ULONG tx_byte_pool_size;
    void *tx_byte_pool_owner;
    void *tx_byte_pool_suspension_list;
    UINT tx_byte_pool_suspended_count;
    struct TX_BYTE_POOL_STRUCT *tx_byte_pool_created_next, *tx_byte_pool_created_previous;
} TX_BYTE_POOL;
TX_BYTE_POOL app_byte_pool;
TX_BYTE_POOL *_tx_byte_pool_created_ptr = &app_byte_pool;
static void publish(void)
{
    uint32_t frees = 0;
    for (uint32_t i = 0; i < SLOTS; i++) frees += s_size[i] == 0;
    app_byte_pool.tx_byte_pool_id = 0x42595445UL; /* TX_BYTE_POOL_ID */
    app_byte_pool.tx_byte_pool_size = sizeof(s_slab);
    app_byte_pool.tx_byte_pool_start = &s_slab[0][0];
    app_byte_pool.tx_byte_pool_available = sizeof(s_slab) - s_used_bytes;
    app_byte_pool.tx_byte_pool_fragments = frees;
}
#elif LAYOUT_MBED
/* platform/mbed_stats.h */
typedef struct {
    uint32_t current_size;
    uint32_t max_size;
    uint32_t total_size;
    uint32_t reserved_size;
    uint32_t alloc_cnt;
    uint32_t alloc_fail_cnt;
    uint32_t overhead_size;
} mbed_stats_heap_t;
static mbed_stats_heap_t heap_stats;
/* Mbed's accessor: it also keeps the (otherwise write-only) static alive in an -O2 build. */
__attribute__((noinline, used)) void mbed_stats_heap_get(mbed_stats_heap_t *stats) { *stats = heap_stats; }
static void publish(void)
{
    heap_stats.current_size = s_used_bytes;
    heap_stats.max_size = s_peak_bytes;
    heap_stats.reserved_size = sizeof(s_slab);
    heap_stats.alloc_cnt = s_allocs;
    heap_stats.alloc_fail_cnt = s_fails;
}
#elif LAYOUT_LWIP
/* src/include/lwip/stats.h (MEM_STATS) */
typedef uint16_t mem_size_t;
typedef uint32_t STAT_COUNTER;
struct stats_mem {
    const char *name;
    STAT_COUNTER err;
    mem_size_t avail;
    mem_size_t used;
    mem_size_t max;
    STAT_COUNTER illegal;
};
struct stats_ {
    struct stats_mem mem;
    struct stats_mem *memp[4];
};
struct stats_ lwip_stats;
static void publish(void)
{
    lwip_stats.mem.name = "MEM";
    lwip_stats.mem.avail = (mem_size_t)sizeof(s_slab);
    lwip_stats.mem.used = (mem_size_t)s_used_bytes;
    lwip_stats.mem.max = (mem_size_t)s_peak_bytes;
    lwip_stats.mem.err = s_fails;
}
#else
#error "pick a layout: -DLAYOUT_ZEPHYR=1, -DLAYOUT_THREADX=1, -DLAYOUT_MBED=1 or -DLAYOUT_LWIP=1"
#endif

void variant_init(void) { publish(); }

void *variant_alloc(uint32_t bytes)
{
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (s_size[i] == 0 && bytes > 0 && bytes <= SLOT_BYTES) {
            s_size[i] = bytes;
            s_used_bytes += bytes;
            if (s_used_bytes > s_peak_bytes) s_peak_bytes = s_used_bytes;
            s_allocs++;
            publish();
            return s_slab[i];
        }
    }
    s_fails++;
    publish();
    return NULL;
}

void variant_free(void *p)
{
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (p == s_slab[i] && s_size[i] != 0) {
            s_used_bytes -= s_size[i];
            s_size[i] = 0;
            publish();
            return;
        }
    }
}

void variant_truth(volatile struct alloc_truth *t)
{
#if LAYOUT_MBED
    mbed_stats_heap_t copy;
    mbed_stats_heap_get(&copy);
    t->alloc_count = copy.alloc_cnt; /* same as the workload's count */
#endif
    t->arena = sizeof(s_slab);
    t->used = s_used_bytes;
    t->free = sizeof(s_slab) - s_used_bytes;
    t->largest_free = s_peak_bytes; /* reused: peak used bytes */
    t->failed = s_fails;
}
