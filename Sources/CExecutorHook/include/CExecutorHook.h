#ifndef C_EXECUTOR_HOOK_H
#define C_EXECUTOR_HOOK_H

#include <stdbool.h>

/// Sets the Swift runtime's hook through which every task without an executor of its own is
/// enqueued (`swift_task_enqueueGlobal_hook` in its Concurrency library), if no hook is set yet.
/// SwiftNIO finds that hook with dlsym, which finds nothing in an executable that links the
/// runtime in: the toolchain links its archives with `--exclude-libs ALL`, so none of their
/// symbols is exported. A reference the linker resolves reaches it with the runtime linked in or
/// shared. `hook` is a Swift function of the hook's type, `(Job, original) -> Void` in Swift's
/// calling convention. True when it was set.
bool cexecutorhook_install_enqueue_global(const void *_Nonnull hook);

#endif
