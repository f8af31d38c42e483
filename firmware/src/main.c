#include "platform.h"
#include "heap.h"
#include "workload.h"

volatile uint32_t g_ticks;
volatile uint32_t g_loop_count; /* main-loop wake-ups */

int main(void)
{
    workload_init();
    platform_init();
    uint32_t done = 0;
    for (;;) {
        platform_wait_tick(done);
        uint32_t now = g_ticks;
        /* run every elapsed millisecond, so the workload's shape is exact even if a wake-up was late */
        while (done != now) {
            done++;
            workload_tick(done);
        }
        g_loop_count++;
    }
}
