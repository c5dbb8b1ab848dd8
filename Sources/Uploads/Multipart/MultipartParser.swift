public import NIOCore

/// A streaming `multipart/form-data` parser (RFC 7578 over RFC 2046 framing).
///
/// It is fed the body's buffers as they arrive and appends events to a caller-owned array: the
/// caller then does the awaited work (writing to storage) and feeds the next buffer, so parsing
/// never waits and the payload never piles up. Part payloads are handed out as slices of the
/// input buffers, not copies; only the few bytes that might begin a delimiter at the end of one
/// buffer are held over to the next. Delimiters are found with `memmem`, not a byte-at-a-time scan.
///
/// Lenient where real clients differ, strict where framing is at stake: header lines may end in a
/// bare LF, transport padding after a boundary is skipped, and a delimiter followed by other
/// bytes is payload; a body that ends before its closing boundary is an error; anything after the
/// closing boundary is an epilogue and ignored.
public struct MultipartParser {
    /// What the parser found, in order.
    public enum Event: Equatable {
        /// A part begins with these headers.
        case partStart(PartHeaders)
        /// Some of the current part's payload (a slice of the input).
        case body(ByteBuffer)
        /// The current part is complete.
        case partEnd
    }

    private enum State {
        /// Before the first boundary; the bytes are preamble and are ignored.
        case preamble
        /// Just after a delimiter: `--` closes the body, padding and a line break open a part;
        /// anything else means the delimiter was payload after all. `line` holds the bytes read
        /// since the delimiter; `inPart` says whether a part was open before it.
        case afterDelimiter(line: [UInt8], inPart: Bool)
        /// Between a boundary and the blank line that ends the part's headers.
        case headers
        /// In a part's payload.
        case body
        /// After the closing boundary.
        case epilogue
    }

    private let search: DelimiterSearch
    private let maxHeaderSize: Int
    private var state = State.preamble
    /// Bytes at the end of the last buffer that may begin a delimiter.
    private var carry: [UInt8]
    private var headerBlock: [UInt8] = []
    private var headerLineIsEmpty = true

    /// A parser for one body.
    /// - Parameters:
    ///   - boundary: the boundary from the Content-Type (see `MultipartBoundary`).
    ///   - maxHeaderSize: the largest header block of one part, in bytes.
    public init(boundary: String, maxHeaderSize: Int) {
        self.search = DelimiterSearch(delimiter: Array("\r\n--\(boundary)".utf8))
        self.maxHeaderSize = maxHeaderSize
        // The first boundary may open the body without a preceding line break.
        self.carry = Array("\r\n".utf8)
    }

    /// Whether the closing boundary has been seen.
    public var isComplete: Bool {
        if case .epilogue = self.state { return true }
        return false
    }

    /// Parses one buffer, appending what it finds to `events`.
    public mutating func feed(_ buffer: ByteBuffer, into events: inout [Event]) throws(UploadError) {
        var index = buffer.readerIndex
        let end = buffer.writerIndex
        while index < end {
            switch self.state {
            case .preamble, .body:
                index = self.scanPayload(buffer, from: index, into: &events)
            case .afterDelimiter(let line, let inPart):
                index = self.scanAfterDelimiter(buffer, at: index, line: line, inPart: inPart, into: &events)
            case .headers:
                index = try self.scanHeaders(buffer, from: index, into: &events)
            case .epilogue:
                return
            }
        }
    }

    /// Ends the body; throws when it ended before the closing boundary.
    public func finish() throws(UploadError) {
        guard self.isComplete else {
            throw UploadError(.malformedBody, "The multipart body ends before its closing boundary.")
        }
    }

