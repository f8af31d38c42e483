/* FreeRTOS heap_4 / heap_5 LAYOUT, written for heapscope's tests from FreeRTOS's documented data
 * structures (not FreeRTOS source): the same variable names, types and invariants a real build has —
 *   typedef struct A_BLOCK_LINK { struct A_BLOCK_LINK *pxNextFreeBlock; size_t xBlockSize; } BlockLink_t;
 *   static BlockLink_t xStart; static BlockLink_t *pxEnd;          free list in address order, ends at pxEnd
 *   static size_t xFreeBytesRemaining, xMinimumEverFreeBytesRemaining,
 *                 xNumberOfSuccessfulAllocations, xNumberOfSuccessfulFrees;
 *   allocated blocks carry the top bit of xBlockSize; sizes include the (aligned) BlockLink_t header;
 *   heap_4: one static uint8_t ucHeap[configTOTAL_HEAP_SIZE];
 *   heap_5: several regions (vPortDefineHeapRegions); each region ends with a zero-size marker block,
 *           which stays on the free list linking to the next region; pxEnd is the last region's marker;
 *   configENABLE_HEAP_PROTECTOR: free-list links stored XOR xHeapCanary.
 * The allocator logic (first fit, split, address-ordered insert with coalescing) follows the FreeRTOS
 * documentation; the firmware's own walk fills g_alloc_truth. */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

#define portBYTE_ALIGNMENT 8u
#define portBYTE_ALIGNMENT_MASK (portBYTE_ALIGNMENT - 1u)
#ifndef configTOTAL_HEAP_SIZE
#define configTOTAL_HEAP_SIZE 12288u
#endif

typedef struct A_BLOCK_LINK {
    struct A_BLOCK_LINK *pxNextFreeBlock;
    size_t xBlockSize;
} BlockLink_t;

typedef struct HeapRegion {
    uint8_t *pucStartAddress;
    size_t xSizeInBytes;
} HeapRegion_t;

static const size_t xHeapStructSize = (sizeof(BlockLink_t) + portBYTE_ALIGNMENT_MASK) & ~(size_t)portBYTE_ALIGNMENT_MASK;
#define heapMINIMUM_BLOCK_SIZE (xHeapStructSize << 1)
#define heapBLOCK_ALLOCATED_BITMASK (((size_t)1) << (sizeof(size_t) * 8u - 1u))
#define heapBLOCK_IS_ALLOCATED(b) (((b)->xBlockSize & heapBLOCK_ALLOCATED_BITMASK) != 0)

#if configENABLE_HEAP_PROTECTOR
static size_t xHeapCanary;
#define heapPROTECT_BLOCK_POINTER(p) ((BlockLink_t *)(((size_t)(p)) ^ xHeapCanary))
#else
#define heapPROTECT_BLOCK_POINTER(p) (p)
#endif

#if FREERTOS_HEAP5
/* Two regions in separate arrays, with other data between them, as a board with two RAM banks. */
uint8_t ucHeapRegionA[configTOTAL_HEAP_SIZE / 2u] __attribute__((aligned(8)));
volatile uint32_t g_between_regions[64];
uint8_t ucHeapRegionB[configTOTAL_HEAP_SIZE / 2u] __attribute__((aligned(8)));
#else
static uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#endif

static BlockLink_t xStart;
static BlockLink_t *pxEnd = NULL;
static size_t xFreeBytesRemaining = 0U;
static size_t xMinimumEverFreeBytesRemaining = 0U;
static size_t xNumberOfSuccessfulAllocations = 0;
static size_t xNumberOfSuccessfulFrees = 0;

static void prvInsertBlockIntoFreeList(BlockLink_t *pxBlockToInsert)
{
    BlockLink_t *pxIterator;
    for (pxIterator = &xStart; heapPROTECT_BLOCK_POINTER(pxIterator->pxNextFreeBlock) < pxBlockToInsert;
         pxIterator = heapPROTECT_BLOCK_POINTER(pxIterator->pxNextFreeBlock)) {
    }
    if ((uint8_t *)pxIterator + pxIterator->xBlockSize == (uint8_t *)pxBlockToInsert) {
        pxIterator->xBlockSize += pxBlockToInsert->xBlockSize;
        pxBlockToInsert = pxIterator;
    }
    BlockLink_t *next = heapPROTECT_BLOCK_POINTER(pxIterator->pxNextFreeBlock);
    if ((uint8_t *)pxBlockToInsert + pxBlockToInsert->xBlockSize == (uint8_t *)next && next != pxEnd) {
        pxBlockToInsert->xBlockSize += next->xBlockSize;
        pxBlockToInsert->pxNextFreeBlock = next->pxNextFreeBlock;
    } else {
        pxBlockToInsert->pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(next);
    }
    if (pxIterator != pxBlockToInsert) pxIterator->pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(pxBlockToInsert);
}

