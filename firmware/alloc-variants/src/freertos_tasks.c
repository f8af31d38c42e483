/* FreeRTOS task bookkeeping LAYOUT (written from FreeRTOS's documented tasks.c/list.h data structures,
 * not FreeRTOS source), so heapscope can find task stacks the way it would on a FreeRTOS build:
 * TCB_t {pxTopOfStack; xStateListItem; xEventListItem; uxPriority; pxStack; pcTaskName[]; [pxEndOfStack]},
 * List_t {uxNumberOfItems; pxIndex; xListEnd}, pxCurrentTCB, pxReadyTasksLists[], xDelayedTaskList1/2,
 * xSuspendedTaskList... No scheduler runs: three static "tasks" sit in those lists, their stacks filled
 * with tskSTACK_FILL_BYTE (0xA5), and variant_stacks() deepens their use now and then and scans them
 * into g_stack_truth.task_unused[] (the firmware's own uxTaskGetStackHighWaterMark, in bytes). */
#include <stddef.h>
#include <stdint.h>
#include "truth.h"

typedef uint32_t TickType_t;
typedef uint32_t StackType_t;
typedef unsigned long UBaseType_t;
#define configMAX_PRIORITIES 5
#define configMAX_TASK_NAME_LEN 16
#define tskSTACK_FILL_BYTE 0xA5u

struct xLIST;
struct xLIST_ITEM {
    TickType_t xItemValue;
    struct xLIST_ITEM *pxNext;
    struct xLIST_ITEM *pxPrevious;
    void *pvOwner;
    struct xLIST *pxContainer;
};
typedef struct xLIST_ITEM ListItem_t;
struct xMINI_LIST_ITEM {
    TickType_t xItemValue;
    struct xLIST_ITEM *pxNext;
    struct xLIST_ITEM *pxPrevious;
};
typedef struct xMINI_LIST_ITEM MiniListItem_t;
typedef struct xLIST {
    volatile UBaseType_t uxNumberOfItems;
    ListItem_t *pxIndex;
    MiniListItem_t xListEnd;
} List_t;

typedef struct tskTaskControlBlock {
    volatile StackType_t *pxTopOfStack;
    ListItem_t xStateListItem;
    ListItem_t xEventListItem;
    UBaseType_t uxPriority;
    StackType_t *pxStack;
    char pcTaskName[configMAX_TASK_NAME_LEN];
#if configRECORD_STACK_HIGH_ADDRESS
    StackType_t *pxEndOfStack;
#endif
    UBaseType_t uxTCBNumber;
} tskTCB;
typedef tskTCB TCB_t;

TCB_t *volatile pxCurrentTCB = NULL;
static List_t pxReadyTasksLists[configMAX_PRIORITIES];
static List_t xDelayedTaskList1;
static List_t xDelayedTaskList2;
static List_t *volatile pxDelayedTaskList;
static List_t *volatile pxOverflowDelayedTaskList;
static List_t xPendingReadyList;
static List_t xTasksWaitingTermination;
static List_t xSuspendedTaskList;

static TCB_t s_tcb[3];
static StackType_t s_stack_idle[128];
static StackType_t s_stack_net[192];
static StackType_t s_stack_ui[256];
static uint32_t s_used[3];
static uint32_t s_rng = 0x1234567u;

static void list_init(List_t *l)
{
    l->pxIndex = (ListItem_t *)&l->xListEnd;
    l->xListEnd.xItemValue = 0xFFFFFFFFu;
    l->xListEnd.pxNext = (ListItem_t *)&l->xListEnd;
    l->xListEnd.pxPrevious = (ListItem_t *)&l->xListEnd;
    l->uxNumberOfItems = 0;
}

static void list_insert_end(List_t *l, ListItem_t *item)
{
    ListItem_t *end = (ListItem_t *)&l->xListEnd;
    item->pxNext = end;
    item->pxPrevious = end->pxPrevious;
    end->pxPrevious->pxNext = item;
    end->pxPrevious = item;
    item->pxContainer = l;
    l->uxNumberOfItems++;
}

static uint32_t stack_bytes(int i) { return i == 0 ? sizeof(s_stack_idle) : i == 1 ? sizeof(s_stack_net) : sizeof(s_stack_ui); }

/* Marks the top `used` bytes of task i's stack as used (stacks grow down from the high end). */
static void use_stack(int i, uint32_t used)
{
    TCB_t *t = &s_tcb[i];
    uint8_t *top = (uint8_t *)t->pxStack + stack_bytes(i);
    for (uint8_t *p = top - used; p < top; p++) *(volatile uint8_t *)p = (uint8_t)(0x11u + (uintptr_t)p);
    t->pxTopOfStack = (StackType_t *)(top - used);
    s_used[i] = used;
}

static void task_create(int i, const char *name, StackType_t *stack, UBaseType_t prio, List_t *list)
{
    TCB_t *t = &s_tcb[i];
    t->pxStack = stack;
    for (uint32_t k = 0; k < stack_bytes(i); k++) ((volatile uint8_t *)stack)[k] = tskSTACK_FILL_BYTE;
    for (int k = 0; k < configMAX_TASK_NAME_LEN - 1 && name[k]; k++) t->pcTaskName[k] = name[k];
#if configRECORD_STACK_HIGH_ADDRESS
    t->pxEndOfStack = stack + stack_bytes(i) / sizeof(StackType_t) - 1;
#endif
    t->uxPriority = prio;
    t->uxTCBNumber = (UBaseType_t)i + 1u;
    t->xStateListItem.pvOwner = t;
    t->xEventListItem.pvOwner = t;
    use_stack(i, 64u); /* the initial context frame */
    list_insert_end(list, &t->xStateListItem);
}

void freertos_tasks_init(void)
{
    for (int p = 0; p < configMAX_PRIORITIES; p++) list_init(&pxReadyTasksLists[p]);
    list_init(&xDelayedTaskList1);
    list_init(&xDelayedTaskList2);
    list_init(&xPendingReadyList);
    list_init(&xTasksWaitingTermination);
    list_init(&xSuspendedTaskList);
    pxDelayedTaskList = &xDelayedTaskList1;
    pxOverflowDelayedTaskList = &xDelayedTaskList2;
    task_create(0, "IDLE", s_stack_idle, 0, &pxReadyTasksLists[0]);
    task_create(1, "net", s_stack_net, 3, &xDelayedTaskList1);
    task_create(2, "ui", s_stack_ui, 2, &xSuspendedTaskList);
    pxCurrentTCB = &s_tcb[0];
}

void variant_stacks(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 17;
    s_rng ^= s_rng << 5;
    int i = (int)(s_rng % 3u);
    uint32_t more = 4u * (1u + (s_rng >> 8) % 16u);
    if (s_used[i] + more <= stack_bytes(i) * 7u / 10u) use_stack(i, s_used[i] + more);
    for (int k = 0; k < 3; k++) {
        const volatile uint8_t *p = (const volatile uint8_t *)s_tcb[k].pxStack;
        uint32_t n = 0;
        while (n < stack_bytes(k) && p[n] == tskSTACK_FILL_BYTE) n++;
        g_stack_truth.task_unused[k] = n;
    }
}
