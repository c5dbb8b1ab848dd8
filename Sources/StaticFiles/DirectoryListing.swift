import Glibc
import TextBytes

/// A directory's entries as `--browse` shows them: an HTML page (every name escaped) or JSON.
///
/// Hidden entries stay hidden unless dotfiles are shown, and entries whose real path leaves the
/// mount (symlinks out) are left out, as they could not be opened anyway.
struct DirectoryListing {
    struct Entry: Encodable {
        let name: String
        let size: Int64
        let modified: String
        let isDirectory: Bool

        enum CodingKeys: String, CodingKey {
            case name, size, modified
            case isDirectory = "is_dir"
        }
    }

    let entries: [Entry]

    init(directory: String, mount: StaticMount) throws {
        guard let handle = opendir(directory) else { throw StaticFileError.unreadable }
        defer { closedir(handle) }
        var entries: [Entry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." || (name.hasPrefix(".") && !mount.showDotfiles) { continue }
            if directory == mount.root && mount.isServerPage(name[...]) { continue }
            guard let entry = mount.directory.lookup(directory + "/" + name) else { continue }
            let (identity, isDirectory) = (entry.status.identity, entry.status.isDirectory)
            let modified = RFC3339.format(seconds: Int64(identity.modified / 1_000_000_000))
            entries.append(Entry(name: name, size: isDirectory ? 0 : identity.size, modified: modified, isDirectory: isDirectory))
        }
        self.entries = entries.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }
}
