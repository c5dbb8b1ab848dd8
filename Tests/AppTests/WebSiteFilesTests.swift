import Crypto
import Foundation
import TestSupport
import Testing

/// The site's script and style sheet are served under names that carry their content's hash
/// (cached for a year as immutable), written by `scripts/fingerprint`: the names must match the
/// contents, and the pages must point at them, or browsers would keep stale copies.
@Suite struct WebSiteFilesTests {
    @Test(arguments: ["app.js", "app.css"])
    func theFingerprintedCopyMatchesItsSourceAndThePagesPointAtIt(source: String) throws {
        let site = PythonClients.site
        let content = try Data(contentsOf: URL(fileURLWithPath: site + "/" + source))
        let hash = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined().prefix(10)
        let parts = source.split(separator: ".")
        let fingerprinted = "\(parts[0]).\(hash).\(parts[1])"
        let copy = try? Data(contentsOf: URL(fileURLWithPath: site + "/" + fingerprinted))
        #expect(copy == content, "static/\(fingerprinted) is missing or stale: run scripts/fingerprint")
        let copies = try FileManager.default.contentsOfDirectory(atPath: site).filter {
            $0.hasPrefix("\(parts[0]).") && $0.hasSuffix(".\(parts[1])") && $0 != source
        }
        #expect(copies == [fingerprinted], "one fingerprinted copy of \(source)")
        for page in try FileManager.default.contentsOfDirectory(atPath: site) where page.hasSuffix(".html") {
            let text = try String(contentsOfFile: site + "/" + page, encoding: .utf8)
            if text.contains("/\(parts[0]).") && text.contains(".\(parts[1])\"") {
                #expect(text.contains("/\(fingerprinted)\""), "static/\(page) points at the current \(source)")
            }
        }
    }
}
