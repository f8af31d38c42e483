/* The firmware's own view of its heap, written where no operation is in flight, for tests to compare
 * heapscope's reading against. `ops` counts completed heap operations: two reads that see the same
 * `ops` bracket a moment where the heap matched these numbers. */
#ifndef ALLOC_TRUTH_H
#define ALLOC_TRUTH_H
#include <stdint.h>

struct alloc_truth {
    uint32_t ops;          /* heap operations done when this truth was taken */
    uint32_t arena;        /* bytes the allocator manages (sbrk'ed / region size) */
    uint32_t used;         /* the allocator's own used figure (mallinfo uordblks, ...) */
    uint32_t free;         /* the allocator's own free figure (mallinfo fordblks, ...) */
    uint32_t free_blocks;  /* free blocks found by the firmware's own walk */
    uint32_t walk_free;    /* free bytes found by the firmware's own walk */
    uint32_t largest_free; /* largest free block found by the firmware's own walk */
    uint32_t alloc_count;
    uint32_t free_count;
    uint32_t failed;
    uint32_t live;         /* live allocations of the workload */
};
extern volatile struct alloc_truth g_alloc_truth;

/* Each variant provides these. */
void *variant_alloc(uint32_t bytes);
void variant_free(void *p);
void variant_init(void);
void variant_truth(volatile struct alloc_truth *t); /* fill arena/used/free/free_blocks/walk_free/largest_free */

#endif
