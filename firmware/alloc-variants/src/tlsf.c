/* TLSF LAYOUT, written for heapscope's tests from the documented data layout of Matthew Conte's tlsf
 * (not its source): a control structure
 *     control_t { block_header_t block_null; fl_bitmap; sl_bitmap[FL_INDEX_COUNT];
 *                 block_header_t *blocks[FL_INDEX_COUNT][SL_INDEX_COUNT]; }
 * and block headers { prev_phys_block; size (bit 0: this block free, bit 1: previous block free);
 * next_free; prev_free }. Free blocks sit on the segregated list blocks[fl][sl] chosen by their size,
 * each list doubly linked and ending at &block_null; bit fl of fl_bitmap says sl_bitmap[fl] != 0, bit sl
 * of sl_bitmap[fl] says list (fl, sl) is non-empty. A block's size is its payload; only the size word
 * is overhead (prev_phys_block lives in the previous block's payload while that block is in use).
 *
 * As in typical TLSF code the application holds only a `void *` handle (tlsf_t g_tlsf), created over a
 * static byte array: the control structure at the start of the array, the pool after it. The firmware's
 * truth comes from walking the blocks in PHYSICAL order (not the lists heapscope walks). */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

/* The zero-size sentinel at the pool end is a block_header_t of which only prev_phys_block and size
 * exist (8 bytes before the array end): GCC sees the whole struct type and warns. */
#pragma GCC diagnostic ignored "-Warray-bounds"

typedef void *tlsf_t;

#define ALIGN_SIZE_LOG2 2
#define ALIGN_SIZE (1u << ALIGN_SIZE_LOG2)
#ifndef SL_INDEX_COUNT_LOG2 /* -D to build another configuration: the profile reads it from DWARF */
#define SL_INDEX_COUNT_LOG2 5
#endif
#define SL_INDEX_COUNT (1u << SL_INDEX_COUNT_LOG2)
#ifndef FL_INDEX_MAX
#define FL_INDEX_MAX 16
#endif
#define FL_INDEX_SHIFT (SL_INDEX_COUNT_LOG2 + ALIGN_SIZE_LOG2)
#define FL_INDEX_COUNT (FL_INDEX_MAX - FL_INDEX_SHIFT + 1)
#define SMALL_BLOCK_SIZE (1u << FL_INDEX_SHIFT)

typedef struct block_header_t {
    struct block_header_t *prev_phys_block;
    size_t size;
    struct block_header_t *next_free;
    struct block_header_t *prev_free;
} block_header_t;

typedef struct control_t {
    block_header_t block_null;
    unsigned int fl_bitmap;
    unsigned int sl_bitmap[FL_INDEX_COUNT];
    block_header_t *blocks[FL_INDEX_COUNT][SL_INDEX_COUNT];
} control_t;

#define FREE_BIT ((size_t)1)
#define PREV_FREE_BIT ((size_t)2)
#define OVERHEAD sizeof(size_t)
#define START_OFFSET (offsetof(block_header_t, size) + sizeof(size_t))
#define SIZE_MIN (sizeof(block_header_t) - sizeof(block_header_t *))
#define SIZE_MAX_BLOCK ((size_t)1 << FL_INDEX_MAX)

#define POOL_BYTES 16384u
static uint8_t s_tlsf_pool[POOL_BYTES] __attribute__((aligned(8)));
tlsf_t g_tlsf;

static int fls_u(uint32_t x) { return x ? 31 - __builtin_clz(x) : -1; }
static int ffs_u(uint32_t x) { return x ? __builtin_ctz(x) : -1; }

static size_t bsize(const block_header_t *b) { return b->size & ~(FREE_BIT | PREV_FREE_BIT); }
static void set_size(block_header_t *b, size_t s) { b->size = s | (b->size & (FREE_BIT | PREV_FREE_BIT)); }
static block_header_t *phys_next(const block_header_t *b)
{
    return (block_header_t *)((uint8_t *)b + START_OFFSET + bsize(b) - OVERHEAD);
}
static block_header_t *link_next(block_header_t *b)
{
    block_header_t *n = phys_next(b);
    n->prev_phys_block = b;
    return n;
}
static void mark_free(block_header_t *b)
{
    block_header_t *n = link_next(b);
    n->size |= PREV_FREE_BIT;
    b->size |= FREE_BIT;
}
static void mark_used(block_header_t *b)
{
    phys_next(b)->size &= ~PREV_FREE_BIT;
    b->size &= ~FREE_BIT;
}

/* Size -> (fl, sl): linear below SMALL_BLOCK_SIZE, else the top bit picks fl and the next
 * SL_INDEX_COUNT_LOG2 bits pick sl. */
static void list_of(size_t size, int *fl, int *sl)
{
    if (size < SMALL_BLOCK_SIZE) {
        *fl = 0;
        *sl = (int)(size / (SMALL_BLOCK_SIZE / SL_INDEX_COUNT));
    } else {
        int f = fls_u((uint32_t)size);
        *sl = (int)((size >> (f - SL_INDEX_COUNT_LOG2)) ^ (1u << SL_INDEX_COUNT_LOG2));
        *fl = f - (FL_INDEX_SHIFT - 1);
    }
}

