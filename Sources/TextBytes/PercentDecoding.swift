/// Percent-decoding, once for every place that reads escaped text (URL paths, query strings,
/// RFC 5987 parameter values).
public enum PercentDecoding {
    /// Strict decoding (paths, `filename*=`): `nil` for a broken escape or bytes that are not UTF-8.
    public static func strict(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var rest = text.utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let value = self.escapedByte(rest) else { return nil }
            bytes.append(value)
            rest = rest.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Form decoding as Starlette's (`application/x-www-form-urlencoded`): `+` is a space, a
    /// malformed escape is kept as written, bytes that are not UTF-8 become U+FFFD.
    public static func form(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var rest = text.utf8[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let value = self.escapedByte(rest) {
                bytes.append(value)
                rest = rest.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte that the two hex digits at the start of `rest` spell, if they do.
    private static func escapedByte(_ rest: Substring.UTF8View.SubSequence) -> UInt8? {
        var digits = rest.prefix(2).makeIterator()
        guard let high = digits.next().flatMap(Hex.value), let low = digits.next().flatMap(Hex.value) else { return nil }
        return high << 4 | low
    }
}
