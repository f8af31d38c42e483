/* newlib-nano's malloc (the real one, --specs=nano.specs). Its free list is an address-ordered list of
 * chunks {long size; chunk *next;} headed by __malloc_free_list; mallinfo() walks it to fill
 * __malloc_current_mallinfo. The firmware's own walk below uses the same header layout. */
#include <malloc.h>
#include <stdlib.h>
#include "truth.h"

struct nano_chunk {
    long size;
    struct nano_chunk *next;
};
extern struct nano_chunk *__malloc_free_list;

void variant_init(void) {}
void *variant_alloc(uint32_t bytes) { return malloc(bytes); }
void variant_free(void *p) { free(p); }

void variant_truth(volatile struct alloc_truth *t)
{
    struct mallinfo mi = mallinfo();
    uint32_t n = 0, total = 0, largest = 0;
    for (struct nano_chunk *c = __malloc_free_list; c; c = c->next) {
        n++;
        total += (uint32_t)c->size;
        if ((uint32_t)c->size > largest) largest = (uint32_t)c->size;
    }
    t->arena = mi.arena;
    t->used = mi.uordblks;
    t->free = mi.fordblks;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
