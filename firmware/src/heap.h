/* heapscope demo allocator: a first-fit, address-ordered free list with splitting and coalescing
 * over one static arena. Every statistic a debugger needs lives in ONE volatile struct, g_heap, so
 * a probe can read the whole picture in one block read while the core runs.
 *
 * Accounting rule (exact, checked by tests): all byte counts are GROSS block sizes, headers
 * included, so at every instant the allocator is not inside a call:
 *     g_heap.used + g_heap.free == g_heap.capacity
 *     g_heap.largest_free <= g_heap.free, fragments == number of blocks on the free list
 * The largest request that can still succeed is largest_free - HEAP_HEADER_BYTES.
 */
#ifndef HEAPSCOPE_HEAP_H
#define HEAPSCOPE_HEAP_H

#include <stdint.h>
#include <stddef.h>

#ifndef HEAP_ARENA_BYTES
#define HEAP_ARENA_BYTES 16384u
#endif

#define HEAP_HEADER_BYTES 8u   /* struct heap_block: size + (next | magic) */
#define HEAP_ALIGN 8u
#define HEAP_MIN_BLOCK 16u     /* header + 8 bytes of payload */
#define HEAP_MAGIC_USED 0xA110CA7Eu

struct heap_stats {
    uint32_t capacity;      /* arena bytes */
    uint32_t used;          /* bytes in allocated blocks, headers included */
    uint32_t free;          /* bytes in free blocks, headers included */
    uint32_t alloc_count;   /* successful heap_alloc calls since boot */
    uint32_t free_count;    /* successful heap_free calls since boot */
    uint32_t failed_allocs; /* heap_alloc calls that returned NULL (no block large enough) */
    uint32_t largest_free;  /* largest free block, header included */
    uint32_t min_ever_free; /* lowest value `free` has had since boot */
    uint32_t fragments;     /* number of free blocks */
};

/* A block header. Free blocks are chained through `next` in address order; allocated blocks hold
 * HEAP_MAGIC_USED there so heap_free can reject a pointer that is not ours. */
struct heap_block {
    uint32_t size; /* gross bytes, multiple of HEAP_ALIGN */
    union {
        struct heap_block *next;
        uint32_t magic;
    } u;
};

extern volatile struct heap_stats g_heap;
extern struct heap_block *volatile g_free_list;
extern uint8_t g_heap_arena[HEAP_ARENA_BYTES];

void heap_init(void);
void *heap_alloc(uint32_t bytes);
void heap_free(void *p);

#endif
