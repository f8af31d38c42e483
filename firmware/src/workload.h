/* Workloads that give each prebuilt ELF a known truth. Select one with -DHEAP_PATTERN=<n>. All
 * timing is in firmware milliseconds (g_ticks), so the shape does not depend on emulator speed. */
#ifndef HEAPSCOPE_WORKLOAD_H
#define HEAPSCOPE_WORKLOAD_H

#include <stdint.h>

#define PATTERN_SAWTOOTH 1      /* transactions ramp up, then all are freed: no leak */
#define PATTERN_LEAK 2          /* sawtooth + one block per cycle never freed: trough rises */
#define PATTERN_FRAGMENTATION 3 /* small blocks pinned between large ones: largest_free falls */
#define PATTERN_WARMUP 4        /* caches allocated in the first seconds, then plateau + sawtooth */

#ifndef HEAP_PATTERN
#define HEAP_PATTERN PATTERN_SAWTOOTH
#endif

/* One sawtooth cycle: CYCLE_MS of ramp (SAW_SLOTS allocations spread evenly), then all freed. */
#ifndef HEAP_CYCLE_MS
#define HEAP_CYCLE_MS 3000u
#endif
#define SAW_SLOTS 48u

/* Leak rate: LEAK_BYTES requested (LEAK_BYTES + 8 gross) are kept every LEAK_EVERY_CYCLES cycles.
 * Default 24 B per 3 s cycle = 32 gross B / 3 s, about 38 KB/h: a 16 KiB heap fills in ~25 min of firmware
 * time, slow enough that the demo (at 4x) shows a rising baseline for minutes before the heap resets. */
#ifndef HEAP_LEAK_BYTES
#define HEAP_LEAK_BYTES 24u
#endif
#ifndef HEAP_LEAK_EVERY_CYCLES
#define HEAP_LEAK_EVERY_CYCLES 1u
#endif

/* Fragmentation: one small block (FRAG_PIN_BYTES) of each cycle stays pinned, up to FRAG_MAX_PINS. */
#define FRAG_PIN_BYTES 16u
#define FRAG_MAX_PINS 24u

/* Warm-up: WARMUP_CACHES blocks allocated over the first WARMUP_MS, kept forever. */
#define WARMUP_MS 5000u
#define WARMUP_CACHES 8u

/* What the firmware itself knows to be true, refreshed every TRUTH_PERIOD_MS by walking the arena
 * block by block (independently of the free list and of g_heap). Tests compare probes against it. */
#define TRUTH_PERIOD_MS 100u
struct heap_truth {
    uint32_t pattern;             /* PATTERN_* */
    uint32_t cycle_ms;            /* HEAP_CYCLE_MS */
    uint32_t leak_bytes_per_cycle;/* gross bytes leaked per cycle (0 unless PATTERN_LEAK) */
    uint32_t cycles;              /* completed sawtooth cycles since boot */
    uint32_t walks;               /* arena walks done */
    uint32_t walk_ticks;          /* g_ticks at the last walk */
    uint32_t free_bytes;          /* sum of free blocks found by the walk */
    uint32_t used_bytes;          /* sum of allocated blocks found by the walk */
    uint32_t largest_free;        /* largest free block found by the walk */
    uint32_t fragments;           /* free blocks found by the walk */
    uint32_t live_blocks;         /* allocated blocks found by the walk */
    uint32_t leaked_blocks;       /* blocks the workload deliberately never freed (leak + pins + caches) */
    uint32_t leaked_bytes;        /* their gross bytes */
    uint32_t mismatches;          /* walks where g_heap disagreed with the walk (should stay 0) */
    uint32_t corrupt;             /* walks that found a malformed arena (must stay 0) */
};

extern volatile struct heap_truth g_truth;
extern volatile uint32_t g_boot_count;

void workload_init(void);
void workload_tick(uint32_t now_ms);

#endif
