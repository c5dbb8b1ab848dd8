import App
import Foundation
import HummingbirdTesting
import Routing
import TestSupport
import Testing

/// `multipart/form-data` uploads over a real socket, sent by curl as browsers' forms are.
@Suite(.serialized) struct FormUploadTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]

    /// A browser posting the plain form (no script, `Accept` with `text/html`) is sent back to the list.
    @Test func aBrowsersPlainFormIsAnsweredWithARedirectToTheList() async throws {
        let app = try TestApp()
        try Data("plain words\n".utf8).write(to: URL(fileURLWithPath: app.directory.path + "/notes.txt"))
        try await app.live { client in
            let reply = try await Curl.request(
                port: client.port!,
                "/api/files",
                ["-F", "files=@\(app.directory.path)/notes.txt", "-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8"]
            )
            #expect(reply.status == 303 && reply.headers["location"] == "/")
            let listing = try await Curl.request(port: client.port!, "/api/files", []).decoded(FilePageBody.self)
            #expect(listing.items.map(\.name) == ["notes.txt"])
        }
    }

    @Test func aFormWithThreeFilesAndTwoFieldsStoresEachFileInOrder() async throws {
        let app = try TestApp()
        let directory = app.directory.path
        try Data(Self.png).write(to: URL(fileURLWithPath: directory + "/pixel.bin"))
        try Data("plain words\n".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        try await Fixtures.randomFile(at: directory + "/random.dat", size: 5 << 20)
        try await app.live { client in
            let reply = try await Curl.request(
                port: client.port!,
                "/api/files",
                [
                    "-F", "file=@\(directory)/pixel.bin;filename=../../évasion.png;type=text/plain",
                    "-F", "description=Holiday",
                    "-F", "files=@\(directory)/notes.txt",
                    "-F", "tags=beach, 2026",
                    "-F", "files=@\(directory)/random.dat",
                ]
            )
            #expect(reply.status == 201)
            #expect(reply.headers["location"] == nil)
            let files = try reply.decoded(FormUploadBody.self).files
            #expect(files.map(\.name) == ["évasion.png", "notes.txt", "random.dat"])
            #expect(files.map(\.contentType) == ["image/png", "text/plain", "application/octet-stream"])
            #expect(files[0].declaredContentType == "text/plain")
            #expect(files.allSatisfy { $0.description == "Holiday" && $0.tags == ["beach", "2026"] })
            #expect(files[2].sha256 == (try await Fixtures.sha256(ofFile: directory + "/random.dat")))
            #expect(files[2].size == 5 << 20)
        }
        #expect(app.stagedFiles.isEmpty)
    }

    @Test func aFileOf512MiBStreamsThroughTheParserIntact() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big.bin"
        try await Fixtures.randomFile(at: source, size: 512 << 20, seed: 7)
        let expected = try await Fixtures.sha256(ofFile: source)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files", ["-F", "file=@\(source)"])
            #expect(reply.status == 201)
            let file = try #require(try reply.decoded(FormUploadBody.self).files.first)
            #expect(file.sha256 == expected)
            #expect(file.size == 512 << 20)
            #expect(reply.headers["location"] == "/api/files/\(file.id)")
        }
        try? FileManager.default.removeItem(atPath: source)
    }

    @Test(arguments: [
        ("maxFiles", ["-F", "file=@A", "-F", "file=@A", "-F", "file=@A"], 413, "more than 2 files"),
        ("maxFields", ["-F", "file=@A", "-F", "a=1", "-F", "b=2", "-F", "c=3"], 413, "more than 2 fields"),
        ("maxFieldSize", ["-F", "file=@A", "-F", "description=" + String(repeating: "d", count: 2000)], 413, "larger than the limit of 1024"),
        ("maxFileSize", ["-F", "file=@A", "-F", "file=@B"], 413, "larger than the limit of 1048576"),
        ("maxBody", ["-F", "file=@B", "-F", "file=@B", "-F", "file=@B"], 413, "larger than the limit of 4194304"),
        ("partHeaders", ["-F", "file=@A;headers=X-Pad: " + String(repeating: "p", count: 2000)], 400, "headers of a multipart part"),
        ("noFile", ["-F", "description=only text"], 422, "Field required"),
    ])
    func eachLimitIsAnsweredClearlyAndLeavesNothing(limit: String, form: [String], status: Int, detail: String) async throws {
        let app = try TestApp {
            $0.maxUploadSize = ByteSize(bytes: 4 << 20)
            $0.maxFileSize = ByteSize(bytes: 1 << 20)
            $0.maxFiles = 2
            $0.maxFields = 2
            $0.maxFieldSize = ByteSize(bytes: 1024)
            $0.maxPartHeaderSize = ByteSize(bytes: 1024)
        }
        let small = app.directory.path + "/small.bin"
        let large = app.directory.path + "/large.bin"
        try await Fixtures.randomFile(at: small, size: 1000)
        try await Fixtures.randomFile(at: large, size: 1_500_000)
        let arguments = form.map { $0.replacingOccurrences(of: "@A", with: "@" + small).replacingOccurrences(of: "@B", with: "@" + large) }
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files", arguments)
            #expect(reply.status == status, "\(limit)")
            #expect(String(decoding: reply.body, as: UTF8.self).contains(detail), "\(limit): \(String(decoding: reply.body, as: UTF8.self))")
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    @Test(arguments: [
        ("multipart/form-data", "x", "no boundary"),
        ("multipart/form-data; boundary=" + String(repeating: "b", count: 71), "x", "longer than 70"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "no Content-Disposition"),
        (
            "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\ncut off",
            "before its closing"
        ),
        ("multipart/mixed; boundary=b", "--b--", "must be multipart/form-data"),
    ])
    func malformedFormsAnswer400Or415WithTheProblemNamed(contentType: String, body: String, detail: String) async throws {
        let app = try TestApp()
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files", ["-H", "Content-Type: \(contentType)", "--data-binary", body])
            #expect(reply.status == (contentType.hasPrefix("multipart/mixed") ? 415 : 400))
            let answer = try reply.decoded(ErrorBody.self).detail.description
            #expect(answer.contains(detail), "\(answer)")
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    @Test func anEpilogueAfterTheClosingBoundaryIsIgnored() async throws {
        let app = try TestApp()
        let body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\nepilogue that is ignored"
        try await app.live { client in
            let reply = try await Curl.request(
                port: client.port!,
                "/api/files",
                ["-H", "Content-Type: multipart/form-data; boundary=b", "--data-binary", body]
            )
            #expect(reply.status == 201)
            #expect(try reply.decoded(FormUploadBody.self).files.map(\.size) == [5])
        }
    }

    /// A file input left empty is sent by browsers as a part named "" with no bytes: no file was
    /// chosen, so none is stored; an empty file that was chosen is one.
    @Test func aFileInputLeftEmptyIsNoFile() async throws {
        let app = try TestApp()
        let unchosen = "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n"
        let chosenEmpty = "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"empty.txt\"\r\nContent-Type: text/plain\r\n\r\n\r\n"
        let tags = "--b\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx\r\n"
        try await app.live { client in
            func post(_ body: String) async throws -> Curl.Reply {
                try await Curl.request(
                    port: client.port!,
                    "/api/files",
                    ["-H", "Content-Type: multipart/form-data; boundary=b", "--data-binary", body]
                )
            }
            let alone = try await post(unchosen + tags + "--b--\r\n")
            #expect(alone.status == 422)
            #expect(String(decoding: alone.body, as: UTF8.self).contains("Field required"))
            #expect(try await app.holdsNothing(port: client.port!))
            let beside = try await post(unchosen + chosenEmpty + unchosen + "--b--\r\n")
            #expect(beside.status == 201)
            #expect(try beside.decoded(FormUploadBody.self).files.map { [$0.name, String($0.size)] } == [["empty.txt", "0"]])
        }
        #expect(app.stagedFiles.isEmpty)
    }

    @Test func onlyAllowedTypesAreStoredAndARefusalKeepsNoFileOfTheForm() async throws {
        let app = try TestApp { $0.allowTypes = "image/*,application/pdf" }
        let directory = app.directory.path
        try Data(Self.png).write(to: URL(fileURLWithPath: directory + "/pixel.png"))
        // An executable script that claims to be a PNG: libmagic's verdict counts, not the claim.
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: URL(fileURLWithPath: directory + "/fake.png"))
        try await app.live { client in
            let accepted = try await Curl.request(port: client.port!, "/api/files", ["-F", "file=@\(directory)/pixel.png"])
            #expect(accepted.status == 201)
            let mixed = try await Curl.request(
                port: client.port!,
                "/api/files",
                ["-F", "file=@\(directory)/pixel.png", "-F", "file=@\(directory)/fake.png;type=image/png"]
            )
            #expect(mixed.status == 415)
            #expect(try mixed.decoded(ErrorBody.self).detail.description.contains("text/x-shellscript"))
            let listing = try await Curl.request(port: client.port!, "/api/files", [])
            #expect(try listing.decoded(FilePageBody.self).items.count == 1)
            let raw = try await Curl.request(
                port: client.port!,
                "/api/files?name=fake.png",
                ["-X", "POST", "--data-binary", "@\(directory)/fake.png"]
            )
            #expect(raw.status == 415)
        }
        #expect(app.stagedFiles.isEmpty)
        #expect(app.blobFiles.count == 1)
    }

    @Test func anAbortedFormUploadLeavesNothing() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 32 << 20)
        let small = app.directory.path + "/small"
        try await Fixtures.randomFile(at: small, size: 1000)
        try await app.live { client in
            let curl = try Command.start(
                "curl",
                Curl.signedIn([
                    "-sS", "-o", "/dev/null", "--limit-rate", "4M", "-F", "file=@\(small)", "-F", "file=@\(source)",
                    "http://127.0.0.1:\(client.port!)/api/files",
                ])
            )
            try await waitUntil("the first file is staged and the second is being written") { app.stagedFiles.count == 2 }
            curl.signal(SIGKILL)
            _ = try await Command.wait(curl)
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }
}
