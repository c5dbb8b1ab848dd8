#include <sys/stat.h>
#include "CFileStatus.h"

int cfilestatus_stat(const char *path, cfilestatus_t *out) {
    struct stat info;
    if (stat(path, &info) != 0) return -1;
    out->device = (unsigned long long)info.st_dev;
    out->inode = (unsigned long long)info.st_ino;
    out->size = (long long)info.st_size;
    out->modified_ns = (long long)info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec;
    out->changed_ns = (long long)info.st_ctim.tv_sec * 1000000000LL + info.st_ctim.tv_nsec;
    out->is_regular = S_ISREG(info.st_mode);
    out->is_directory = S_ISDIR(info.st_mode);
    return 0;
}