static void unlink_free(control_t *c, block_header_t *b, int fl, int sl)
{
    block_header_t *p = b->prev_free, *n = b->next_free;
    n->prev_free = p;
    p->next_free = n;
    if (c->blocks[fl][sl] == b) {
        c->blocks[fl][sl] = n;
        if (n == &c->block_null) {
            c->sl_bitmap[fl] &= ~(1u << sl);
            if (!c->sl_bitmap[fl]) c->fl_bitmap &= ~(1u << fl);
        }
    }
}
static void link_free(control_t *c, block_header_t *b)
{
    int fl, sl;
    list_of(bsize(b), &fl, &sl);
    block_header_t *head = c->blocks[fl][sl];
    b->next_free = head;
    b->prev_free = &c->block_null;
    head->prev_free = b;
    c->blocks[fl][sl] = b;
    c->fl_bitmap |= 1u << fl;
    c->sl_bitmap[fl] |= 1u << sl;
}
static void unlink_block(control_t *c, block_header_t *b)
{
    int fl, sl;
    list_of(bsize(b), &fl, &sl);
    unlink_free(c, b, fl, sl);
}

static tlsf_t tlsf_create_with_pool(void *mem, size_t bytes)
{
    control_t *c = mem;
    c->block_null.next_free = c->block_null.prev_free = &c->block_null;
    c->fl_bitmap = 0;
    for (unsigned i = 0; i < FL_INDEX_COUNT; i++) {
        c->sl_bitmap[i] = 0;
        for (unsigned j = 0; j < SL_INDEX_COUNT; j++) c->blocks[i][j] = &c->block_null;
    }
    uint8_t *pool = (uint8_t *)mem + sizeof(control_t);
    size_t usable = (bytes - sizeof(control_t) - 2 * OVERHEAD) & ~(size_t)(ALIGN_SIZE - 1);
    /* the first block's prev_phys_block would lie before the pool: it is never read */
    block_header_t *b = (block_header_t *)(pool - OVERHEAD);
    b->size = usable | FREE_BIT;
    link_free(c, b);
    block_header_t *end = link_next(b);
    end->size = PREV_FREE_BIT; /* zero-size sentinel, in use */
    return c;
}

static void *tlsf_malloc(tlsf_t t, size_t want)
{
    control_t *c = t;
    if (want == 0 || want >= SIZE_MAX_BLOCK) return NULL;
    size_t need = (want + ALIGN_SIZE - 1) & ~(size_t)(ALIGN_SIZE - 1);
    if (need < SIZE_MIN) need = SIZE_MIN;
    /* good fit: round the request up to the next list boundary, so any block there fits */
    size_t probe = need;
    if (probe >= SMALL_BLOCK_SIZE) probe += (1u << (fls_u((uint32_t)probe) - SL_INDEX_COUNT_LOG2)) - 1;
    int fl, sl;
    list_of(probe, &fl, &sl);
    if (fl >= (int)FL_INDEX_COUNT) return NULL;
    uint32_t slmap = c->sl_bitmap[fl] & (~0u << sl);
    if (!slmap) {
        uint32_t flmap = fl + 1 < 32 ? c->fl_bitmap & (~0u << (fl + 1)) : 0;
        if (!flmap) return NULL;
        fl = ffs_u(flmap);
        slmap = c->sl_bitmap[fl];
    }
    sl = ffs_u(slmap);
    block_header_t *b = c->blocks[fl][sl];
    unlink_free(c, b, fl, sl);
    if (bsize(b) >= need + sizeof(block_header_t)) {
        /* split: the rest becomes a free block of its own */
        block_header_t *rest = (block_header_t *)((uint8_t *)b + START_OFFSET + need - OVERHEAD);
        rest->size = 0;
        set_size(rest, bsize(b) - need - OVERHEAD);
        set_size(b, need);
        link_next(b);
        mark_free(rest);
        link_free(c, rest);
    }
    mark_used(b);
    return (uint8_t *)b + START_OFFSET;
}

static void tlsf_free(tlsf_t t, void *p)
{
    control_t *c = t;
    if (!p) return;
    block_header_t *b = (block_header_t *)((uint8_t *)p - START_OFFSET);
    mark_free(b);
    if (b->size & PREV_FREE_BIT) {
        block_header_t *prev = b->prev_phys_block;
        unlink_block(c, prev);
        set_size(prev, bsize(prev) + bsize(b) + OVERHEAD);
        link_next(prev);
        b = prev;
    }
    block_header_t *next = phys_next(b);
    if (next->size & FREE_BIT) {
        unlink_block(c, next);
        set_size(b, bsize(b) + bsize(next) + OVERHEAD);
        link_next(b);
    }
    link_free(c, b);
}

void variant_init(void) { g_tlsf = tlsf_create_with_pool(s_tlsf_pool, sizeof s_tlsf_pool); }
void *variant_alloc(uint32_t bytes) { return tlsf_malloc(g_tlsf, bytes); }
void variant_free(void *p) { tlsf_free(g_tlsf, p); }

/* Physical walk from the first block to the zero-size sentinel. arena = bytes handed to the pool
 * (array minus control_t); free = payload bytes of free blocks (TLSF's own measure of a block). */
void variant_truth(volatile struct alloc_truth *t)
{
    uint32_t n = 0, total = 0, largest = 0;
    block_header_t *b = (block_header_t *)(s_tlsf_pool + sizeof(control_t) - OVERHEAD);
    while (bsize(b) != 0) {
        if (b->size & FREE_BIT) {
            n++;
            total += bsize(b);
            if (bsize(b) > largest) largest = bsize(b);
        }
        b = phys_next(b);
    }
    t->arena = sizeof s_tlsf_pool - sizeof(control_t);
    t->free = total;
    t->used = t->arena - total;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
