#ifndef C_SPAWN_H
#define C_SPAWN_H

#include <sys/types.h>

/// A pipe whose two ends are closed on exec (pipe2 with O_CLOEXEC, which Swift's Glibc module
/// does not declare); 0, or -1 with errno set.
int cspawn_pipe(int ends[2]);

/// Starts `path` (searched in PATH when `search` is non-zero) with `argv` and `envp`, its standard
/// input, output and error being `in`, `out` and `err`, and no other descriptor of this process
/// (posix_spawn_file_actions_addclosefrom_np). 0 with the child's id in `pid`, or an errno value.
int cspawn_start(const char *path, char *const argv[], char *const envp[], int search, int in, int out, int err, pid_t *pid);

/// Whether the child `pid` has ended, without reaping it (waitid with WNOWAIT): its status stays
/// for waitpid.
int cspawn_has_ended(pid_t pid);

#endif
