#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "CFileStatus.h"

static void cfilestatus_fill(const struct stat *info, cfilestatus_t *out) {
    out->device = (unsigned long long)info->st_dev;
    out->inode = (unsigned long long)info->st_ino;
    out->size = (long long)info->st_size;
    out->modified_ns = (long long)info->st_mtim.tv_sec * 1000000000LL + info->st_mtim.tv_nsec;
    out->changed_ns = (long long)info->st_ctim.tv_sec * 1000000000LL + info->st_ctim.tv_nsec;
    out->is_regular = S_ISREG(info->st_mode);
    out->is_directory = S_ISDIR(info->st_mode);
}

int cfilestatus_stat(const char *path, cfilestatus_t *out) {
    struct stat info;
    if (stat(path, &info) != 0) return -1;
    cfilestatus_fill(&info, out);
    return 0;
}

int cfilestatus_fstat(int fd, cfilestatus_t *out) {
    struct stat info;
    if (fstat(fd, &info) != 0) return -1;
    cfilestatus_fill(&info, out);
    return 0;
}

int cfilestatus_open_beneath(int dirfd, const char *relative, int path_only) {
    struct open_how how = {
        .flags = (path_only ? O_PATH : O_RDONLY) | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, relative, &how, sizeof(how));
}

int cfilestatus_open_directory(const char *path) {
    return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/// cachestat(2)'s arguments, declared here: the C headers of older distributions lack them.
struct cfilestatus_cachestat_range {
    unsigned long long offset;
    unsigned long long length;
};
struct cfilestatus_cachestat {
    unsigned long long cached;
    unsigned long long dirty;
    unsigned long long writeback;
    unsigned long long evicted;
    unsigned long long recently_evicted;
};
#define CFILESTATUS_SYS_CACHESTAT 451

int cfilestatus_range_cached(int fd, long long offset, long long length) {
    if (length <= 0) return 1;
    long page = sysconf(_SC_PAGESIZE);
    struct cfilestatus_cachestat_range range = {(unsigned long long)offset, (unsigned long long)length};
    struct cfilestatus_cachestat status;
    if (syscall(CFILESTATUS_SYS_CACHESTAT, fd, &range, &status, 0) != 0) return -1;
    long long pages = (offset + length - 1) / page - offset / page + 1;
    return (long long)status.cached >= pages ? 1 : 0;
}

int cfilestatus_ends_cached(int fd, long long offset, long long length) {
    if (length <= 0) return 1;
    char byte;
    struct iovec vector = {&byte, 1};
    long long probes[2] = {offset, offset + length - 1};
    for (int index = 0; index < 2; index++) {
        if (preadv2(fd, &vector, 1, probes[index], RWF_NOWAIT) != 1) return 0;
    }
    return 1;
}
