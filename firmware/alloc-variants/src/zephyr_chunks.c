/* Zephyr sys_heap CHUNK LAYOUT, written for heapscope's tests from Zephyr's documented heap design
 * (lib/heap/heap.h's data layout, not its source): the heap memory is an array of 8-byte chunk units;
 * struct z_heap sits in chunk 0 at the start of the memory (sys_heap.heap points there), followed by
 * buckets[] (free-list heads by size class, avail_buckets says which are non-empty); each chunk starts
 * with a header of 16-bit fields for heaps under 0x8000 chunks on 32-bit targets (32-bit otherwise):
 * LEFT_SIZE, SIZE_AND_USED (size in chunks << 1 | used), then, in free chunks, FREE_PREV and FREE_NEXT.
 * end_chunk is a used zero-size marker. Neighbouring free chunks are merged on free. The runtime stats
 * (CONFIG_SYS_HEAP_RUNTIME_STATS) count payload bytes: chunk bytes minus one header.
 * The firmware's truth is its own physical chunk walk. */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

#define CHUNK_UNIT 8u
typedef uint32_t chunkid_t;
typedef uint32_t chunksz_t;
struct z_heap_bucket {
    chunkid_t next;
};
struct z_heap {
    chunkid_t chunk0_hi;
    chunkid_t end_chunk;
    uint32_t avail_buckets;
    size_t free_bytes;
    size_t allocated_bytes;
    size_t max_allocated_bytes;
    struct z_heap_bucket buckets[];
};
struct sys_heap {
    struct z_heap *heap;
    void *init_mem;
    size_t init_bytes;
};
struct _wait_q_t_stub { void *head, *tail; };
struct k_spinlock { uint8_t unused; };
struct k_heap {
    struct sys_heap heap;
    struct _wait_q_t_stub wait_q;
    struct k_spinlock lock;
};

#define HEAP_BYTES 12288u
static uint8_t s_heap_mem[HEAP_BYTES] __attribute__((aligned(8)));
struct k_heap _system_heap;

enum chunk_fields { LEFT_SIZE, SIZE_AND_USED, FREE_PREV, FREE_NEXT };
#define HDR 4u /* small heap: two 16-bit fields */

static struct z_heap *H(void) { return _system_heap.heap.heap; }
static uint32_t fld(chunkid_t c, int f) { return ((uint16_t *)((uint8_t *)H() + c * CHUNK_UNIT))[f]; }
static void set_fld(chunkid_t c, int f, uint32_t v) { ((uint16_t *)((uint8_t *)H() + c * CHUNK_UNIT))[f] = (uint16_t)v; }
static chunksz_t csize(chunkid_t c) { return fld(c, SIZE_AND_USED) >> 1; }
static int cused(chunkid_t c) { return fld(c, SIZE_AND_USED) & 1u; }
static void set_size(chunkid_t c, chunksz_t s) { set_fld(c, SIZE_AND_USED, (s << 1) | (uint32_t)cused(c)); }
static void set_used(chunkid_t c, int u) { set_fld(c, SIZE_AND_USED, (csize(c) << 1) | (u ? 1u : 0u)); }
static uint32_t payload(chunksz_t s) { return s * CHUNK_UNIT - HDR; }
static int bucket_of(chunksz_t s) { return 31 - __builtin_clz(s); } /* min chunk size is 1 */

static void list_add(chunkid_t c)
{
    int bi = bucket_of(csize(c));
    struct z_heap_bucket *b = &H()->buckets[bi];
    if (b->next == 0) {
        H()->avail_buckets |= 1u << bi;
        b->next = c;
        set_fld(c, FREE_PREV, c);
        set_fld(c, FREE_NEXT, c);
    } else {
        chunkid_t second = b->next, first = fld(second, FREE_PREV);
        set_fld(c, FREE_PREV, first);
        set_fld(c, FREE_NEXT, second);
        set_fld(first, FREE_NEXT, c);
        set_fld(second, FREE_PREV, c);
    }
}
static void list_remove(chunkid_t c)
{
    int bi = bucket_of(csize(c));
    struct z_heap_bucket *b = &H()->buckets[bi];
    if (fld(c, FREE_NEXT) == c) {
        H()->avail_buckets &= ~(1u << bi);
        b->next = 0;
    } else {
        chunkid_t first = fld(c, FREE_PREV), second = fld(c, FREE_NEXT);
        b->next = second;
        set_fld(first, FREE_NEXT, second);
        set_fld(second, FREE_PREV, first);
    }
}

