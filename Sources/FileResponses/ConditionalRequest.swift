public import HTTPTypes
import TextBytes

/// The preconditions of a request for a file, evaluated in RFC 9110 §13.2.2's order.
public enum ConditionalRequest {
    /// What the preconditions decide.
    public enum Outcome: Equatable, Sendable {
        /// Go on and send the file (or its ranges).
        case proceed
        /// 304: the client's copy is current.
        case notModified
        /// 412: a precondition failed.
        case preconditionFailed
    }

    /// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since.
    /// - Parameters:
    ///   - entityTag: the representation's current tag, if it has one.
    ///   - lastModified: its modification time in seconds since 1970, if known.
    public static func evaluate(_ request: HTTPRequest, entityTag: EntityTag?, lastModified: Int64?) -> Outcome {
        let headers = request.headerFields
        let isRead = request.method == .get || request.method == .head
        if let ifMatch = headers.value(of: .ifMatch) {
            switch EntityTag.list(ifMatch) {
            case .any: if entityTag == nil { return .preconditionFailed }
            case .tags(let tags): if !tags.contains(where: { entityTag?.stronglyMatches($0) == true }) { return .preconditionFailed }
            case nil: return .preconditionFailed
            }
        } else if let since = headers.value(of: .ifUnmodifiedSince).flatMap(HTTPDate.parse), let lastModified, lastModified > since {
            return .preconditionFailed
        }
        if let ifNoneMatch = headers.value(of: .ifNoneMatch) {
            let matches: Bool
            switch EntityTag.list(ifNoneMatch) {
            case .any: matches = true
            case .tags(let tags): matches = tags.contains { entityTag?.weaklyMatches($0) == true }
            case nil: matches = false
            }
            if matches { return isRead ? .notModified : .preconditionFailed }
        } else if isRead, let since = headers.value(of: .ifModifiedSince).flatMap(HTTPDate.parse), let lastModified, lastModified <= since {
            return .notModified
        }
        return .proceed
    }

    /// Whether `If-Range` lets a range request through (§13.1.5): it must name the current strong
    /// tag, or exactly the current date; otherwise the whole file is sent.
    public static func rangeApplies(_ request: HTTPRequest, entityTag: EntityTag?, lastModified: Int64?) -> Bool {
        guard let ifRange = request.headerFields.value(of: .ifRange)?.trimmingHTTPWhitespace() else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") {
            guard case .tags(let tags) = EntityTag.list(String(ifRange)), tags.count == 1, let entityTag else { return false }
            return entityTag.stronglyMatches(tags[0])
        }
        guard let date = HTTPDate.parse(String(ifRange)), let lastModified else { return false }
        return date == lastModified
    }
}
