import Crypto
import Foundation
import TestSupport
import Testing

/// The site's script and style sheet are named by their content's hash (`app.<hash>.js`, cached
/// for a year as immutable), as `scripts/fingerprint` names them: a name must match its content
/// and the pages must point at it, or browsers would keep stale copies.
@Suite struct WebSiteFilesTests {
    @Test(arguments: ["js", "css"])
    func theNameCarriesTheContentsHashAndThePagesPointAtIt(extension: String) throws {
        let site = PythonClients.site
        let files = try FileManager.default.contentsOfDirectory(atPath: site)
        let named = files.filter { $0.hasPrefix("app.") && $0.hasSuffix("." + `extension`) }
        #expect(named.count == 1, "one app.<hash>.\(`extension`): \(named)")
        let name = try #require(named.first)
        let content = try Data(contentsOf: URL(fileURLWithPath: site + "/" + name))
        // Ten hex digits, or more until one is a letter (digits alone read as a date or an id).
        let digest = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        let hash = digest.prefix(max(10, (digest.firstIndex { $0.isLetter }.map { digest.distance(from: digest.startIndex, to: $0) } ?? 0) + 1))
        #expect(name == "app.\(hash).\(`extension`)", "static/\(name) does not match its content: run scripts/fingerprint")
        let index = try String(contentsOfFile: site + "/index.html", encoding: .utf8)
        #expect(index.contains("\"/\(name)\""), "static/index.html points at /\(name)")
    }
}
