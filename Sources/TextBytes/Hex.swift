/// Hexadecimal digits, once for digests, escapes and validators.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The value of one hex digit (either case), or `nil` for any other byte.
    @inlinable
    public static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether every byte of `text` is a hex digit. (Inlinable, so that it is specialized for the
    /// caller's sequence: called through the generic one, a listing's digests cost 7% of it.)
    @inlinable
    public static func isDigits(_ text: some Sequence<UInt8>) -> Bool {
        text.allSatisfy { self.value($0) != nil }
    }

    /// The lower-case digit of a value below 16.
    public static func lowercaseDigit(_ value: UInt8) -> UInt8 {
        self.digits[Int(value & 0x0f)]
    }

    /// Lower-case hex of `bytes`, two digits a byte.
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(self.digits[Int(byte >> 4)])
            text.append(self.digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Writes `value` as 16 lower-case hex digits into `text` from `start`.
    public static func write(_ value: UInt64, into text: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        for index in 0..<16 {
            text[start + index] = self.digits[Int((value >> (60 - 4 * index)) & 0x0f)]
        }
    }
}
