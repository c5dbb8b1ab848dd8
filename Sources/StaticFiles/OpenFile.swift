import Glibc

/// A file held open while anything sends from it, as nginx's open_file_cache holds descriptors:
/// the plan cache keeps it while it trusts the plan, each answer sent from it until its last byte
/// is out, and the last to let go closes it.
public final class OpenFile: Sendable {
    /// The descriptor, open while this object lives.
    public let descriptor: Int32

    /// Takes ownership of `descriptor`.
    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Whether the open file is still the one `identity` describes: a file rewritten in place,
    /// or removed (its link count, and so its ctime, changed), is not.
    func isStill(_ identity: ContentHashCache.Identity) -> Bool {
        FileStatus(descriptor: self.descriptor)?.identity == identity
    }

    deinit {
        close(self.descriptor)
    }
}
