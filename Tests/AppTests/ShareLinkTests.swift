import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// Share links in router test mode: made, used, limited, expired, revoked.
@Suite struct ShareLinkTests {
    static func share(_ client: some TestClientProtocol, _ json: String = "{}") async throws -> (FileRecordBody, TestResponse) {
        let record = try await client.request(.post, "/api/files?name=report%20Q3.pdf", body: "0123456789").decoded(FileRecordBody.self)
        return (record, try await client.request(.post, "/api/files/\(record.id)/links", json: json))
    }

    @Test func aLinkDownloadsTheFileAndCountsEachGETThatSendsItsBytes() async throws {
        try await TestApp().router { client in
            let before = Date()
            let (record, created) = try await Self.share(client, #"{"expires_in": 3600, "max_downloads": 5}"#)
            #expect(created.status == .created)
            let link = try created.decoded(ShareLinkBody.self)
            #expect(link.token.count == 22 && link.url == "/s/\(link.token)" && created.headers[.location] == link.url)
            #expect(link.maxDownloads == 5 && link.downloads == 0)
            let expires = try #require(ISO8601DateFormatter.fractional.date(from: link.expiresAt))
            #expect(abs(expires.timeIntervalSince(before) - 3600) < 60)

            let download = try await client.request(.get, link.url)
            #expect(download.status == .ok && String(buffer: download.body) == "0123456789")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"report Q3.pdf\"")
            #expect(download.headers[.eTag] == "\"\(record.sha256)\"" && download.headers[.cacheControl] == "private, no-store")
            let range = try await client.request(.get, link.url, headers: [.range: "bytes=2-4"])
            #expect(range.status == .partialContent && String(buffer: range.body) == "234")
            let head = try await client.request(.head, link.url)
            #expect(head.status == .ok && head.headers[.contentLength] == "10")
            // Answers that send none of the file's bytes count nothing.
            let etag = try #require(download.headers[.eTag])
            #expect(try await client.request(.get, link.url, headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(try await client.request(.get, link.url, headers: [.ifMatch: "\"other\""]).status == .preconditionFailed)
            #expect(try await client.request(.get, link.url, headers: [.range: "bytes=20-"]).status == .rangeNotSatisfiable)

            let listed = try await client.request(.get, "/api/files/\(record.id)/links").decoded([ShareLinkBody].self)
            #expect(listed.map(\.token) == [link.token])
            #expect(listed.first?.downloads == 2, "the two GETs that sent bytes counted; the HEAD, 304, 412 and 416 not")
        }
    }

    @Test func aLinkStopsAtItsMostDownloadsAndAfterItsTime() async throws {
        try await TestApp().router { client in
            let limited = try await Self.share(client, #"{"max_downloads": 2}"#).1.decoded(ShareLinkBody.self)
            // A probe that sends no bytes does not use the link up.
            for _ in 0..<3 { #expect(try await client.request(.get, limited.url, headers: [.range: "bytes=50-"]).status == .rangeNotSatisfiable) }
            for _ in 0..<2 { #expect(try await client.request(.get, limited.url).status == .ok) }
            let used = try await client.request(.get, limited.url)
            #expect(used.status == .gone)
            // Of downloads racing for a link's last one, one gets the file and the others 410:
            // the answer is decided first, its download claimed in one transaction with the check.
            let last = try await Self.share(client, #"{"max_downloads": 1}"#).1.decoded(ShareLinkBody.self)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 { group.addTask { try await client.request(.get, last.url).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .gone }.count == 7, "\(statuses)")
            #expect(try used.decoded(ErrorBody.self) == ErrorBody(detail: .message("The share link has served its 2 downloads.")))

            let brief = try await Self.share(client, #"{"expires_in": 1}"#).1.decoded(ShareLinkBody.self)
            try await waitUntil("the one-second link expires") { try await client.request(.get, brief.url).status == .gone }
            let expired = try await client.request(.get, brief.url)
            #expect(try expired.decoded(ErrorBody.self) == ErrorBody(detail: .message("The share link has expired.")))
        }
    }

    @Test func aRevokedOrUnknownLinkIsNotFoundAndADeletedFileTakesItsLinks() async throws {
        try await TestApp().router { client in
            let (record, created) = try await Self.share(client)
            let link = try created.decoded(ShareLinkBody.self)
            #expect(try await client.request(.delete, "/api/links/\(link.token)").status == .noContent)
            let revoked = try await client.request(.get, link.url)
            #expect(revoked.status == .notFound)
            #expect(try revoked.decoded(ErrorBody.self) == ErrorBody(detail: .message("No share link has this token.")))
            #expect(try await client.request(.delete, "/api/links/\(link.token)").status == .notFound)
            #expect(try await client.request(.get, "/s/AAAAAAAAAAAAAAAAAAAAAA").status == .notFound)

            // No body at all: every field has its default.
            let bare = try await client.request(.post, "/api/files/\(record.id)/links")
            #expect(bare.status == .created)
            let second = try bare.decoded(ShareLinkBody.self)
            #expect(second.maxDownloads == nil)
            #expect(try await client.request(.delete, "/api/files/\(record.id)").status == .noContent)
            #expect(try await client.request(.get, second.url).status == .notFound)
            #expect(try await client.request(.post, "/api/files/\(record.id)/links", json: "{}").status == .notFound)
        }
    }

    @Test func aBrowserOpeningALinkThatCannotGiveItsFileIsShownAPageSayingWhy() async throws {
        let app = try TestApp()
        try FileManager.default.copyItem(atPath: PythonClients.site + "/link.html", toPath: app.configuration.staticDirectory + "/link.html")
        let browser: HTTPFields = [.accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
        try await app.router { client in
            let link = try await Self.share(client, #"{"max_downloads": 1}"#).1.decoded(ShareLinkBody.self)
            #expect(try await client.request(.get, link.url, headers: browser).status == .ok, "a usable link still sends the file")

            let usedUp = try await client.request(.get, link.url, headers: browser)
            let page = String(buffer: usedUp.body)
            #expect(usedUp.status == .gone && usedUp.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.contains("<h1>Link no longer valid</h1>") && page.contains("The share link has served its 1 download."), "\(page)")
            #expect(!page.contains("{{"), "every placeholder is filled")
            #expect(usedUp.headers[.vary] == "Accept" && usedUp.headers[.cacheControl] == "no-store")

            // Scripts and download managers keep the JSON answer.
            let script = try await client.request(.get, link.url, headers: [.accept: "*/*"])
            #expect(script.status == .gone && script.headers[.vary] == "Accept")
            #expect(try script.decoded(ErrorBody.self) == ErrorBody(detail: .message("The share link has served its 1 download.")))

            let unknown = try await client.request(.get, "/s/AAAAAAAAAAAAAAAAAAAAAA", headers: browser)
            #expect(unknown.status == .notFound && String(buffer: unknown.body).contains("<h1>Link not found</h1>"))
            let head = try await client.request(.head, "/s/AAAAAAAAAAAAAAAAAAAAAA", headers: browser)
            #expect(head.status == .notFound && head.headers[.contentType] == "text/html; charset=utf-8" && head.body.readableBytes == 0)
        }
    }

    /// A download cut off before its end gives its count back, so that a broken connection does
    /// not use a link up: the client resumes with a range, and the answer that finishes counts.
    /// An answer of several ranges keeps its count, cut off or not.
    @Test func aDownloadCutOffGivesItsCountBackAndItsResumeFinishesIt() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big.bin"
        try await Fixtures.randomFile(at: source, size: 32 << 20)
        let partial = app.directory.path + "/partial.bin"
        try await app.live { client in
            let port = client.port!
            let record = try await Curl.request(port: port, "/api/files?name=big.bin", ["-T", source]).decoded(FileRecordBody.self)
            let link = try await Curl.request(port: port, "/api/files/\(record.id)/links", ["--json", #"{"max_downloads": 2}"#])
                .decoded(ShareLinkBody.self)
            func downloads() async throws -> Int? {
                try await Curl.request(port: port, "/api/files/\(record.id)/links", []).decoded([ShareLinkBody].self).first?.downloads
            }
            func cutOff(_ range: [String]) async throws {
                let curl = try Command.start("curl", ["-sS", "--limit-rate", "4M", "-o", partial] + range + ["http://127.0.0.1:\(port)\(link.url)"])
                try await waitUntil("part of the file has come") {
                    ((try? FileManager.default.attributesOfItem(atPath: partial))?[.size] as? Int ?? 0) > 1 << 20
                }
                curl.signal(SIGKILL)
                _ = try await Command.wait(curl)
            }
            try await cutOff(["-r", "0-9999999,20000000-33554431"])
            #expect(try await downloads() == 1, "several ranges cut off keep their count")
            try FileManager.default.removeItem(atPath: partial)
            try await cutOff([])
            try await waitUntil("the cut-off download is given back") { try await downloads() == 1 }
            let resumed = try await Curl.request(port: port, link.url, ["-C", "-"], saveTo: partial)
            #expect(resumed.status == 206)
            #expect(try await Fixtures.sha256(ofFile: partial) == record.sha256)
            #expect(try await downloads() == 2)
            #expect(try await Curl.request(port: port, link.url, []).status == 410)
        }
    }

    @Test(arguments: [
        (#"{"expires_in": 0}"#, "greater_than_equal"), (#"{"expires_in": 31536001}"#, "less_than_equal"),
        (#"{"max_downloads": "ten"}"#, "int_type"), (#"{"max_downloads": 1.5}"#, "int_type"), ("[1]", "model_attributes_type"),
    ])
    func aMalformedRequestAnswers422(json: String, type: String) async throws {
        try await TestApp().router { client in
            let reply = try await Self.share(client, json).1
            #expect(reply.status == .unprocessableContent)
            guard case .issues(let issues) = try reply.decoded(ErrorBody.self).detail else {
                Issue.record("a 422 lists its issues")
                return
            }
            #expect(issues.map(\.type) == [type])
        }
    }
}

extension ISO8601DateFormatter {
    static var fractional: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
