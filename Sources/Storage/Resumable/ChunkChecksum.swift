import Crypto
public import Foundation

/// A checksum a client sends with one piece of an upload (tus `Upload-Checksum`): the piece is
/// kept only if its bytes match.
public struct ChunkChecksum: Sendable {
    /// The algorithms Wharf checks, by their tus names.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1, md5, sha256
    }

    /// The algorithm.
    public let algorithm: Algorithm
    /// The expected digest.
    public let expected: Data

    /// A checksum of `algorithm` whose digest is `expected`.
    public init(algorithm: Algorithm, expected: Data) {
        self.algorithm = algorithm
        self.expected = expected
    }
}

/// Hashes the bytes of one piece with a checksum's algorithm.
struct ChunkHasher {
    private var sha1: Insecure.SHA1?
    private var md5: Insecure.MD5?
    private var sha256: SHA256?

    init(_ algorithm: ChunkChecksum.Algorithm) {
        switch algorithm {
        case .sha1: self.sha1 = Insecure.SHA1()
        case .md5: self.md5 = Insecure.MD5()
        case .sha256: self.sha256 = SHA256()
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.sha1?.update(bufferPointer: bytes)
        self.md5?.update(bufferPointer: bytes)
        self.sha256?.update(bufferPointer: bytes)
    }

    func finalize() -> Data {
        if let sha1 { return Data(sha1.finalize()) }
        if let md5 { return Data(md5.finalize()) }
        return Data(self.sha256!.finalize())
    }
}
