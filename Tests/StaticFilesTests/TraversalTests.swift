import Foundation
import Testing

@testable import StaticFiles

/// A site with a secret next to it, a symlink out of it and one inside it, and hidden files.
final class Site: Sendable {
    let base: String
    let mount: StaticMount

    init(showDotfiles: Bool = false) throws {
        self.base = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-site-\(UUID().uuidString)").path
        let manager = FileManager.default
        try manager.createDirectory(atPath: self.base + "/site/docs", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: self.base + "/site/.git", withIntermediateDirectories: true)
        for (path, text) in [
            ("secret.txt", "secret"), ("site/index.html", "<h1>home</h1>"), ("site/docs/index.html", "docs"),
            ("site/a..b.txt", "dots in a name"), ("site/.env", "TOKEN=1"), ("site/.git/config", "[core]"), ("site/café.txt", "unicode"),
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: self.base + "/" + path))
        }
        try manager.createSymbolicLink(atPath: self.base + "/site/escape.txt", withDestinationPath: self.base + "/secret.txt")
        try manager.createSymbolicLink(atPath: self.base + "/site/escape-dir", withDestinationPath: self.base)
        try manager.createSymbolicLink(atPath: self.base + "/site/inside.txt", withDestinationPath: self.base + "/site/a..b.txt")
        try manager.createSymbolicLink(atPath: self.base + "/site/docs/relative-inside.txt", withDestinationPath: "../a..b.txt")
        try manager.createSymbolicLink(atPath: self.base + "/site/docs/relative-escape.txt", withDestinationPath: "../../secret.txt")
        self.mount = try StaticMount(prefix: "", root: self.base + "/site", htmlMode: true, showDotfiles: showDotfiles)
    }

    deinit { try? FileManager.default.removeItem(atPath: self.base) }
}

@Suite struct TraversalTests {
    /// Attempts to read outside the root or hidden files, in every encoding a client might try.
    static let attempts: [String] = {
        let targets = ["secret.txt", "etc/passwd", "site/index.html"]
        let ups = [
            "..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "..%00", "%2e%2e%00", "..\\", "..%5c", "..%5C", "%252e%252e", "..%c0%af", "%c0%ae%c0%ae", "...",
            ". .",
        ]
        let separators = ["/", "%2f", "%2F", "\\", "%5c", "//", "/./", "%252f"]
        var attempts: [String] = []
        for up in ups {
            for separator in separators {
                for target in targets {
                    attempts.append("/" + up + separator + target)
                    attempts.append("/docs/" + up + separator + up + separator + target)
                }
            }
        }
        attempts += [
            "/escape.txt", "/docs/relative-escape.txt", "/escape-dir/secret.txt", "/escape-dir/", "/.env", "/.git/config", "/.git/",
            "/docs/../index.html",
            "/./index.html", "//etc/passwd", "/%2fetc%2fpasswd", "/index.html%00.txt", "/index.html\0", "/docs/%2e/index.html",
            "/C:\\Windows\\win.ini", "/%5cetc%5cpasswd", "/docs//index.html", "/.%2e/secret.txt", "/%2e%65nv", "/%2e/.env",
        ]
        return attempts
    }()

    @Test func theCorpusCombinesEveryUpwardStepSeparatorAndTarget() {
        #expect(Self.attempts.count == 15 * 8 * 3 * 2 + 20)
        #expect(Set(Self.attempts).count > 700)
    }

    /// Every attempt is not found, or (a path with dot or empty segments that stays inside the
    /// root) redirected to its normal form on the site, which reaches no file outside the root
    /// and nothing hidden either.
    @Test func noAttemptReachesAFileOutsideTheRootOrHidden() throws {
        let site = try Site()
        let root = RealPath.resolve(site.base)! + "/site/"
        for path in Self.attempts {
            switch StaticPathResolver.resolve(path[...], in: site.mount) {
            case .notFound, .malformed:
                break
            case .redirect(let location):
                #expect(location.hasPrefix("/") && !location.hasPrefix("//"), "\(path) → \(location)")
                #expect(!location.contains("\\") && !location.contains("..") && !location.contains("/."), "\(path) → \(location)")
                switch StaticPathResolver.resolve(location[...], in: site.mount) {
                case .file(let file): #expect(file.path.hasPrefix(root), "\(path) → \(location) → \(file.path)")
                case .directory(let directory): #expect((directory + "/").hasPrefix(root), "\(path) → \(location) → \(directory)")
                case .redirect(let again): Issue.record("\(path) redirected twice: \(location), \(again)")
                case .notFound, .malformed: break
                }
            case let other:
                Issue.record("\(path) resolved to \(other)")
            }
        }
    }

