internal import CMagic
import Synchronization

/// Detects a content type from a file's first bytes with libmagic (the library behind `file(1)`).
///
/// One magic cookie is loaded once (loading the database takes milliseconds) and shared behind a
/// lock: libmagic cookies are not thread-safe, and a call on a few kilobytes takes microseconds.
public final class ContentSniffer: Sendable {
    /// How many leading bytes are worth giving to `sniff`.
    public static let sampleSize = 8192

    private let cookie: Mutex<OpaquePointer?>

    /// Loads the system's magic database; throws when libmagic cannot load it.
    public init() throws {
        guard let cookie = magic_open(Int32(MAGIC_MIME_TYPE)) else { throw SnifferError(message: "libmagic could not start") }
        if magic_load(cookie, nil) != 0 {
            let reason = magic_error(cookie).map { String(cString: $0) } ?? "unknown error"
            magic_close(cookie)
            throw SnifferError(message: "libmagic could not load its database: \(reason)")
        }
        self.cookie = Mutex(cookie)
    }

    /// The detected media type, or `nil` when libmagic has no opinion (empty or unrecognized bytes).
    public func sniff(_ sample: [UInt8]) -> String? {
        guard !sample.isEmpty else { return nil }
        let detected: String? = self.cookie.withLock { cookie in
            sample.withUnsafeBytes { bytes in
                magic_buffer(cookie, bytes.baseAddress, bytes.count).map { String(cString: $0) }
            }
        }
        guard let detected, detected != "application/octet-stream", !detected.hasPrefix("inode/") else { return nil }
        return detected
    }

    deinit {
        self.cookie.withLock { cookie in
            if let cookie { magic_close(cookie) }
        }
    }
}

/// libmagic could not be set up.
public struct SnifferError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    public var description: String { self.message }
}
