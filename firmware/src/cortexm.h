/* Cortex-M registers and instructions shared by both boards. */
#ifndef HEAPSCOPE_CORTEXM_H
#define HEAPSCOPE_CORTEXM_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_VTOR REG32(0xE000ED08u)
#define NVIC_ISER REG32(0xE000E100u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)

static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void wfi(void) { __asm volatile("wfi" ::: "memory"); }

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
int main(void);

/* C runtime start: copy .data from its load address (same address when linked to RAM), zero .bss. */
static inline void crt_init(void)
{
    uint32_t *src = &__data_load, *dst = &__data_start;
    if (src != dst)
        while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
}

#endif
