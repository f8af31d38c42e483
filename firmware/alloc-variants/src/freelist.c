/* Benchmark firmware: heapscope's allocator (../src/heap.c, 64 KiB arena) left with exactly
 * BENCH_FREE_BLOCKS + 1 free blocks (BENCH_FREE_BLOCKS small holes between pinned blocks, plus the rest
 * of the arena), then idle. bench/heap-walk.ts walks it coalesced and node by node. */
#include <stdint.h>
#include "heap.h"
#include "cortexm.h"

#ifndef BENCH_FREE_BLOCKS
#define BENCH_FREE_BLOCKS 100u
#endif

volatile uint32_t g_ticks; /* the platform tick (unused: no timer is started) */
static void *s_blocks[2u * BENCH_FREE_BLOCKS];

int main(void)
{
    heap_init();
    for (uint32_t i = 0; i < 2u * BENCH_FREE_BLOCKS; i++) s_blocks[i] = heap_alloc(16u);
    for (uint32_t i = 0; i < 2u * BENCH_FREE_BLOCKS; i += 2u) heap_free(s_blocks[i]);
    for (;;) wfi();
}
