#include "heap.h"

volatile struct heap_stats g_heap;
/* Head of the address-ordered free list: a debugger can walk it (size at +0, next at +4). */
struct heap_block *volatile g_free_list;
uint8_t g_heap_arena[HEAP_ARENA_BYTES] __attribute__((aligned(8)));

/* A file-static with the same name as one in workload.c, for "file.c::name" lookups. */
static volatile uint32_t s_calls;

static uint32_t round_up(uint32_t n) { return (n + (HEAP_ALIGN - 1u)) & ~(HEAP_ALIGN - 1u); }

/* Recompute the free-list derived statistics. A walk (not incremental bookkeeping) keeps the
 * numbers exactly right after any split or merge; the list is short. */
static void refresh_free_stats(void)
{
    uint32_t total = 0, largest = 0, count = 0;
    for (struct heap_block *b = g_free_list; b != 0; b = b->u.next) {
        total += b->size;
        if (b->size > largest) largest = b->size;
        count++;
    }
    g_heap.free = total;
    g_heap.used = g_heap.capacity - total;
    g_heap.largest_free = largest;
    g_heap.fragments = count;
    if (total < g_heap.min_ever_free) g_heap.min_ever_free = total;
}

void heap_init(void)
{
    struct heap_block *b = (struct heap_block *)g_heap_arena;
    b->size = HEAP_ARENA_BYTES;
    b->u.next = 0;
    g_free_list = b;
    g_heap.capacity = HEAP_ARENA_BYTES;
    g_heap.alloc_count = 0;
    g_heap.free_count = 0;
    g_heap.failed_allocs = 0;
    g_heap.min_ever_free = HEAP_ARENA_BYTES;
    refresh_free_stats();
}

void *heap_alloc(uint32_t bytes)
{
    s_calls++;
    if (bytes == 0 || bytes > HEAP_ARENA_BYTES) {
        if (bytes != 0) g_heap.failed_allocs++;
        return 0;
    }
    uint32_t need = round_up(bytes + HEAP_HEADER_BYTES);
    struct heap_block *prev = 0;
    for (struct heap_block *b = g_free_list; b != 0; prev = b, b = b->u.next) {
        if (b->size < need) continue;
        struct heap_block *rest;
        if (b->size - need >= HEAP_MIN_BLOCK) {
            /* split: the front becomes the allocation, the tail stays on the list in its place */
            rest = (struct heap_block *)((uint8_t *)b + need);
            rest->size = b->size - need;
            rest->u.next = b->u.next;
            b->size = need;
        } else {
            rest = b->u.next; /* take the whole block */
        }
        if (prev) prev->u.next = rest; else g_free_list = rest;
        b->u.magic = HEAP_MAGIC_USED;
        g_heap.alloc_count++;
        refresh_free_stats();
        return (uint8_t *)b + HEAP_HEADER_BYTES;
    }
    g_heap.failed_allocs++;
    return 0;
}

void heap_free(void *p)
{
    s_calls++;
    if (p == 0) return;
    uint8_t *raw = (uint8_t *)p - HEAP_HEADER_BYTES;
    /* not a pointer heap_alloc returned: outside the arena or misaligned (a misaligned header read
     * would fault on the M0+) */
    if (raw < g_heap_arena || raw >= g_heap_arena + HEAP_ARENA_BYTES - HEAP_HEADER_BYTES) return;
    if (((uintptr_t)raw & (HEAP_ALIGN - 1u)) != 0) return;
    struct heap_block *b = (struct heap_block *)raw;
    if (b->u.magic != HEAP_MAGIC_USED) return; /* double free or foreign pointer: ignore, never corrupt */

    /* insert in address order */
    struct heap_block *prev = 0, *next = g_free_list;
    while (next != 0 && next < b) { prev = next; next = next->u.next; }
    b->u.next = next;
    if (prev) prev->u.next = b; else g_free_list = b;

    /* coalesce with the following block, then with the preceding one */
    if (next != 0 && (uint8_t *)b + b->size == (uint8_t *)next) {
        b->size += next->size;
        b->u.next = next->u.next;
    }
    if (prev != 0 && (uint8_t *)prev + prev->size == (uint8_t *)b) {
        prev->size += b->size;
        prev->u.next = b->u.next;
    }
    g_heap.free_count++;
    refresh_free_stats();
}
