import TextBytes

/// A content coding a file can be stored in beside its original (`name.br`, `name.zst`, `name.gz`).
public enum ContentCoding: String, Sendable, CaseIterable {
    case brotli = "br"
    case zstd
    case gzip

    /// The sidecar file's suffix.
    public var fileSuffix: String {
        switch self {
        case .brotli: ".br"
        case .zstd: ".zst"
        case .gzip: ".gz"
        }
    }

    /// Chooses among `available` codings by the request's `Accept-Encoding` (RFC 9110 §12.5.3):
    /// the highest q-value wins, ties go to the server's preference br > zstd > gzip; `q=0`
    /// refuses a coding, `*` stands for any coding not named. `nil`: send the identity.
    public static func negotiate(_ acceptEncoding: String?, available: [ContentCoding]) -> ContentCoding? {
        guard let acceptEncoding, !available.isEmpty else { return nil }
        var weights: [String: Double] = [:]
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            let name = parts[0].trimmingHTTPWhitespace().lowercased()
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingHTTPWhitespace().lowercased() == "q" {
                    weight = Double(String(pair[1].trimmingHTTPWhitespace())).map { min(max($0, 0), 1) } ?? 0
                }
            }
            if !name.isEmpty { weights[name] = weight }
        }
        var best: (coding: ContentCoding, weight: Double)?
        for coding in ContentCoding.allCases where available.contains(coding) {
            let aliases = coding == .gzip ? ["gzip", "x-gzip"] : [coding.rawValue]
            let weight = aliases.compactMap { weights[$0] }.max() ?? weights["*"] ?? 0
            if weight > 0, weight > (best?.weight ?? 0) { best = (coding, weight) }
        }
        return best?.coding
    }
}
