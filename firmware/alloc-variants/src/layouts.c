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
#if !LAYOUT_THREADX
static uint8_t s_slab[SLOTS][SLOT_BYTES] __attribute__((aligned(8)));
static uint32_t s_size[SLOTS]; /* requested bytes, 0 = free */
static uint32_t s_peak_bytes;
#endif
static uint32_t s_used_bytes, s_allocs, s_fails;

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

/* kernel/include/kernel_structs.h, include/zephyr/kernel/thread.h (CONFIG_THREAD_MONITOR,
 * CONFIG_THREAD_NAME, CONFIG_INIT_STACKS fills stacks with 0xAA): the thread list heapscope walks. */
struct _thread_stack_info {
    uintptr_t start;
    size_t size;
    size_t delta;
};
struct _thread_base {
    void *pended_on;
    uint8_t user_options;
    uint8_t thread_state;
};
struct k_thread {
    struct _thread_base base;
    uint32_t callee_saved[9];
    struct _thread_stack_info stack_info;
    struct k_thread *next_thread;
    char name[32];
};
struct _cpu {
    uint32_t nested;
    void *irq_stack;
    struct k_thread *current;
};
struct z_kernel {
    struct _cpu cpus[1];
    struct k_thread *threads;
};
struct z_kernel _kernel;
static struct k_thread s_threads[2];
static uint8_t s_thread_stack[2][768] __attribute__((aligned(8)));
static uint32_t s_thread_used[2];

static void zephyr_threads_init(void)
{
    static const char *const names[2] = { "main", "sysworkq" };
    for (int i = 0; i < 2; i++) {
        for (uint32_t k = 0; k < sizeof(s_thread_stack[i]); k++) ((volatile uint8_t *)s_thread_stack[i])[k] = 0xAAu;
        s_threads[i].stack_info.start = (uintptr_t)s_thread_stack[i];
        s_threads[i].stack_info.size = sizeof(s_thread_stack[i]);
        for (int c = 0; names[i][c]; c++) s_threads[i].name[c] = names[i][c];
        s_threads[i].next_thread = i == 0 ? &s_threads[1] : NULL;
    }
    _kernel.threads = &s_threads[0];
    _kernel.cpus[0].current = &s_threads[0];
}

/* Deepens each thread's stack use now and then (stacks grow down), then scans like the firmware's own
 * k_thread_stack_space_get() into g_stack_truth.task_unused[0..1]. */
void variant_stacks(void)
{
    for (int i = 0; i < 2; i++) {
        if (s_thread_used[i] + 24u <= 600u) s_thread_used[i] += 8u + 8u * (uint32_t)i;
        uint8_t *top = s_thread_stack[i] + sizeof(s_thread_stack[i]);
        for (uint8_t *p = top - s_thread_used[i]; p < top; p++) *(volatile uint8_t *)p = 0x5Au;
        uint32_t n = 0;
        while (n < sizeof(s_thread_stack[i]) && ((volatile uint8_t *)s_thread_stack[i])[n] == 0xAAu) n++;
        g_stack_truth.task_unused[i] = n;
    }
}

static void publish(void)
{
    s_z_heap.allocated_bytes = s_used_bytes;
    s_z_heap.free_bytes = sizeof(s_slab) - s_used_bytes;
    s_z_heap.max_allocated_bytes = s_peak_bytes;
}
#elif LAYOUT_THREADX
/* tx_api.h: TX_BYTE_POOL, and the byte pool's block list as ThreadX documents it: every block starts with
 * [UCHAR *next block][ALIGN_TYPE owner], owner = TX_BYTE_BLOCK_FREE (0xFFFFEEEE) for a free block, else
 * the pool; a permanently allocated marker block sits at the end of the pool memory and links back to
 * the start. Released blocks are not merged at once: adjacent free blocks are merged while a later
 * allocation searches (so `tx_byte_pool_fragments` counts all blocks, marker included). Invariants:
 * available = (sum of free block sizes) - one header; fragments = number of blocks. This allocator is
 * written for the test from that layout, not from ThreadX source. */
#define BYTE_POOL_ALLOCATOR 1
typedef unsigned long ULONG;
typedef unsigned int UINT;
typedef unsigned char UCHAR;
typedef char CHAR;
typedef ULONG ALIGN_TYPE;
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
#define TX_BYTE_BLOCK_FREE 0xFFFFEEEEUL
#define TX_BYTE_BLOCK_MIN 20u
#define HDR (sizeof(UCHAR *) + sizeof(ALIGN_TYPE))
#define NEXT(b) (*(UCHAR **)(b))
#define OWNER(b) (*(ALIGN_TYPE *)((b) + sizeof(UCHAR *)))
TX_BYTE_POOL app_byte_pool;
TX_BYTE_POOL *_tx_byte_pool_created_ptr = &app_byte_pool;
static UCHAR s_pool_mem[16384] __attribute__((aligned(8)));

