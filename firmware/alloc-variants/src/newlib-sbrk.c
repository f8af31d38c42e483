/* _sbrk over a static region, the way libnosys and most vendor startups do it: a function-static
 * `heap_end` moving up from the region start. heapscope finds the current top through it. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SBRK_REGION_BYTES
#define SBRK_REGION_BYTES 24576u
#endif

uint8_t g_sbrk_region[SBRK_REGION_BYTES] __attribute__((aligned(8)));

void *_sbrk(ptrdiff_t incr)
{
    static uint8_t *heap_end;
    if (heap_end == 0) heap_end = g_sbrk_region;
    uint8_t *prev = heap_end;
    if (incr > 0 && (size_t)incr > (size_t)(g_sbrk_region + SBRK_REGION_BYTES - heap_end)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_end += incr;
    return prev;
}
