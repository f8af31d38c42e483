/* Globals with known constant values, for decoder tests (structs, bitfields, arrays, enums, floats,
 * 64-bit integers, strings, pointers). Values never change at run time except where noted. */
#include <stdint.h>
#include "heap.h"

const volatile uint32_t g_magic = 0xC0FFEE42u;

enum demo_mode { MODE_IDLE = 0, MODE_RUN = 1, MODE_SLEEP = 2, MODE_FAULT = 7 };
volatile enum demo_mode g_mode = MODE_RUN;

/* Bitfields in one 32-bit word, LSB first (GCC/ARM EABI layout): enabled:1 mode:3 level:4 delta:5 (signed). */
struct demo_flags {
    uint32_t enabled : 1;
    uint32_t mode : 3;
    uint32_t level : 4;
    int32_t delta : 5;
    uint32_t reserved : 19;
};
volatile struct demo_flags g_flags = { 1u, 5u, 9u, -3, 0u };

/* Padding on purpose: id@0 u8, port@2 u16, flags@4 u32, pos@8 {x@8 s8, y@9 s8}, bytes@10 [3], mode@13 (arm-none-eabi
 * enums are short: 1 byte here); size 16. */
struct demo_config {
    uint8_t id;
    uint16_t port;
    uint32_t flags;
    struct { int8_t x, y; } pos;
    uint8_t bytes[3];
    enum demo_mode mode;
};
volatile struct demo_config g_config = { 7u, 3333u, 0x80000001u, { -5, 12 }, { 0xAA, 0xBB, 0xCC }, MODE_SLEEP };

volatile uint16_t g_samples[8] = { 1, 2, 3, 5, 8, 13, 21, 34 };
volatile int32_t g_matrix[2][3] = { { 1, -2, 3 }, { -4, 5, -6 } };
volatile float g_temperature = 36.5f;
volatile double g_ratio = 3.141592653589793;
volatile int64_t g_big = -1234567890123LL;
volatile uint64_t g_ubig = 0xDEADBEEFCAFEF00DULL;
volatile char g_name[16] = "heapscope";
volatile int8_t g_small = -7;
volatile uint8_t g_bytes[4] = { 0x11, 0x22, 0x33, 0x44 };
volatile _Bool g_flag_true = 1;

/* Points at the live statistics: `g_heap_ptr->used` exercises pointer dereference. */
volatile struct heap_stats *volatile g_heap_ptr = &g_heap;
/* A NULL pointer: dereferencing it must give a clean error, not garbage. */
volatile struct heap_stats *volatile g_null_ptr = 0;