void variant_init(void)
{
    struct z_heap *h = (struct z_heap *)s_heap_mem;
    _system_heap.heap.heap = h;
    _system_heap.heap.init_mem = s_heap_mem;
    _system_heap.heap.init_bytes = sizeof s_heap_mem;
    chunksz_t heap_sz = (sizeof s_heap_mem - HDR) / CHUNK_UNIT; /* room for the end marker's header */
    int nb = bucket_of(heap_sz) + 1;
    chunksz_t chunk0 = (sizeof(struct z_heap) + nb * sizeof(struct z_heap_bucket) + CHUNK_UNIT - 1) / CHUNK_UNIT;
    for (size_t i = 0; i < chunk0 * CHUNK_UNIT; i++) s_heap_mem[i] = 0;
    h->end_chunk = heap_sz;
    set_fld(0, LEFT_SIZE, 0);
    set_fld(0, SIZE_AND_USED, (chunk0 << 1) | 1u);
    set_fld(chunk0, LEFT_SIZE, chunk0);
    set_fld(chunk0, SIZE_AND_USED, (heap_sz - chunk0) << 1);
    set_fld(heap_sz, LEFT_SIZE, heap_sz - chunk0);
    set_fld(heap_sz, SIZE_AND_USED, 1u);
    h->free_bytes = payload(heap_sz - chunk0);
    list_add(chunk0);
}

void *variant_alloc(uint32_t bytes)
{
    struct z_heap *h = H();
    chunksz_t need = (bytes + HDR + CHUNK_UNIT - 1) / CHUNK_UNIT;
    int bi = bucket_of(need);
    chunkid_t c = 0;
    /* a few tries in the request's own bucket, then the first chunk of any larger bucket */
    if (h->buckets[bi].next) {
        chunkid_t x = h->buckets[bi].next;
        for (int k = 0; k < 4 && !c; k++, x = fld(x, FREE_NEXT)) if (csize(x) >= need) c = x;
    }
    if (!c) {
        uint32_t more = h->avail_buckets & ~((2u << bi) - 1u);
        if (!more) return NULL;
        c = h->buckets[__builtin_ctz(more)].next;
    }
    list_remove(c);
    if (csize(c) > need) {
        chunkid_t rest = c + need, right = c + csize(c);
        set_fld(rest, SIZE_AND_USED, (csize(c) - need) << 1);
        set_fld(rest, LEFT_SIZE, need);
        set_fld(right, LEFT_SIZE, csize(rest));
        set_size(c, need);
        list_add(rest);
    }
    set_used(c, 1);
    h->free_bytes -= payload(csize(c));
    h->allocated_bytes += payload(csize(c));
    if (h->allocated_bytes > h->max_allocated_bytes) h->max_allocated_bytes = h->allocated_bytes;
    return (uint8_t *)h + c * CHUNK_UNIT + HDR;
}

void variant_free(void *p)
{
    struct z_heap *h = H();
    chunkid_t c = (chunkid_t)(((uint8_t *)p - HDR - (uint8_t *)h) / CHUNK_UNIT);
    set_used(c, 0);
    h->free_bytes += payload(csize(c));
    h->allocated_bytes -= payload(csize(c));
    chunkid_t right = c + csize(c);
    if (!cused(right)) {
        list_remove(right);
        set_size(c, csize(c) + csize(right));
        set_fld(c + csize(c), LEFT_SIZE, csize(c));
    }
    chunkid_t left = c - fld(c, LEFT_SIZE);
    if (left != c && !cused(left)) {
        list_remove(left);
        set_size(left, csize(left) + csize(c));
        set_fld(left + csize(left), LEFT_SIZE, csize(left));
        c = left;
    }
    list_add(c);
}

/* Physical chunk walk: free chunks, their payload bytes, the largest (what one allocation could get). */
void variant_truth(volatile struct alloc_truth *t)
{
    uint32_t n = 0, total = 0, largest = 0;
    for (chunkid_t c = csize(0); c < H()->end_chunk; c += csize(c)) {
        if (!cused(c)) {
            n++;
            total += payload(csize(c));
            if (payload(csize(c)) > largest) largest = payload(csize(c));
        }
    }
    t->arena = H()->free_bytes + H()->allocated_bytes;
    t->free = H()->free_bytes;
    t->used = H()->allocated_bytes;
    t->free_blocks = n;
    t->walk_free = total;
    t->largest_free = largest;
}
