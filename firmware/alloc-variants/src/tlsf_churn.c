/* Torn-walk firmware for TLSF: the allocator of tlsf.c churned at full speed, never sleeping, so a
 * probe's snapshot can land inside any tlsf_malloc / tlsf_free. A seqlock as in churn.c: `seq` is odd
 * while an operation runs; `largest[ops % RING]` is the largest free block after operation `ops`
 * (from a physical walk of the pool, not the lists heapscope walks). */
#include "tlsf.c"

#define RING 16384u
#define CHURN_SLOTS 64u

struct churn_truth {
    uint32_t seq;
    uint32_t ops;
    uint32_t largest[RING];
};
volatile struct churn_truth g_churn;
volatile uint32_t g_ticks; /* the platform tick (unused: this firmware never sleeps) */
static void *s_churn_slot[CHURN_SLOTS];
static uint32_t s_churn_rng = 0x2545F491u;

static uint32_t churn_rnd(void)
{
    uint32_t x = s_churn_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return s_churn_rng = x;
}

static uint32_t largest_now(void)
{
    struct alloc_truth t;
    variant_truth(&t);
    return t.largest_free;
}

int main(void)
{
    variant_init();
    g_churn.largest[0] = largest_now();
    for (;;) {
        uint32_t r = churn_rnd();
        uint32_t i = r % CHURN_SLOTS;
        g_churn.seq++; /* odd: an operation is in flight */
        if (s_churn_slot[i]) {
            tlsf_free(g_tlsf, s_churn_slot[i]);
            s_churn_slot[i] = 0;
        } else {
            s_churn_slot[i] = tlsf_malloc(g_tlsf, 8u + (r >> 8) % 400u);
        }
        uint32_t n = g_churn.ops + 1u;
        g_churn.largest[n % RING] = largest_now();
        g_churn.ops = n;
        g_churn.seq++; /* even: quiescent */
    }
}
