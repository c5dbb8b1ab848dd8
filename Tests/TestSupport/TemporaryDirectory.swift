import Foundation

/// A directory under the system's temporary directory, removed when the test is done with it.
public final class TemporaryDirectory: Sendable {
    /// Absolute path of the directory.
    public let path: String

    /// Creates a new empty directory.
    public init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    /// Files and directories below `subpath`, recursively, relative to it (empty if it is missing).
    public func files(under subpath: String) -> [String] {
        let root = self.path + "/" + subpath
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
