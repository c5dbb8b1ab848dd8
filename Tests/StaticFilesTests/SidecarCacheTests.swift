import Compression
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import StaticFiles

@Suite struct SidecarCacheTests {
    @Test func sidecarsAreProbedOnceAndNoticedWhenTheAnswerExpires() async throws {
        let site = try Site()
        let page = site.mount.root + "/index.html"
        // A validity no busy machine outruns between the two probes below.
        let cache = SidecarCache(validity: .seconds(1))
        #expect(cache.codings(of: page, in: site.mount.directory) == [])
        try Data("compressed".utf8).write(to: URL(fileURLWithPath: page + ".gz"))
        // Within the validity the earlier answer stands, as nginx's open_file_cache does.
        #expect(cache.codings(of: page, in: site.mount.directory) == [])
        try await waitUntil("the new sidecar is noticed") { cache.codings(of: page, in: site.mount.directory) == [.gzip] }
    }

    @Test func aSidecarLinkLeavingTheRootDoesNotCountAndOneInsideDoes() throws {
        let site = try Site()
        let page = site.mount.root + "/index.html"
        // `site/index.html.br -> ../secret.txt` names the real secret beside the root: the link
        // works, so only containment keeps it out.
        try FileManager.default.createSymbolicLink(atPath: page + ".br", withDestinationPath: "../secret.txt")
        #expect(FileManager.default.contents(atPath: page + ".br") == Data("secret".utf8))
        try FileManager.default.createSymbolicLink(atPath: page + ".gz", withDestinationPath: "a..b.txt")
        #expect(SidecarCache().codings(of: page, in: site.mount.directory) == [.gzip])
    }
}
