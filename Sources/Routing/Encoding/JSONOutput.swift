public import NIOCore
import TextBytes

/// JSON text written straight into bytes, byte for byte as `JSONCoding`'s encoder writes it:
/// compact, `/` unescaped, `"`, `\` and control characters escaped as Foundation escapes them.
///
/// The caller writes keys in sorted order (as the encoder's `sortedKeys` would) and the writer
/// places the commas: `key(_:)` and `element()` open each member of the innermost object or list.
///
/// The text grows in an array, whose appends of a byte the compiler inlines (a `ByteBuffer`'s
/// checks on each of a listing's many small writes cost more than the one copy at the end).
public struct JSONOutput {
    /// The text so far.
    private var text: [UInt8] = []
    /// Whether the innermost object or list has no member yet.
    private var atFirstMember = true

    /// An empty text with room for `capacity` bytes (it grows as needed).
    public init(capacity: Int = 1024) {
        self.text.reserveCapacity(capacity)
    }

    /// The text in a buffer.
    public var buffer: ByteBuffer {
        ByteBuffer(bytes: self.text)
    }

    public mutating func beginObject() { self.open(UInt8(ascii: "{")) }

    public mutating func endObject() { self.close(UInt8(ascii: "}")) }

    public mutating func beginList() { self.open(UInt8(ascii: "[")) }

    public mutating func endList() { self.close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        self.text.append(bracket)
        self.atFirstMember = true
    }

    /// Closes the innermost object or list, a member of the one around it.
    private mutating func close(_ bracket: UInt8) {
        self.text.append(bracket)
        self.atFirstMember = false
    }

    /// Opens the next element of a list.
    public mutating func element() {
        if !self.atFirstMember { self.text.append(UInt8(ascii: ",")) }
        self.atFirstMember = false
    }

    /// Opens the next member of an object under a key that needs no escaping (the API's keys).
    public mutating func key(_ name: StaticString) {
        self.element()
        self.text.append(UInt8(ascii: "\""))
        self.appendLiteral(name)
        self.appendLiteral("\":")
    }

    /// Opens the next member of an object under a key of any text.
    public mutating func key(_ name: String) {
        self.element()
        self.string(name)
        self.text.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ value: String) {
        self.text.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var plainFrom = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                self.text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                self.writeEscaped(byte)
                plainFrom = index + 1
            }
            self.text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom...]))
        }
        self.text.append(UInt8(ascii: "\""))
    }

    /// A string, or `null` for none.
    public mutating func string(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    public mutating func integer(_ value: Int64) {
        self.text.append(contentsOf: String(value).utf8)
    }

    public mutating func null() {
        self.appendLiteral("null")
    }

    /// A list of strings.
    public mutating func strings(_ values: [String]) {
        self.beginList()
        for value in values {
            self.element()
            self.string(value)
        }
        self.endList()
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        self.text.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): self.appendLiteral(#"\""#)
        case UInt8(ascii: "\\"): self.appendLiteral(#"\\"#)
        case 0x08: self.appendLiteral(#"\b"#)
        case 0x09: self.appendLiteral(#"\t"#)
        case 0x0A: self.appendLiteral(#"\n"#)
        case 0x0C: self.appendLiteral(#"\f"#)
        case 0x0D: self.appendLiteral(#"\r"#)
        default:
            self.appendLiteral(#"\u00"#)
            self.text.append(Hex.lowercaseDigit(byte >> 4))
            self.text.append(Hex.lowercaseDigit(byte))
        }
    }
}

/// An API body that writes its JSON text itself, for the bodies sent most often (a listing is a
/// thousand records): the same bytes as its `Encodable` form through `JSONCoding`, at a fraction of
/// the encoder's cost (its containers, key dictionaries and dynamic casts).
public protocol JSONWritable: Encodable {
    func writeJSON(to output: inout JSONOutput)
}
