import Foundation

/// Files of random bytes, written in pieces so that large fixtures never sit in memory.
public enum Fixtures {
    /// Writes `size` pseudo-random bytes to `path`, on a thread of its own: large fixtures must not
    /// hold the cooperative pool (two threads here) that the servers under test run on.
    public static func randomFile(at path: String, size: Int, seed: UInt64 = 42) async throws {
        try await onOwnThread { try self.writeRandomFile(at: path, size: size, seed: seed) }
    }

    private static func writeRandomFile(at path: String, size: Int, seed: UInt64) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var state = seed
        var remaining = size
        let pieceSize = 1 << 20
        while remaining > 0 {
            let count = min(pieceSize, remaining)
            var piece = [UInt8](repeating: 0, count: count)
            piece.withUnsafeMutableBytes { bytes in
                var index = 0
                while index < count {
                    // xorshift64*: fast and good enough to defeat compression and dedupe.
                    state ^= state >> 12
                    state ^= state << 25
                    state ^= state >> 27
                    var word = state &* 2_685_821_657_736_338_717
                    let take = min(8, count - index)
                    withUnsafeBytes(of: &word) { bytes.baseAddress!.advanced(by: index).copyMemory(from: $0.baseAddress!, byteCount: take) }
                    index += take
                }
            }
            try handle.write(contentsOf: piece)
            remaining -= count
        }
    }

    /// The SHA-256 of a file as `sha256sum` computes it: independent of Wharf's own hashing.
    public static func sha256(ofFile path: String) async throws -> String {
        let output = try await Command.run("sha256sum", [path])
        return String(output.text.prefix(64))
    }
}
