/* What the workload needs from a board: a millisecond tick and a way to sleep until it changes. */
#ifndef HEAPSCOPE_PLATFORM_H
#define HEAPSCOPE_PLATFORM_H

#include <stdint.h>

/* Milliseconds of firmware time since reset, incremented by the board's 1 kHz timer interrupt. */
extern volatile uint32_t g_ticks;

void platform_init(void);      /* start the 1 kHz tick */
void platform_wait_tick(uint32_t seen); /* sleep (WFI) until g_ticks != seen */

#endif
