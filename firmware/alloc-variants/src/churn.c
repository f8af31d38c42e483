/* Torn-walk bench: heapscope's own allocator (../src/heap.c) churned at full speed, never sleeping, so
 * a probe's snapshot can land in the middle of any heap_alloc / heap_free. A seqlock tells the test
 * where: `seq` is odd while an operation runs; `largest[ops % RING]` is the largest free block after
 * operation `ops` completed (from the allocator's own bookkeeping walk). */
#include <stdint.h>
#include "heap.h"

#define RING 16384u
#define SLOTS 64u

struct churn_truth {
    uint32_t seq;
    uint32_t ops;
    uint32_t largest[RING];
};
volatile struct churn_truth g_churn;
volatile uint32_t g_ticks; /* the platform tick (unused: this firmware never sleeps) */
static void *s_slot[SLOTS];
static uint32_t s_rng = 0x2545F491u;

static uint32_t rnd(void)
{
    uint32_t x = s_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return s_rng = x;
}

int main(void)
{
    heap_init();
    g_churn.largest[0] = g_heap.largest_free;
    for (;;) {
        uint32_t r = rnd();
        uint32_t i = r % SLOTS;
        g_churn.seq++; /* odd: an operation is in flight */
        if (s_slot[i]) {
            heap_free(s_slot[i]);
            s_slot[i] = 0;
        } else {
            s_slot[i] = heap_alloc(8u + (r >> 8) % 400u);
        }
        uint32_t n = g_churn.ops + 1u;
        g_churn.largest[n % RING] = g_heap.largest_free;
        g_churn.ops = n;
        g_churn.seq++; /* even: quiescent */
    }
}
