import FileResponses
import HTTPTypes
import NIOHTTP1

/// The head of a plan's single-range answers, made once with the plan: every such answer of one
/// plan says the same but for `Content-Range` and `Content-Length`. The engine decides it, from its
/// answer to a sample range; a range then costs its parse and those two fields, not an answer
/// decided and converted to HTTP/1 anew.
struct PartialHead: Sendable {
    /// The fields before `Content-Range`, and after `Content-Length`.
    private let leading: [HTTPField]
    private let trailing: [HTTPField]
    /// The same in the few-field form of a remembered answer's head
    /// (`CachedStaticAnswer.framedHTTP1Fields`): the leading run, to whose lines `Content-Range`'s
    /// is added, and the trailing run.
    private let leadingRun: (name: String, value: String)
    private let trailingRun: (name: String, value: String)?

    /// The head of `sample`, the engine's answer to a single range, or `nil` when it has no field
    /// before `Content-Range`, or `Content-Length` does not follow it.
    init?(sample: FileAnswer) {
        let fields = Array(sample.headers)
        guard sample.status == .partialContent, let range = fields.firstIndex(where: { $0.name == .contentRange }), range > 0,
            range + 1 < fields.count, fields[range + 1].name == .contentLength
        else { return nil }
        self.leading = Array(fields[..<range])
        self.trailing = Array(fields[(range + 2)...])
        let framing: Set<HTTPField.Name> = [.contentLength, .transferEncoding, .connection]
        guard !(self.leading + self.trailing).contains(where: { framing.contains($0.name) }), let leadingRun = Self.run(self.leading) else {
            return nil
        }
        self.leadingRun = leadingRun
        self.trailingRun = Self.run(self.trailing)
    }

    /// `fields`, none of them framing ones, as the one HTTP/1 field of a remembered answer's head
    /// that carries them all.
    private static func run(_ fields: [HTTPField]) -> (name: String, value: String)? {
        CachedStaticAnswer.framedHTTP1Fields(HTTPFields(fields)).first.map { ($0.name, $0.value) }
    }

    /// The answer's fields for `range` of a representation of `size` bytes.
    func fields(_ range: ClosedRange<Int64>, size: Int64) -> HTTPFields {
        var fields = HTTPFields(self.leading)
        fields.append(HTTPField(name: .contentRange, value: FileResponse.contentRange(range, size: size)))
        fields.append(HTTPField(name: .contentLength, value: String(range.count)))
        fields.append(contentsOf: self.trailing)
        return fields
    }

    /// The same fields as HTTP/1 writes them: those NIO's encoder reads (`Content-Length`) on
    /// their own, the others in runs.
    func http1Headers(_ range: ClosedRange<Int64>, size: Int64) -> HTTPHeaders {
        // One allocation: the run, the line's name and, in 65 bytes, its value.
        var lines = ""
        lines.reserveCapacity(self.leadingRun.value.utf8.count + 17 + 65)
        lines += self.leadingRun.value
        lines += "\r\nContent-Range: "
        FileResponse.appendContentRange(range, size: size, to: &lines)
        var headers = [(self.leadingRun.name, lines), ("Content-Length", String(range.count))]
        if let trailingRun { headers.append(trailingRun) }
        return HTTPHeaders(headers)
    }
}