    /// Payload (or preamble) up to the next delimiter; returns where scanning stopped.
    private mutating func scanPayload(_ buffer: ByteBuffer, from index: Int, into events: inout [Event]) -> Int {
        let emits = if case .body = self.state { true } else { false }
        let delimiterLength = self.search.delimiter.count
        if !self.carry.isEmpty {
            // A delimiter may straddle the held-over bytes and this buffer: look at both together.
            let lookahead = min(buffer.writerIndex - index, delimiterLength - 1)
            let window = self.carry + buffer.getBytes(at: index, length: lookahead)!
            let result = window.withUnsafeBytes { self.search.search($0) }
            switch result {
            case .found(let start) where start < self.carry.count:
                if emits && start > 0 { events.append(.body(ByteBuffer(bytes: self.carry[..<start]))) }
                self.carry = []
                self.delimiterFound(into: &events)
                return index + (start + delimiterLength - (window.count - lookahead))
            case .partial(let start) where start < self.carry.count:
                // Only when this buffer is too short to settle it: keep waiting.
                if emits && start > 0 { events.append(.body(ByteBuffer(bytes: window[..<start]))) }
                self.carry = Array(window[start...])
                return index + lookahead
            default:
                if emits { events.append(.body(ByteBuffer(bytes: self.carry))) }
                self.carry = []
            }
        }
        let length = buffer.writerIndex - index
        let result = buffer.withUnsafeReadableBytes { bytes in
            self.search.search(UnsafeRawBufferPointer(rebasing: bytes[(index - buffer.readerIndex)...]))
        }
        switch result {
        case .found(let start):
            if emits && start > 0 { events.append(.body(buffer.getSlice(at: index, length: start)!)) }
            self.delimiterFound(into: &events)
            return index + start + delimiterLength
        case .partial(let start):
            if emits && start > 0 { events.append(.body(buffer.getSlice(at: index, length: start)!)) }
            self.carry = buffer.getBytes(at: index + start, length: length - start)!
            return index + length
        }
    }

    private mutating func delimiterFound(into events: inout [Event]) {
        let inPart = if case .body = self.state { true } else { false }
        self.state = .afterDelimiter(line: [], inPart: inPart)
    }

    /// Decides what a delimiter was: a closing boundary (`--`), a boundary line (optional
    /// spaces or tabs, then CRLF or LF), or — followed by anything else — payload, as
    /// python-multipart also reads it. Returns where scanning goes on.
    private mutating func scanAfterDelimiter(
        _ buffer: ByteBuffer,
        at index: Int,
        line: [UInt8],
        inPart: Bool,
        into events: inout [Event]
    )
        -> Int
    {
        let byte = buffer.getInteger(at: index, as: UInt8.self)!
        let dash = UInt8(ascii: "-")
        let carriageReturn = UInt8(ascii: "\r")
        switch byte {
        case dash where line.isEmpty:
            self.state = .afterDelimiter(line: [dash], inPart: inPart)
            return index + 1
        case dash where line == [dash]:
            if inPart { events.append(.partEnd) }
            self.state = .epilogue
            return index + 1
        case UInt8(ascii: " "), UInt8(ascii: "\t"),
            carriageReturn where line.first != dash && line.last != carriageReturn:
            self.state = .afterDelimiter(line: line + [byte], inPart: inPart)
            return index + 1
        case UInt8(ascii: "\n") where line.first != dash:
            if inPart { events.append(.partEnd) }
            self.state = .headers
            self.headerBlock.removeAll(keepingCapacity: true)
            self.headerLineIsEmpty = true
            return index + 1
        default:
            // Not a boundary: the delimiter and what followed it are payload (or preamble), and
            // this byte is scanned again as such.
            if inPart {
                events.append(.body(ByteBuffer(bytes: self.search.delimiter + line)))
                self.state = .body
            } else {
                self.state = .preamble
            }
            return index
        }
    }

    /// Header lines up to the blank line; returns where the payload starts (or the buffer's end).
    private mutating func scanHeaders(_ buffer: ByteBuffer, from index: Int, into events: inout [Event]) throws(UploadError) -> Int {
        var position = index
        while position < buffer.writerIndex {
            let byte = buffer.getInteger(at: position, as: UInt8.self)!
            position += 1
            if byte == UInt8(ascii: "\n") {
                if self.headerLineIsEmpty {
                    events.append(.partStart(try PartHeaders.parse(self.headerBlock)))
                    self.state = .body
                    self.carry = []
                    return position
                }
                self.headerLineIsEmpty = true
            } else if byte != UInt8(ascii: "\r") {
                self.headerLineIsEmpty = false
            }
            self.headerBlock.append(byte)
            if self.headerBlock.count > self.maxHeaderSize {
                throw UploadError(.malformedBody, "The headers of a multipart part are larger than \(self.maxHeaderSize) bytes.")
            }
        }
        return position
    }
}
