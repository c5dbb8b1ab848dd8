import Glibc

/// RFC 3339 times in UTC, for the API's records, directory listings and log lines.
public enum RFC3339 {
    /// `2026-11-24T16:27:54.123456Z` from microseconds since 1970.
    public static func format(microseconds: Int64) -> String {
        let seconds = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let micros = seconds.remainder < 0 ? seconds.remainder + 1_000_000 : seconds.remainder
        let whole = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        return self.dateAndTime(whole) + "." + self.padded(Int(micros), 6) + "Z"
    }

    /// `2026-11-24T16:27:54Z` from seconds since 1970.
    public static func format(seconds: Int64) -> String {
        self.dateAndTime(seconds) + "Z"
    }

    private static func dateAndTime(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let date = "\(self.padded(Int(parts.tm_year) + 1900, 4))-\(self.padded(Int(parts.tm_mon) + 1, 2))-\(self.padded(Int(parts.tm_mday), 2))"
        return "\(date)T\(self.padded(Int(parts.tm_hour), 2)):\(self.padded(Int(parts.tm_min), 2)):\(self.padded(Int(parts.tm_sec), 2))"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
