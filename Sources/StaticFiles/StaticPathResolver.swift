import TextBytes

/// Which file a request path names in a mount — apart from how it is sent (`FileResponse`).
///
/// A path with empty inner segments or dot segments (`//`, `.`, `..`, also as `%2e`) is
/// redirected to its normal form, as nginx and Caddy serve it (RFC 3986's remove_dot_segments);
/// one whose `..` would climb above the mount's root is not found. Then the path is
/// percent-decoded once, strictly: invalid escapes or UTF-8 are malformed (400). Any segment
/// that is still empty, `.` or `..` (an encoded slash made it so), contains a backslash or NUL,
/// or is hidden (a dotfile, unless shown; a server page at the root) makes the path not found. Finally the candidate's real
/// path (symlinks resolved) must still be inside the mount's real root: a symlink that leaves the
/// root is not found either (`MountDirectory` judges that).
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
        let rawSegments = relative.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if rawSegments.dropLast().contains(where: { Self.isRemovable($0) }) || rawSegments.last.map(Self.isDot) == true {
            return Self.normalForm(of: rawSegments, in: mount).map { .redirect(location: $0) } ?? .notFound
        }
        var segments = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let wantsDirectory = segments.last == ""
        if wantsDirectory { segments = segments.dropLast() }
        for segment in segments where !Self.isServable(segment, in: mount) { return .notFound }
        if segments.count == 1, let name = segments.first, mount.isServerPage(name) { return .notFound }
        let candidate = ([mount.root] + segments.map(String.init)).joined(separator: "/")
        guard let found = mount.directory.lookup(candidate) else { return .notFound }
        if found.status.isRegular { return wantsDirectory ? .notFound : .file(found) }
        if found.status.isDirectory {
            return wantsDirectory || segments.isEmpty && rawPath.hasSuffix("/")
                ? .directory(path: found.path) : .redirect(location: String(rawPath) + "/")
        }
        return .notFound
    }

    /// Whether a segment may name something served: not empty, not a dot segment, no backslash
    /// or NUL, and not hidden unless the mount shows dotfiles.
    private static func isServable(_ segment: Substring, in mount: StaticMount) -> Bool {
        if segment.isEmpty || segment == "." || segment == ".." { return false }
        if segment.contains("\\") || segment.contains("\0") { return false }
        return !segment.hasPrefix(".") || mount.showDotfiles
    }

    /// `.` or `..`, percent-encoded or not.
    private static func isDot(_ rawSegment: Substring) -> Bool {
        // Most segments are names: those are told apart without decoding them.
        guard rawSegment.utf8.count <= 6, rawSegment.first == "." || rawSegment.first == "%" else { return false }
        let segment = PercentDecoding.strict(rawSegment)
        return segment == "." || segment == ".."
    }

    /// An empty segment or a dot segment, which the normal form of a path leaves out.
    private static func isRemovable(_ rawSegment: Substring) -> Bool {
        rawSegment.isEmpty || Self.isDot(rawSegment)
    }

    /// The path without its empty and dot segments (`..` taking the segment before it away),
    /// under the mount's prefix: `nil` when a `..` would climb above the root, or a segment left
    /// could name nothing served (so that no redirect ever points off the site, as `/\host` would).
    private static func normalForm(of rawSegments: ArraySlice<Substring>, in mount: StaticMount) -> String? {
        var kept: [Substring] = []
        for segment in rawSegments where !segment.isEmpty {
            switch PercentDecoding.strict(segment) {
            case ".": continue
            case "..":
                guard kept.popLast() != nil else { return nil }
            case let decoded?:
                guard Self.isServable(decoded[...], in: mount) else { return nil }
                kept.append(segment)
            case nil: return nil
            }
        }
        let last = rawSegments.last ?? ""
        let endsWithSlash = last.isEmpty || Self.isDot(last)
        let path = kept.joined(separator: "/")
        return mount.prefix + "/" + path + (endsWithSlash && !kept.isEmpty ? "/" : "")
    }
}
