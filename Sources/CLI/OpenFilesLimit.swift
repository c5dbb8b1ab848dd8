import Glibc

/// The process's limit of open files, raised from its soft value to its hard one at start, as Go
/// raises it for every Go program (Caddy among them) and nginx's `worker_rlimit_nofile` does.
///
/// The server holds a descriptor for each connection and for each file it is sending; a shell or
/// a systemd unit starts it with a soft limit of 1024, so past about a thousand clients accepts
/// and opens would fail (accepts then pause) while the hard limit, which the process may raise
/// its soft one to unasked, is hundreds of times higher.
enum OpenFilesLimit {
    /// Raises the soft limit to the hard one; a limit that cannot be raised stays as it was.
    static func raise() {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