/* heap_5's vPortDefineHeapRegions; heap_4 calls it once for ucHeap. */
static void prvDefineRegions(const HeapRegion_t *regions)
{
    BlockLink_t *pxPrevEnd = NULL;
    size_t total = 0;
#if configENABLE_HEAP_PROTECTOR
    xHeapCanary = 0x5EED1234u; /* FreeRTOS asks the port for a random value */
#endif
    for (const HeapRegion_t *r = regions; r->xSizeInBytes > 0; r++) {
        size_t addr = (size_t)r->pucStartAddress;
        size_t size = r->xSizeInBytes;
        if (addr & portBYTE_ALIGNMENT_MASK) {
            size_t adj = portBYTE_ALIGNMENT - (addr & portBYTE_ALIGNMENT_MASK);
            addr += adj;
            size -= adj;
        }
        BlockLink_t *first = (BlockLink_t *)addr;
        if (pxPrevEnd == NULL) {
            xStart.pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(first);
            xStart.xBlockSize = 0;
        }
        size_t endAddr = (addr + size - xHeapStructSize) & ~(size_t)portBYTE_ALIGNMENT_MASK;
        pxEnd = (BlockLink_t *)endAddr;
        pxEnd->xBlockSize = 0;
        pxEnd->pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(NULL);
        first->xBlockSize = endAddr - addr;
        first->pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(pxEnd);
        if (pxPrevEnd != NULL) pxPrevEnd->pxNextFreeBlock = heapPROTECT_BLOCK_POINTER(first);
        pxPrevEnd = pxEnd;
        total += first->xBlockSize;
    }
    xFreeBytesRemaining = total;
    xMinimumEverFreeBytesRemaining = total;
}

void *pvPortMalloc(size_t xWantedSize)
{
    if (xWantedSize == 0) return NULL;
    size_t need = xWantedSize + xHeapStructSize;
    if (need & portBYTE_ALIGNMENT_MASK) need += portBYTE_ALIGNMENT - (need & portBYTE_ALIGNMENT_MASK);
    if (need > xFreeBytesRemaining || (need & heapBLOCK_ALLOCATED_BITMASK)) return NULL;
    BlockLink_t *prev = &xStart;
    BlockLink_t *b = heapPROTECT_BLOCK_POINTER(xStart.pxNextFreeBlock);
    while (b->xBlockSize < need && heapPROTECT_BLOCK_POINTER(b->pxNextFreeBlock) != NULL) {
        prev = b;
        b = heapPROTECT_BLOCK_POINTER(b->pxNextFreeBlock);
    }
    if (b == pxEnd || b->xBlockSize < need) return NULL;
    prev->pxNextFreeBlock = b->pxNextFreeBlock;
    if (b->xBlockSize - need > heapMINIMUM_BLOCK_SIZE) {
        BlockLink_t *rest = (BlockLink_t *)((uint8_t *)b + need);
        rest->xBlockSize = b->xBlockSize - need;
        b->xBlockSize = need;
        prvInsertBlockIntoFreeList(rest);
    }
    xFreeBytesRemaining -= b->xBlockSize;
    if (xFreeBytesRemaining < xMinimumEverFreeBytesRemaining) xMinimumEverFreeBytesRemaining = xFreeBytesRemaining;
    b->xBlockSize |= heapBLOCK_ALLOCATED_BITMASK;
    b->pxNextFreeBlock = NULL;
    xNumberOfSuccessfulAllocations++;
    return (uint8_t *)b + xHeapStructSize;
}

void vPortFree(void *pv)
{
    if (pv == NULL) return;
    BlockLink_t *b = (BlockLink_t *)((uint8_t *)pv - xHeapStructSize);
    if (!heapBLOCK_IS_ALLOCATED(b) || b->pxNextFreeBlock != NULL) return;
    b->xBlockSize &= ~heapBLOCK_ALLOCATED_BITMASK;
    xFreeBytesRemaining += b->xBlockSize;
    prvInsertBlockIntoFreeList(b);
    xNumberOfSuccessfulFrees++;
}

void freertos_tasks_init(void);

void variant_init(void)
{
    freertos_tasks_init();
#if FREERTOS_HEAP5
    /* FreeRTOS wants the regions in address order; the linker decides which array comes first. */
    static HeapRegion_t regions[3]; /* static + field by field: no memcpy in a -nostdlib build */
    uint8_t *lo = (uintptr_t)ucHeapRegionA < (uintptr_t)ucHeapRegionB ? ucHeapRegionA : ucHeapRegionB;
    uint8_t *hi = (uintptr_t)ucHeapRegionA < (uintptr_t)ucHeapRegionB ? ucHeapRegionB : ucHeapRegionA;
    regions[0].pucStartAddress = lo;
    regions[0].xSizeInBytes = sizeof(ucHeapRegionA);
    regions[1].pucStartAddress = hi;
    regions[1].xSizeInBytes = sizeof(ucHeapRegionB);
#else
    static const HeapRegion_t regions[] = { { ucHeap, sizeof(ucHeap) }, { NULL, 0 } };
#endif
    prvDefineRegions(regions);
}
void *variant_alloc(uint32_t bytes) { return pvPortMalloc(bytes); }
void variant_free(void *p) { vPortFree(p); }

void variant_truth(volatile struct alloc_truth *t)
{
    uint32_t n = 0, total = 0, largest = 0;
    for (BlockLink_t *b = heapPROTECT_BLOCK_POINTER(xStart.pxNextFreeBlock); b != pxEnd; b = heapPROTECT_BLOCK_POINTER(b->pxNextFreeBlock)) {
        if (b->xBlockSize == 0) continue; /* heap_5 region end marker */
        n++;
        total += b->xBlockSize;
        if (b->xBlockSize > largest) largest = b->xBlockSize;
    }
#if FREERTOS_HEAP5
    t->arena = sizeof(ucHeapRegionA) + sizeof(ucHeapRegionB);
#else
    t->arena = sizeof(ucHeap);
#endif
    t->free = xFreeBytesRemaining;
    t->used = t->arena - xFreeBytesRemaining;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
