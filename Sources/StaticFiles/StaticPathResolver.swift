import TextBytes

/// Which file a request path names in a mount — apart from how it is sent (`FileResponse`).
///
/// The path is percent-decoded once, strictly: invalid escapes or UTF-8 are malformed (400).
/// Then any segment that is empty-but-inner, `.`, `..`, contains a backslash or NUL, or is hidden
/// (a dotfile, unless shown) makes the path not found; nothing is normalized away. Finally the
/// candidate's real path (symlinks resolved) must still be inside the mount's real root: a
/// symlink that leaves the root is not found either (`MountDirectory` judges that).
enum StaticPathResolver {
    enum Resolution: Equatable {
        /// A regular file.
        case file(ContainedFile)
        /// A directory asked for without its trailing slash: redirect to `location`.
        case redirect(location: String)
        /// A directory asked for with its slash: serve its index, if any.
        case directory(path: String)
        /// Nothing there (or nothing that may be shown).
        case notFound
        /// The path's encoding is broken.
        case malformed
    }

    static func resolve(_ rawPath: Substring, in mount: StaticMount) -> Resolution {
        guard let relative = mount.relativePath(rawPath) else { return .notFound }
        guard let decoded = PercentDecoding.strict(relative) else { return .malformed }
        var segments = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let wantsDirectory = segments.last == ""
        if wantsDirectory { segments = segments.dropLast() }
        for segment in segments {
            if segment.isEmpty || segment == "." || segment == ".." { return .notFound }
            if segment.contains("\\") || segment.contains("\0") { return .notFound }
            if segment.hasPrefix(".") && !mount.showDotfiles { return .notFound }
        }
        let candidate = ([mount.root] + segments.map(String.init)).joined(separator: "/")
        guard let found = mount.directory.lookup(candidate) else { return .notFound }
        if found.status.isRegular { return wantsDirectory ? .notFound : .file(found) }
        if found.status.isDirectory {
            return wantsDirectory || segments.isEmpty && rawPath.hasSuffix("/")
                ? .directory(path: found.path) : .redirect(location: String(rawPath) + "/")
        }
        return .notFound
    }

}
