/// A directory served under a URL prefix, as Starlette's `StaticFiles` mount.
public struct StaticMount: Sendable {
    /// URL prefix without a trailing slash (`""` for the root mount).
    public let prefix: String
    /// Directories serve their `index.html`, bare directory paths redirect to the slash form, and a
    /// missing path serves the mount's `404.html` (with 404) when there is one.
    public var htmlMode: Bool
    /// Unknown paths that accept HTML get `index.html` with 200 (single-page applications).
    public var spaFallback: Bool
    /// The root held open; it decides what lies inside.
    let directory: MountDirectory
    /// Whether dotfiles and dot-directories (`.git`, `.env`) are served.
    public var showDotfiles: Bool
    /// Directories without an index list their entries (HTML, or JSON for `Accept: application/json`).
    public var browse: Bool
    /// Files at the root that the server fills in and answers itself (the sign-in page's
    /// template): never sent as they are, nor their sidecars, nor listed.
    public var serverPages: Set<String>

    /// A mount; `root` must exist.
    public init(
        prefix: String,
        root: String,
        htmlMode: Bool,
        spaFallback: Bool = false,
        showDotfiles: Bool = false,
        browse: Bool = false,
        serverPages: Set<String> = []
    ) throws {
        var prefix = prefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty && !prefix.hasPrefix("/") { prefix = "/" + prefix }
        guard let directory = MountDirectory(path: root) else {
            throw StaticMountError(message: "The static directory '\(root)' does not exist or is not a directory.")
        }
        self.prefix = prefix
        self.directory = directory
        self.htmlMode = htmlMode
        self.spaFallback = spaFallback
        self.showDotfiles = showDotfiles
        self.browse = browse
        self.serverPages = serverPages
    }

    /// Whether `name`, at the root, is a server page or one of its sidecars (`login.html.gz`).
    func isServerPage(_ name: Substring) -> Bool {
        self.serverPages.contains { name == $0 || name.hasPrefix($0 + ".") }
    }

    /// The real path of the directory served now (symlinks in it are judged against this).
    public var root: String { self.directory.path }

    /// How metrics name the answers of this mount (`static:/assets`).
    var endpointPath: String { "static:" + (self.prefix.isEmpty ? "/" : self.prefix) }

    /// The URL path that names `file` (a path under the root) in this mount.
    func urlPath(of file: String) -> String {
        let root = self.root
        return file.hasPrefix(root + "/") ? self.prefix + file.dropFirst(root.count) : self.prefix + "/"
    }

    /// The part of a request path below this mount (starting with `/`), or `nil` when it is not under it.
    func relativePath(_ path: Substring) -> Substring? {
        if self.prefix.isEmpty { return path }
        guard path.hasPrefix(self.prefix) else { return nil }
        let rest = path.dropFirst(self.prefix.count)
        return rest.isEmpty || rest.hasPrefix("/") ? rest : nil
    }
}

/// A mount could not be set up.
public struct StaticMountError: Error, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    public var description: String { self.message }
}
