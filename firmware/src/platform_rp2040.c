/* Cortex-M0+ on rp2040js, linked to SRAM and started without the boot ROM: the loader copies the
 * PT_LOAD segments into SRAM and takes SP and PC from the vector table at 0x20000000. The 1 kHz tick
 * comes from the RP2040 TIMER (microsecond counter, ALARM0 -> TIMER_IRQ_0). */
#include "cortexm.h"
#include "platform.h"

#define TIMER_BASE 0x40054000u
#define TIMER_ALARM0 REG32(TIMER_BASE + 0x10u)
#define TIMER_INTR REG32(TIMER_BASE + 0x34u)
#define TIMER_INTE REG32(TIMER_BASE + 0x38u)
#define TIMER_TIMERAWL REG32(TIMER_BASE + 0x28u)
#define TIMER_IRQ_0 0u

static uint32_t s_next_alarm_us;

void isr_timer0(void)
{
    TIMER_INTR = 1u; /* clear ALARM0 */
    s_next_alarm_us += 1000u; /* from the previous target, not from "now": no drift */
    TIMER_ALARM0 = s_next_alarm_us;
    g_ticks++;
}

void platform_init(void)
{
    s_next_alarm_us = TIMER_TIMERAWL + 1000u;
    TIMER_ALARM0 = s_next_alarm_us;
    TIMER_INTE = 1u;
    NVIC_ISER = 1u << TIMER_IRQ_0;
    irq_enable();
}

void platform_wait_tick(uint32_t seen)
{
    /* Check and sleep with interrupts masked so a tick between the check and the WFI is not lost:
     * a pending interrupt still ends WFI, and is taken at irq_enable. */
    for (;;) {
        irq_disable();
        if (g_ticks != seen) break;
        wfi();
        irq_enable();
    }
    irq_enable();
}

/* ---- startup ---- */
void reset_handler(void);
void default_handler(void);

void default_handler(void)
{
    for (;;) wfi(); /* an unexpected exception: park the core, values stop changing */
}

void reset_handler(void)
{
    crt_init();
    SCB_VTOR = 0x20000000u; /* our table, not the (absent) boot ROM's */
    main();
    for (;;) wfi();
}

#define DEFAULT(n) void n(void) __attribute__((weak, alias("default_handler")))
DEFAULT(nmi_handler);
DEFAULT(hardfault_handler);

typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) const vector_t g_vectors[16 + 26] = {
    (vector_t)&__stack_top,
    reset_handler,
    nmi_handler,
    hardfault_handler,
    [4 ... 15] = default_handler,
    [16 + TIMER_IRQ_0] = isr_timer0,
    [17 ... 41] = default_handler,
};
