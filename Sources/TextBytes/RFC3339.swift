import Glibc

/// RFC 3339 times in UTC, for the API's records, directory listings and log lines.
///
/// Written digit by digit into the string's own storage: a listing formats two or three times for
/// each of a thousand records, and building them from interpolated strings cost a tenth of it.
public enum RFC3339 {
    /// `2026-11-24T16:27:54.123456Z` from microseconds since 1970.
    public static func format(microseconds: Int64) -> String {
        let seconds = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let micros = seconds.remainder < 0 ? seconds.remainder + 1_000_000 : seconds.remainder
        let whole = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        return self.text { text in
            text.dateAndTime(whole)
            text.append(UInt8(ascii: "."))
            text.append(Int(micros), width: 6)
            text.append(UInt8(ascii: "Z"))
        }
    }

    /// `2026-11-24T16:27:54Z` from seconds since 1970.
    public static func format(seconds: Int64) -> String {
        self.text { text in
            text.dateAndTime(seconds)
            text.append(UInt8(ascii: "Z"))
        }
    }

    /// Room for the longest time: a year of 10 digits and a sign (`tm_year` is 32 bits), and the rest.
    private static let capacity = 48

    private static func text(_ write: (inout Text) -> Void) -> String {
        String(unsafeUninitializedCapacity: self.capacity) { storage in
            var text = Text(storage: storage)
            write(&text)
            return text.count
        }
    }

    private struct Text {
        let storage: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func append(_ byte: UInt8) {
            self.storage[self.count] = byte
            self.count += 1
        }

        /// The decimal digits of `value`, at least `width` of them (zeros in front), after a `-` if negative.
        mutating func append(_ value: Int, width: Int) {
            if value < 0 { self.append(UInt8(ascii: "-")) }
            let start = self.count
            var rest = value.magnitude
            repeat {
                self.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            while self.count - start < width { self.append(UInt8(ascii: "0")) }
            var digits = UnsafeMutableBufferPointer(rebasing: self.storage[start..<self.count])
            digits.reverse()
        }

        mutating func dateAndTime(_ seconds: Int64) {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            self.append(Int(parts.tm_year) + 1900, width: 4)
            self.append(UInt8(ascii: "-"))
            self.append(Int(parts.tm_mon) + 1, width: 2)
            self.append(UInt8(ascii: "-"))
            self.append(Int(parts.tm_mday), width: 2)
            self.append(UInt8(ascii: "T"))
            self.append(Int(parts.tm_hour), width: 2)
            self.append(UInt8(ascii: ":"))
            self.append(Int(parts.tm_min), width: 2)
            self.append(UInt8(ascii: ":"))
            self.append(Int(parts.tm_sec), width: 2)
        }
    }
}
