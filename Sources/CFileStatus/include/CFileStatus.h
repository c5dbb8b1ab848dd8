#ifndef C_FILE_STATUS_H
#define C_FILE_STATUS_H

/// What stat(2) says of a path, in a struct of this module's own: Swift code that reads
/// `struct stat` members directly can see them attributed to Dispatch's copy of the C headers
/// and refused under MemberImportVisibility, depending on the build.
typedef struct {
    unsigned long long device;
    unsigned long long inode;
    long long size;
    long long modified_ns;
    long long changed_ns;
    int is_regular;
    int is_directory;
} cfilestatus_t;

/// stat(2) with symlinks followed; 0 on success, -1 with errno set otherwise.
int cfilestatus_stat(const char *path, cfilestatus_t *out);

/// fstat(2) of an open descriptor; 0 on success, -1 with errno set otherwise.
int cfilestatus_fstat(int fd, cfilestatus_t *out);

/// openat2(2) of `relative` below the directory `dirfd` with RESOLVE_BENEATH: symlinks are
/// followed only while they stay below it; one that leaves it (or is absolute) fails with EXDEV.
/// `path_only` opens with O_PATH (enough for fstat). A descriptor, or -1 with errno set.
int cfilestatus_open_beneath(int dirfd, const char *relative, int path_only);

/// Opens a directory with O_PATH, to look paths up below it; a descriptor, or -1 with errno set.
int cfilestatus_open_directory(const char *path);

/// Whether `length` bytes at `offset` are in the page cache, so that sendfile(2) can send them
/// without waiting for the disk: 1 when every page is (cachestat(2), Linux 6.5 and later), 0 when
/// some page is not, -1 when the kernel cannot tell.
int cfilestatus_range_cached(int fd, long long offset, long long length);

/// Whether the first and the last byte of `length` bytes at `offset` are in the page cache (a
/// read of each with RWF_NOWAIT, which never waits for the disk): 1 when both are, 0 otherwise.
int cfilestatus_ends_cached(int fd, long long offset, long long length);

#endif
