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

/* Stacks: bytes at the far (low) end still holding the fill pattern 0xA5, by the firmware's own scan.
 * msp = the main stack [STACK_BOTTOM, __stack_top); task[i] = FreeRTOS-layout task stacks (variants
 * that have tasks). */
#define STACK_FILL 0xA5u
#define MAIN_STACK_BYTES 8192u
struct stack_truth {
    uint32_t msp_unused;
    uint32_t task_unused[3];
};
extern volatile struct stack_truth g_stack_truth;
/* Optional: variants with tasks refresh g_stack_truth.task_unused here (weak default does nothing). */
void variant_stacks(void);

/* Each variant provides these. */
void *variant_alloc(uint32_t bytes);
void variant_free(void *p);
void variant_init(void);
void variant_truth(volatile struct alloc_truth *t); /* fill arena/used/free/free_blocks/walk_free/largest_free */

#endif
