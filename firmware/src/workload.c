#include "workload.h"
#include "heap.h"

volatile struct heap_truth g_truth;
volatile uint32_t g_boot_count; /* heap "reboots": the leak pattern resets the heap when it is full */
volatile float g_heap_used_pct; /* used / capacity * 100, for charts */

static volatile uint32_t s_calls; /* same name as in heap.c on purpose */

static void *s_slots[SAW_SLOTS];
static uint32_t s_nslots;
static uint32_t s_cycle_start;
static uint32_t s_rng = 0x2545F491u;
static uint32_t s_pins;

static uint32_t rnd(void)
{
    uint32_t x = s_rng; /* xorshift32: deterministic, so every run of an ELF has the same shape */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s_rng = x;
    return x;
}

/* Transaction payload sizes scale with the arena so both cores see the same fill ratio (~50 %). */
static uint32_t transaction_bytes(void)
{
    uint32_t mean = HEAP_ARENA_BYTES / 96u;
    return mean / 2u + rnd() % mean; /* [mean/2, 1.5 mean) */
}

__attribute__((unused)) static void reboot_heap(void)
{
    heap_init();
    for (uint32_t i = 0; i < SAW_SLOTS; i++) s_slots[i] = 0;
    s_nslots = 0;
    s_pins = 0;
    g_truth.leaked_blocks = 0;
    g_truth.leaked_bytes = 0;
    g_truth.cycles = 0;
    g_boot_count++;
}

__attribute__((unused)) static void keep_forever(void *p)
{
    if (p == 0) return;
    struct heap_block *b = (struct heap_block *)((uint8_t *)p - HEAP_HEADER_BYTES);
    g_truth.leaked_blocks++;
    g_truth.leaked_bytes += b->size;
}

/* Walk the arena physically (block after block by size) and record what is really there. */
static void walk_arena(uint32_t now)
{
    uint32_t off = 0, free_b = 0, used_b = 0, largest = 0, frags = 0, live = 0, bad = 0;
    while (off < HEAP_ARENA_BYTES) {
        struct heap_block *b = (struct heap_block *)(g_heap_arena + off);
        if (b->size < HEAP_MIN_BLOCK || (b->size & (HEAP_ALIGN - 1u)) || b->size > HEAP_ARENA_BYTES - off) {
            bad = 1;
            break;
        }
        if (b->u.magic == HEAP_MAGIC_USED) {
            used_b += b->size;
            live++;
        } else {
            free_b += b->size;
            frags++;
            if (b->size > largest) largest = b->size;
        }
        off += b->size;
    }
    g_truth.free_bytes = free_b;
    g_truth.used_bytes = used_b;
    g_truth.largest_free = largest;
    g_truth.fragments = frags;
    g_truth.live_blocks = live;
    if (bad) g_truth.corrupt++;
    if (free_b != g_heap.free || largest != g_heap.largest_free || frags != g_heap.fragments ||
        used_b != g_heap.used)
        g_truth.mismatches++;
    g_truth.walk_ticks = now;
    g_truth.walks++;
}

void workload_init(void)
{
    g_truth.pattern = HEAP_PATTERN;
    g_truth.cycle_ms = HEAP_CYCLE_MS;
#if HEAP_PATTERN == PATTERN_LEAK
    g_truth.leak_bytes_per_cycle = ((HEAP_LEAK_BYTES + HEAP_HEADER_BYTES + HEAP_ALIGN - 1u) & ~(HEAP_ALIGN - 1u)) /
                                   HEAP_LEAK_EVERY_CYCLES;
#endif
    heap_init();
    s_cycle_start = 0;
}

/* Release the cycle's transactions; the pattern decides what survives. */
static void end_cycle(void)
{
    /* fragmentation: one odd (small) slot of this cycle, chosen at random, stays pinned */
    uint32_t pin = s_nslots >= 2u ? (rnd() % (s_nslots / 2u)) * 2u + 1u : 0xFFFFFFFFu;
    (void)pin;
    for (uint32_t i = 0; i < s_nslots; i++) {
        void *p = s_slots[i];
        s_slots[i] = 0;
#if HEAP_PATTERN == PATTERN_FRAGMENTATION
        if (i == pin && p != 0 && s_pins < FRAG_MAX_PINS) {
            keep_forever(p);
            s_pins++;
            continue;
        }
#endif
        heap_free(p);
    }
    s_nslots = 0;
    g_truth.cycles++;
#if HEAP_PATTERN == PATTERN_LEAK
    if (g_truth.cycles % HEAP_LEAK_EVERY_CYCLES == 0) {
        void *p = heap_alloc(HEAP_LEAK_BYTES);
        if (p == 0) { reboot_heap(); return; }
        keep_forever(p);
    }
#endif
}

static void alloc_transaction(uint32_t index)
{
    uint32_t bytes = transaction_bytes();
    (void)index;
#if HEAP_PATTERN == PATTERN_FRAGMENTATION
    /* large, small, large, small...: the small ones are candidates for pinning. The ramp fills
     * ~85 % of the arena so pins end up spread over all of it. */
    bytes = (index & 1u) ? FRAG_PIN_BYTES : (HEAP_ARENA_BYTES / 34u);
#elif HEAP_PATTERN == PATTERN_WARMUP
    bytes = bytes * 2u / 3u; /* leave room for the caches */
#endif
    void *p = heap_alloc(bytes);
#if HEAP_PATTERN == PATTERN_LEAK
    if (p == 0) { reboot_heap(); return; } /* out of memory: "reboot" instead of crashing */
#endif
    s_slots[s_nslots++] = p; /* NULL on failure; heap_free(NULL) is a no-op */
}

void workload_tick(uint32_t now)
{
    s_calls++;
#if HEAP_PATTERN == PATTERN_WARMUP
    if (now <= WARMUP_MS && now % (WARMUP_MS / WARMUP_CACHES) == 0) {
        keep_forever(heap_alloc(HEAP_ARENA_BYTES / 40u)); /* 8 caches of 2.5 % = 20 % of the arena */
    }
#endif
    uint32_t in_cycle = now - s_cycle_start;
    uint32_t step = HEAP_CYCLE_MS / SAW_SLOTS;
    if (in_cycle >= HEAP_CYCLE_MS) {
        end_cycle();
        s_cycle_start = now;
    } else if (in_cycle % step == step - 1u && s_nslots < SAW_SLOTS) {
        alloc_transaction(s_nslots);
    }
    if (now % TRUTH_PERIOD_MS == 0) walk_arena(now);
    /* multiply by a constant: a soft-float divide every ms would cost the M0+ ~700 instructions */
    g_heap_used_pct = (float)g_heap.used * (100.0f / (float)HEAP_ARENA_BYTES);
}