    /// Expected resolutions, paths relative to the site's base: a symlink followed below the root
    /// keeps the requested path; an absolute one is judged, and named, by its real path.
    @Test(arguments: [
        ("/", "directory site"),
        ("/index.html", "file site/index.html"),
        ("/docs", "redirect /docs/"),
        ("/docs/", "directory site/docs"),
        ("/a..b.txt", "file site/a..b.txt"),
        ("/caf%C3%A9.txt", "file site/café.txt"),
        ("/inside.txt", "file site/a..b.txt"),
        ("/docs/relative-inside.txt", "file site/docs/relative-inside.txt"),
        ("/index.html/", "not found"),
        ("//index.html", "redirect /index.html"),
        ("/docs/../index.html", "redirect /index.html"),
        ("/docs//./index.html", "redirect /docs/index.html"),
        ("/docs/.", "redirect /docs/"),
        ("/docs/%2e%2e/", "redirect /"),
        ("/..", "not found"),
        ("/docs/../../secret.txt", "not found"),
        ("/./.env", "not found"),
        ("/.//%5cexample.com", "not found"),
        ("/%ff", "malformed"),
        ("/%zz", "malformed"),
    ])
    func legitimatePathsResolve(path: String, expected: String) throws {
        let site = try Site()
        let real = RealPath.resolve(site.base)! + "/"
        let resolved =
            switch StaticPathResolver.resolve(path[...], in: site.mount) {
            case .file(let file): "file " + file.path.dropFirst(real.count)
            case .directory(let directory): "directory " + directory.dropFirst(real.count)
            case .redirect(let location): "redirect " + location
            case .notFound: "not found"
            case .malformed: "malformed"
            }
        #expect(resolved == expected)
    }

    /// The open that reads a file is itself made beneath the root: a file swapped for a link out
    /// of the site between its lookup and its read is not opened.
    @Test func theOpenThatReadsAFileStaysBeneathTheRoot() throws {
        let site = try Site()
        let directory = site.mount.directory
        #expect(directory.openForReading(site.mount.root + "/escape.txt") == nil)
        #expect(directory.openForReading(site.mount.root + "/docs/relative-escape.txt") == nil)
        let found = try #require(directory.lookup(site.mount.root + "/a..b.txt"))
        try FileManager.default.removeItem(atPath: site.base + "/site/a..b.txt")
        try FileManager.default.createSymbolicLink(atPath: site.base + "/site/a..b.txt", withDestinationPath: "../secret.txt")
        #expect(FileManager.default.contents(atPath: site.base + "/site/a..b.txt") == Data("secret".utf8))
        #expect(directory.openForReading(found.path) == nil)
    }

    @Test func dotfilesAreServedOnlyWhenShown() throws {
        let site = try Site(showDotfiles: true)
        guard case .file(let file) = StaticPathResolver.resolve("/.env", in: site.mount) else {
            Issue.record("/.env was not served with --show-dotfiles")
            return
        }
        #expect(file.path == RealPath.resolve(site.base)! + "/site/.env")
        #expect(StaticPathResolver.resolve("/../secret.txt", in: site.mount) == .notFound)
    }

    @Test(arguments: [
        ("app.3f9a1c2b.js", true), ("chunk-5f2a9c1d.js", true), ("style.0123456789abcdef.css", true),
        ("index-BdZ8kV2x.js", true), ("vendor-react-Dx3_k9Qa.js", true),
        ("app.js", false), ("deadbeef.js", false), ("v1.2.3.js", false), ("index.html", false),
        ("report-20261130.pdf", false), ("invoice-12345678.pdf", false), ("photo.20261130.jpg", false),
        ("app.deadbeef.js", false), ("my-Document.pdf", false), ("release-notes.txt", false),
    ])
    func fingerprintedNamesAreRecognized(name: String, fingerprinted: Bool) {
        #expect(CachePolicy.isFingerprinted(name) == fingerprinted)
    }
}
