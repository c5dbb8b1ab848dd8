import Glibc

/// RFC 3339 text of a time in microseconds since 1970, in UTC: `2026-11-24T16:27:54.123456Z`.
enum Timestamp {
    static func rfc3339(microseconds: Int64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        let micros = Int(microseconds % 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let date = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
        let time = "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(micros), 6))"
        return "\(date)T\(time)Z"
    }
}
