/* Random malloc/free over fixed slots, paced by the 1 kHz tick: every WORK_EVERY_MS a few operations,
 * then the truth is refreshed, then the core sleeps. Between two batches the heap is quiescent, so a
 * probe reading at WFI sees exactly the state described by g_alloc_truth. */
#include <stddef.h>
#include "platform.h"
#include "truth.h"

#define SLOTS 40u
#ifndef WORK_EVERY_MS
#define WORK_EVERY_MS 20u
#endif
#define OPS_PER_BATCH 3u

volatile uint32_t g_ticks;
volatile struct alloc_truth g_alloc_truth;
static void *s_slot[SLOTS];
static uint32_t s_rng = 0x9E3779B9u;

static uint32_t rnd(void)
{
    uint32_t x = s_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return s_rng = x;
}

static uint32_t request_bytes(void)
{
    uint32_t r = rnd();
    if ((r & 7u) == 0) return 200u + (r >> 8) % 500u; /* a few large blocks make holes worth walking */
    return 4u + (r >> 8) % 120u;
}

void workload_step(void)
{
    for (uint32_t k = 0; k < OPS_PER_BATCH; k++) {
        uint32_t i = rnd() % SLOTS;
        if (s_slot[i]) {
            variant_free(s_slot[i]);
            s_slot[i] = 0;
            g_alloc_truth.free_count++;
            g_alloc_truth.live--;
        } else {
            s_slot[i] = variant_alloc(request_bytes());
            if (s_slot[i]) {
                g_alloc_truth.alloc_count++;
                g_alloc_truth.live++;
            } else {
                g_alloc_truth.failed++;
            }
        }
        g_alloc_truth.ops++;
    }
    variant_truth(&g_alloc_truth);
}

int main(void)
{
    variant_init();
    variant_truth(&g_alloc_truth);
    platform_init();
    uint32_t done = 0;
    for (;;) {
        platform_wait_tick(done);
        uint32_t now = g_ticks;
        while (done != now) {
            done++;
            if (done % WORK_EVERY_MS == 0) workload_step();
        }
    }
}
