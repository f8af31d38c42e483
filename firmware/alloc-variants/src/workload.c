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
volatile struct stack_truth g_stack_truth;
extern uint32_t __stack_top;
__attribute__((weak)) void variant_stacks(void) {}

/* Fill the unused part of the main stack with the pattern, as RTOS startup code does, so a probe can
 * find the high-water mark. Stops well below the live frames of this function. */
static uintptr_t main_stack_bottom(void) { return (uintptr_t)&__stack_top - MAIN_STACK_BYTES; }

static void fill_main_stack(void)
{
    uint8_t here;
    uintptr_t stop = (uintptr_t)&here - 64u;
    for (uintptr_t a = main_stack_bottom(); a < stop; a++) *(volatile uint8_t *)a = STACK_FILL;
}

static uint32_t main_stack_unused(void)
{
    const volatile uint8_t *p = (const volatile uint8_t *)main_stack_bottom();
    uint32_t n = 0;
    while (n < MAIN_STACK_BYTES && p[n] == STACK_FILL) n++;
    return n;
}

/* Uses `depth` bytes of stack (a recursion the compiler cannot flatten), to move the high-water mark. */
__attribute__((noinline)) static uint32_t burn_stack(uint32_t depth)
{
    volatile uint8_t pad[64];
    pad[0] = (uint8_t)depth;
    if (depth <= 64) return pad[0];
    return burn_stack(depth - 64) + pad[0];
}
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
    variant_stacks();
    g_stack_truth.msp_unused = main_stack_unused();
}

int main(void)
{
    fill_main_stack();
    variant_init();
    variant_truth(&g_alloc_truth);
    platform_init();
    uint32_t done = 0;
    for (;;) {
        platform_wait_tick(done);
        uint32_t now = g_ticks;
        while (done != now) {
            done++;
            if (done % WORK_EVERY_MS == 0) {
                /* deepen the main stack's high-water mark now and then, up to ~2 KiB */
                if (done % 1000u == 0 && done <= 30000u) burn_stack(done / 15u);
                workload_step();
            }
        }
    }
}