static void pool_create(void)
{
    TX_BYTE_POOL *p = &app_byte_pool;
    UCHAR *end = s_pool_mem + sizeof(s_pool_mem) - HDR;
    NEXT(s_pool_mem) = end;
    OWNER(s_pool_mem) = TX_BYTE_BLOCK_FREE;
    NEXT(end) = s_pool_mem;
    OWNER(end) = (ALIGN_TYPE)p;
    p->tx_byte_pool_id = 0x42595445UL; /* TX_BYTE_POOL_ID */
    p->tx_byte_pool_name = "app pool";
    p->tx_byte_pool_start = s_pool_mem;
    p->tx_byte_pool_size = sizeof(s_pool_mem);
    p->tx_byte_pool_list = s_pool_mem;
    p->tx_byte_pool_search = s_pool_mem;
    p->tx_byte_pool_available = sizeof(s_pool_mem) - 2u * HDR;
    p->tx_byte_pool_fragments = 2;
}

static void *pool_allocate(ULONG n)
{
    TX_BYTE_POOL *p = &app_byte_pool;
    n = (n + sizeof(ALIGN_TYPE) - 1u) & ~(ULONG)(sizeof(ALIGN_TYPE) - 1u);
    UCHAR *b = p->tx_byte_pool_start;
    do {
        if (OWNER(b) == TX_BYTE_BLOCK_FREE) {
            while (NEXT(b) != p->tx_byte_pool_start && OWNER(NEXT(b)) == TX_BYTE_BLOCK_FREE) {
                NEXT(b) = NEXT(NEXT(b)); /* merge the following free block */
                p->tx_byte_pool_fragments--;
            }
            ULONG room = (ULONG)(NEXT(b) - b) - HDR;
            if (room >= n) {
                if (room - n >= TX_BYTE_BLOCK_MIN + HDR) {
                    UCHAR *rest = b + HDR + n;
                    NEXT(rest) = NEXT(b);
                    OWNER(rest) = TX_BYTE_BLOCK_FREE;
                    NEXT(b) = rest;
                    p->tx_byte_pool_fragments++;
                }
                OWNER(b) = (ALIGN_TYPE)p;
                p->tx_byte_pool_available -= (ULONG)(NEXT(b) - b);
                return b + HDR;
            }
        }
        b = NEXT(b);
    } while (b != p->tx_byte_pool_start);
    return NULL;
}

static void pool_release(void *mem)
{
    UCHAR *b = (UCHAR *)mem - HDR;
    OWNER(b) = TX_BYTE_BLOCK_FREE;
    app_byte_pool.tx_byte_pool_available += (ULONG)(NEXT(b) - b);
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

#if BYTE_POOL_ALLOCATOR
void variant_init(void) { pool_create(); }
void *variant_alloc(uint32_t bytes)
{
    void *p = pool_allocate(bytes);
    if (p) {
        s_used_bytes += bytes;
        s_allocs++;
    } else {
        s_fails++;
    }
    return p;
}
void variant_free(void *p) { pool_release(p); }

/* The firmware's own walk: free bytes, blocks, and the largest allocation that would succeed (a run of
 * adjacent free blocks, merged as the allocator would, minus one header). */
void variant_truth(volatile struct alloc_truth *t)
{
    TX_BYTE_POOL *p = &app_byte_pool;
    uint32_t blocks = 0, free_sum = 0, free_blocks = 0, largest = 0, run = 0;
    UCHAR *b = p->tx_byte_pool_start;
    do {
        blocks++;
        uint32_t size = (uint32_t)(NEXT(b) - b);
        if (OWNER(b) == TX_BYTE_BLOCK_FREE && NEXT(b) > b) {
            free_sum += size;
            free_blocks++;
            run += size;
            if (run - HDR > largest) largest = run - HDR;
        } else {
            run = 0;
        }
        b = NEXT(b);
    } while (b != p->tx_byte_pool_start);
    t->arena = p->tx_byte_pool_size;
    t->free = p->tx_byte_pool_available;
    t->used = p->tx_byte_pool_size - p->tx_byte_pool_available;
    t->walk_free = free_sum;
    t->free_blocks = free_blocks;
    t->largest_free = largest;
    t->live = blocks; /* reused: all blocks, marker included (== fragments) */
    t->failed = s_fails;
}
#else
void variant_init(void)
{
#if LAYOUT_ZEPHYR
    zephyr_threads_init();
#endif
    publish();
}

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
#endif
