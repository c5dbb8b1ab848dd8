internal import CByteSearch

/// Finds a multipart delimiter (`CRLF--boundary`) in a region of bytes.
///
/// A full match is found with glibc's `memmem` (a vectorized first-byte scan, not a byte loop).
/// Without one, the result says how many bytes at the region's end could still begin a delimiter
/// that the next read completes; everything before them is certainly payload.
struct DelimiterSearch {
    enum Result: Equatable {
        /// The delimiter starts at this offset.
        case found(Int)
        /// No delimiter; bytes from this offset on may begin one.
        case partial(Int)
    }

    let delimiter: [UInt8]

    func search(_ region: UnsafeRawBufferPointer) -> Result {
        guard region.count > 0 else { return .partial(0) }
        let found = self.delimiter.withUnsafeBytes { needle in
            cbytesearch_memmem(region.baseAddress, region.count, needle.baseAddress, needle.count)
        }
        if let found { return .found(region.baseAddress!.distance(to: found)) }
        // The longest suffix shorter than the delimiter that is a prefix of it.
        let first = self.delimiter[0]
        var start = max(0, region.count - (self.delimiter.count - 1))
        while start < region.count {
            if region[start] == first, self.isPrefix(region, from: start) { return .partial(start) }
            start += 1
        }
        return .partial(region.count)
    }

    private func isPrefix(_ region: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var index = start
        var offset = 0
        while index < region.count {
            if region[index] != self.delimiter[offset] { return false }
            index += 1
            offset += 1
        }
        return true
    }
}
