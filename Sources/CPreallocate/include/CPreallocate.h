#ifndef C_PREALLOCATE_H
#define C_PREALLOCATE_H

#include <stdint.h>

/// fallocate(2) with FALLOC_FL_KEEP_SIZE, which Swift's Glibc module does not import: reserves
/// the blocks of `length` bytes at `offset` without changing the file's size. 0 on success, -1
/// with errno set otherwise.
int cpreallocate_keep_size(int fd, int64_t offset, int64_t length);

#endif
