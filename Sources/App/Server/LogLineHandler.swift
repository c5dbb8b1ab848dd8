import Foundation
import Glibc
public import Logging
import TextBytes

/// Writes each log record as one line on standard output, in swift-log's StreamLogHandler layout
/// (`time level label: key=value ... [source] message`), but renders metadata only when a line
/// is written: StreamLogHandler renders it again whenever a key is set, which Hummingbird and the
/// request-id middleware do for every request, logged or not.
public struct LogLineHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// A handler for the logger `label` that writes records of `level` and above.
    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let stamp = RFC3339.format(microseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
        let text = "\(stamp) \(event.level) \(self.label):\(fields.isEmpty ? "" : " " + fields) [\(event.source)] \(event.message)\n"
        // One write(2) per line keeps lines from concurrent threads whole.
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
