/* Full newlib malloc (dlmalloc 2.6.4 derivative, the default specs). Free chunks sit in 128 circular
 * doubly linked bins in __malloc_av_, which starts with two zero words: bin i's fd/bk are
 * __malloc_av_[2i+2] / [2i+3] and its header is 2 words before them; bin 0's fd is the top chunk. Chunk = {prev_size; size|PREV_INUSE; fd; bk}.
 * The firmware's own walk below follows that layout; mallinfo() is newlib's count. */
#include <malloc.h>
#include <stdlib.h>
#include "truth.h"

struct dl_chunk {
    size_t prev_size;
    size_t size;
    struct dl_chunk *fd;
    struct dl_chunk *bk;
};
extern struct dl_chunk *__malloc_av_[];
#define NBINS 128
#define BIN_AT(i) ((struct dl_chunk *)((char *)&__malloc_av_[2 * (i) + 2] - 2 * sizeof(size_t)))
#define CHUNK_SIZE(c) ((c)->size & ~(size_t)3)

void variant_init(void) {}
void *variant_alloc(uint32_t bytes) { return malloc(bytes); }
void variant_free(void *p) { free(p); }

void variant_truth(volatile struct alloc_truth *t)
{
    struct mallinfo mi = mallinfo();
    uint32_t n = 0, total = 0, largest = 0;
    struct dl_chunk *top = BIN_AT(0)->fd;
    uint32_t top_size = CHUNK_SIZE(top);
    if (top != BIN_AT(0) && top_size >= 16) { /* mallinfo counts top when it is at least MINSIZE */
        n = 1;
        total = top_size;
        largest = top_size;
    }
    for (int i = 1; i < NBINS; i++) {
        struct dl_chunk *b = BIN_AT(i);
        for (struct dl_chunk *c = b->fd; c != b; c = c->fd) {
            uint32_t s = CHUNK_SIZE(c);
            n++;
            total += s;
            if (s > largest) largest = s;
        }
    }
    t->arena = mi.arena;
    t->used = mi.uordblks;
    t->free = mi.fordblks;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
