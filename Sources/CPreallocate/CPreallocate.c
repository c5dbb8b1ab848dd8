#define _GNU_SOURCE
#include <fcntl.h>
#include "CPreallocate.h"

int cpreallocate_keep_size(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
}
