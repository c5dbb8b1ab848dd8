/// What a `Range` header asks of a representation of a known size (RFC 9110 §14).
public enum ByteRanges: Equatable, Sendable {
    /// Send the whole representation: no Range, one that is malformed or not in bytes (ignored,
    /// as RFC 9110 §14.2 says), or one that would amplify traffic (too many ranges, or more
    /// bytes than the file, as nginx decides).
    case whole
    /// Send these ranges (sorted, overlapping and adjacent ones coalesced; never empty).
    case partial([ClosedRange<Int64>])
    /// None of the ranges overlaps the representation: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    /// Interprets a `Range` header value for a representation of `size` bytes.
    public init(header: String?, size: Int64, maxRanges: Int) {
        guard let header, let specs = Self.specs(header) else {
            self = .whole
            return
        }
        guard specs.count <= maxRanges else {
            self = .whole
            return
        }
        var ranges: [ClosedRange<Int64>] = []
        var requested: Int64 = 0
        for spec in specs {
            guard let range = spec.resolve(size: size) else { continue }
            requested += range.upperBound - range.lowerBound + 1
            ranges.append(range)
        }
        if ranges.isEmpty {
            self = .unsatisfiable
        } else if requested > size && ranges.count > 1 {
            self = .whole
        } else {
            self = .partial(Self.coalesce(ranges))
        }
    }

    /// One `first-last`, `first-` or `-suffix` spec.
    struct Spec: Equatable {
        let first: Int64?
        let last: Int64?

        func resolve(size: Int64) -> ClosedRange<Int64>? {
            switch (self.first, self.last) {
            case (let first?, let last):
                guard first < size else { return nil }
                return first...min(last ?? size - 1, size - 1)
            case (nil, let suffix?):
                guard suffix > 0, size > 0 else { return nil }
                return max(0, size - suffix)...(size - 1)
            case (nil, nil):
                return nil
            }
        }
    }

    /// The specs of a `bytes=` header, or `nil` when any part is malformed. Read as bytes: every
    /// range request parses one, and splitting strings cost a twentieth of a range's answer.
    static func specs(_ header: String) -> [Spec]? {
        var header = header
        return header.withUTF8 { Self.specs(bytes: $0) }
    }

    private static func specs(bytes: UnsafeBufferPointer<UInt8>) -> [Spec]? {
        let (start, end) = Self.trimmed(bytes, 0, bytes.count)
        let unit = "bytes=".utf8
        guard end - start >= unit.count, zip(bytes[start...], unit).allSatisfy({ Self.lowercased($0) == $1 }) else { return nil }
        var specs: [Spec] = []
        var itemStart = start + unit.count
        while itemStart <= end {
            let itemEnd = bytes[itemStart..<end].firstIndex(of: UInt8(ascii: ",")) ?? end
            defer { itemStart = itemEnd + 1 }
            let (first, last) = Self.trimmed(bytes, itemStart, itemEnd)
            if first == last { continue }
            guard let dash = bytes[first..<last].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let from = Self.number(bytes[first..<dash])
            let to = Self.number(bytes[(dash + 1)..<last])
            switch (dash == first, dash + 1 == last) {
            case (false, false):
                guard let from, let to, from <= to else { return nil }
                specs.append(Spec(first: from, last: to))
            case (false, true):
                guard let from else { return nil }
                specs.append(Spec(first: from, last: nil))
            case (true, false):
                guard let to else { return nil }
                specs.append(Spec(first: nil, last: to))
            case (true, true):
                return nil
            }
        }
        return specs.isEmpty ? nil : specs
    }

    /// `start..<end` without the spaces and tabs at either end.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var (start, end) = (start, end)
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return (start, end)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Digits only, at most 18 of them (any such number fits an Int64).
    static func number(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }

    static func coalesce(_ ranges: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
        // One range, the common case, needs no sorting or copying.
        guard ranges.count > 1 else { return ranges }
        var merged: [ClosedRange<Int64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
