#include <stddef.h>
#include "CExecutorHook.h"

// Declared here with the width of the runtime's function pointer, not its type: only ever
// compared with null and swapped.
extern void *swift_task_enqueueGlobal_hook;

bool cexecutorhook_install_enqueue_global(const void *hook) {
    void *none = NULL;
    return __atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &none, (void *)hook, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}
