#ifndef C_ALLOCATOR_H
#define C_ALLOCATOR_H

#include <stddef.h>

/// glibc's mallopt(3), which Swift's Glibc module does not import: keeps up to `trim_threshold`
/// bytes of freed memory at the top of each arena instead of handing it back to the kernel, and
/// serves blocks under `mmap_threshold` from the arenas instead of mappings of their own.
/// 1 when glibc took both settings, 0 otherwise.
int callocator_keep_freed_memory(size_t trim_threshold, size_t mmap_threshold);

#endif
