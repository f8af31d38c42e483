/* FreeRTOS heap_2 and heap_1 LAYOUT, written for heapscope's tests from FreeRTOS's documented data
 * structures (not FreeRTOS source). heap_2: best fit, no coalescing, free list ordered by block SIZE from
 * the static xStart to the static xEnd (BlockLink_t), xFreeBytesRemaining, allocated bit on top of
 * xBlockSize. heap_1 (-DFREERTOS_HEAP1): allocate only, xNextFreeByte counts bytes handed out. */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

#define portBYTE_ALIGNMENT 8u
#define portBYTE_ALIGNMENT_MASK (portBYTE_ALIGNMENT - 1u)
#define configTOTAL_HEAP_SIZE 12288u
#define configADJUSTED_HEAP_SIZE (configTOTAL_HEAP_SIZE - portBYTE_ALIGNMENT)

static uint8_t ucHeap[configTOTAL_HEAP_SIZE];

#if FREERTOS_HEAP1
static size_t xNextFreeByte = 0;
static uint8_t *pucAlignedHeap;

void *pvPortMalloc(size_t xWantedSize)
{
    if (xWantedSize & portBYTE_ALIGNMENT_MASK) xWantedSize += portBYTE_ALIGNMENT - (xWantedSize & portBYTE_ALIGNMENT_MASK);
    if (pucAlignedHeap == NULL)
        pucAlignedHeap = (uint8_t *)(((size_t)&ucHeap[portBYTE_ALIGNMENT - 1]) & ~(size_t)portBYTE_ALIGNMENT_MASK);
    if (xWantedSize == 0 || xNextFreeByte + xWantedSize >= configADJUSTED_HEAP_SIZE) return NULL;
    void *p = pucAlignedHeap + xNextFreeByte;
    xNextFreeByte += xWantedSize;
    return p;
}
void vPortFree(void *pv) { (void)pv; /* heap_1 cannot free */ }

void variant_truth(volatile struct alloc_truth *t)
{
    t->arena = sizeof(ucHeap);
    t->used = xNextFreeByte;
    t->free = sizeof(ucHeap) - xNextFreeByte;
}
void variant_init(void) {}
#else
typedef struct A_BLOCK_LINK {
    struct A_BLOCK_LINK *pxNextFreeBlock;
    size_t xBlockSize;
} BlockLink_t;

static const size_t xHeapStructSize = (sizeof(BlockLink_t) + portBYTE_ALIGNMENT_MASK) & ~(size_t)portBYTE_ALIGNMENT_MASK;
#define heapMINIMUM_BLOCK_SIZE (xHeapStructSize * 2u)
#define heapBLOCK_ALLOCATED_BITMASK (((size_t)1) << (sizeof(size_t) * 8u - 1u))

static BlockLink_t xStart, xEnd;
static size_t xFreeBytesRemaining = configADJUSTED_HEAP_SIZE;

static void prvInsertBlockIntoFreeList(BlockLink_t *b)
{
    BlockLink_t *it = &xStart;
    while (it->pxNextFreeBlock->xBlockSize < b->xBlockSize) it = it->pxNextFreeBlock;
    b->pxNextFreeBlock = it->pxNextFreeBlock;
    it->pxNextFreeBlock = b;
}

void variant_init(void)
{
    uint8_t *aligned = (uint8_t *)(((size_t)&ucHeap[portBYTE_ALIGNMENT - 1]) & ~(size_t)portBYTE_ALIGNMENT_MASK);
    xStart.pxNextFreeBlock = (BlockLink_t *)aligned;
    xStart.xBlockSize = 0;
    xEnd.xBlockSize = configADJUSTED_HEAP_SIZE;
    xEnd.pxNextFreeBlock = NULL;
    BlockLink_t *first = (BlockLink_t *)aligned;
    first->xBlockSize = configADJUSTED_HEAP_SIZE;
    first->pxNextFreeBlock = &xEnd;
}

void *pvPortMalloc(size_t xWantedSize)
{
    if (xWantedSize == 0) return NULL;
    size_t need = xWantedSize + xHeapStructSize;
    if (need & portBYTE_ALIGNMENT_MASK) need += portBYTE_ALIGNMENT - (need & portBYTE_ALIGNMENT_MASK);
    if (need >= configADJUSTED_HEAP_SIZE) return NULL;
    BlockLink_t *prev = &xStart, *b = xStart.pxNextFreeBlock;
    while (b->xBlockSize < need && b->pxNextFreeBlock != NULL) {
        prev = b;
        b = b->pxNextFreeBlock;
    }
    if (b == &xEnd) return NULL;
    prev->pxNextFreeBlock = b->pxNextFreeBlock;
    if (b->xBlockSize - need > heapMINIMUM_BLOCK_SIZE) {
        BlockLink_t *rest = (BlockLink_t *)((uint8_t *)b + need);
        rest->xBlockSize = b->xBlockSize - need;
        b->xBlockSize = need;
        prvInsertBlockIntoFreeList(rest);
    }
    xFreeBytesRemaining -= b->xBlockSize;
    b->xBlockSize |= heapBLOCK_ALLOCATED_BITMASK;
    b->pxNextFreeBlock = NULL;
    return (uint8_t *)b + xHeapStructSize;
}

void vPortFree(void *pv)
{
    if (pv == NULL) return;
    BlockLink_t *b = (BlockLink_t *)((uint8_t *)pv - xHeapStructSize);
    if ((b->xBlockSize & heapBLOCK_ALLOCATED_BITMASK) == 0) return;
    b->xBlockSize &= ~heapBLOCK_ALLOCATED_BITMASK;
    xFreeBytesRemaining += b->xBlockSize;
    prvInsertBlockIntoFreeList(b);
}

void variant_truth(volatile struct alloc_truth *t)
{
    uint32_t n = 0, total = 0, largest = 0;
    for (BlockLink_t *b = xStart.pxNextFreeBlock; b != &xEnd; b = b->pxNextFreeBlock) {
        n++;
        total += b->xBlockSize;
        if (b->xBlockSize > largest) largest = b->xBlockSize;
    }
    t->arena = sizeof(ucHeap);
    t->free = xFreeBytesRemaining;
    t->used = sizeof(ucHeap) - xFreeBytesRemaining;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
#endif

void *variant_alloc(uint32_t bytes) { return pvPortMalloc(bytes); }
void variant_free(void *p) { vPortFree(p); }
