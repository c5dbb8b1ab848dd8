import TextBytes

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

    /// The specs of a `bytes=` header, or `nil` when any part is malformed.
    static func specs(_ header: String) -> [Spec]? {
        let trimmed = header.trimmingHTTPWhitespace()
        guard trimmed.lowercased().hasPrefix("bytes=") else { return nil }
        var specs: [Spec] = []
        for item in trimmed.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingHTTPWhitespace()
            if item.isEmpty { continue }
            let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard bounds.count == 2 else { return nil }
            let first = Self.number(bounds[0])
            let last = Self.number(bounds[1])
            switch (bounds[0].isEmpty, bounds[1].isEmpty) {
            case (false, false):
                guard let first, let last, first <= last else { return nil }
                specs.append(Spec(first: first, last: last))
            case (false, true):
                guard let first else { return nil }
                specs.append(Spec(first: first, last: nil))
            case (true, false):
                guard let last else { return nil }
                specs.append(Spec(first: nil, last: last))
            case (true, true):
                return nil
            }
        }
        return specs.isEmpty ? nil : specs
    }

    static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    static func coalesce(_ ranges: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
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
