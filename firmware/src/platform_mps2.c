/* Cortex-M3 on QEMU `-M mps2-an385`: code in the ROM alias at 0x0 (QEMU's -kernel loads the ELF there
 * and takes SP/PC from the vector table at 0), data in SRAM at 0x20000000. The 1 kHz tick is SysTick
 * on the 25 MHz CPU clock. */
#include "cortexm.h"
#include "platform.h"

#define CPU_HZ 25000000u

void isr_systick(void)
{
    g_ticks++;
}

void platform_init(void)
{
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* CLKSOURCE = CPU, TICKINT, ENABLE */
    irq_enable();
}

void platform_wait_tick(uint32_t seen)
{
    /* see platform_rp2040.c: check and sleep with interrupts masked so no tick is lost */
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
    for (;;) wfi();
}

void reset_handler(void)
{
    crt_init();
    main();
    for (;;) wfi();
}

#define DEFAULT(n) void n(void) __attribute__((weak, alias("default_handler")))
DEFAULT(nmi_handler);
DEFAULT(hardfault_handler);

typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) const vector_t g_vectors[16 + 32] = {
    (vector_t)&__stack_top,
    reset_handler,
    nmi_handler,
    hardfault_handler,
    [4 ... 14] = default_handler,
    [15] = isr_systick,
    [16 ... 47] = default_handler,
};
