#include <malloc.h>
#include "CAllocator.h"

int callocator_keep_freed_memory(size_t trim_threshold, size_t mmap_threshold) {
    return mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1 && mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1;
}
