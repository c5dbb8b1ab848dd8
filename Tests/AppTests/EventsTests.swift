import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Routing
import Synchronization
import TestSupport
import Testing

/// Live events over a real socket: Server-Sent Events read by curl, a WebSocket read by a
/// WebSocket client; replay after `Last-Event-ID`, heartbeats, and each user's own files only.
@Suite struct EventsTests {
    /// One event of an SSE stream.
    struct Received: Equatable {
        let id: Int64
        let type: String
        let body: EventBody
    }

    /// The events of an SSE stream's text, and whether it held a heartbeat.
    static func parse(_ text: String) throws -> (events: [Received], heartbeats: Int) {
        var events: [Received] = []
        var heartbeats = 0
        for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
            if block == ": heartbeat" { heartbeats += 1 }
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { continue }
                fields[String(line[..<colon])] = String(line[line.index(after: colon)...].dropFirst())
            }
            guard let id = fields["id"].flatMap({ Int64($0) }), let type = fields["event"], let data = fields["data"] else { continue }
            events.append(Received(id: id, type: type, body: try JSONDecoder().decode(EventBody.self, from: Data(data.utf8))))
        }
        return (events, heartbeats)
    }

    /// Reads `/api/events` with curl for at most `seconds` (or until `until` holds of what it got).
    static func read(port: Int, _ arguments: [String], seconds: Int) async throws -> String {
        let curl = try Command.start(
            "curl",
            Curl.signedIn(["-sS", "-N", "--max-time", String(seconds)] + arguments + ["http://127.0.0.1:\(port)/api/events"], port: port)
        )
        return try await Command.wait(curl).text
    }

    @Test func serverSentEventsCarryCreatedThenThumbnailReadyWithHeartbeatsAndReplay() async throws {
        let app = try TestApp { $0.eventHeartbeat = DurationText(.milliseconds(300)) }
        let image = try await ThumbnailAPITests.png(app.directory, width: 640, height: 480)
        try await app.live { client in
            let port = try #require(client.port)
            // From the start of the outbox (`last_event_id=0`), so nothing depends on when curl connects.
            let stream = try Command.start(
                "curl",
                Curl.signedIn(["-sS", "-N", "--max-time", "60", "-D", "-", "http://127.0.0.1:\(port)/api/events?last_event_id=0"], port: port)
            )
            let record = try await ThumbnailAPITests.upload(client, image)
            try await waitUntil("the thumbnails are made") {
                try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self).thumbnails?.status == "ready"
            }
            try await Task.sleep(for: .seconds(1))
            stream.signal(SIGKILL)
            let text = try await Command.wait(stream).text
            #expect(text.lowercased().contains("content-type: text/event-stream"))
            let (events, heartbeats) = try Self.parse(text)
            #expect(events.map(\.type) == ["file.created", "thumbnail.ready"])
            #expect(events.allSatisfy { $0.body.file?.id == record.id && $0.body.type == $0.type && $0.body.id == $0.id })
            #expect(events[0].id < events[1].id)
            guard case .record(let ready) = events.last?.body.file else {
                Issue.record("thumbnail.ready carries the record")
                return
            }
            #expect(ready.thumbnails?.status == "ready" && ready.thumbnails?.sizes["256"] != nil)
            #expect(heartbeats >= 1, "a heartbeat after 300 ms of silence")

            // A client that reconnects with Last-Event-ID gets only what came after.
            _ = try await client.request(.delete, "/api/files/\(record.id)")
            let replay = try Self.parse(try await Self.read(port: port, ["-H", "Last-Event-ID: \(events[0].id)"], seconds: 2)).events
            #expect(replay.map(\.type) == ["thumbnail.ready", "file.deleted"])
            #expect(replay.last?.body.file == .gone(id: record.id))
            // Without it, only what happens from now on.
            #expect(try Self.parse(try await Self.read(port: port, [], seconds: 1)).events.isEmpty)
        }
    }

    /// A user sees the events of their own files, an admin everyone's; a refused upload (rolled
    /// back) announces nothing.
    @Test func eachUserSeesOnlyTheirOwnFilesAndNothingRolledBack() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false, quota: 100)
        let bob = try await app.token(for: "bob")
        try await app.live { client in
            let port = try #require(client.port)
            let mine = try await client.request(.put, "/api/files?name=admin.txt", body: "the admin's")
            let theirs = try await client.request(.put, "/api/files?name=bob.txt", body: "bob's", headers: [.authorization: "Bearer " + bob])
            let refused = try await client.request(
                .put,
                "/api/files?name=big.txt",
                body: String(repeating: "x", count: 200),
                headers: [.authorization: "Bearer " + bob]
            )
            #expect(mine.status == .created && theirs.status == .created && refused.status == .contentTooLarge)
            let bobID = try theirs.decoded(FileRecordBody.self).id
            #expect(try Self.parse(try await Self.read(port: port, [], seconds: 1)).events.isEmpty, "nothing new since connecting")
            let all = try Self.parse(try await Self.read(port: port, ["-G", "-d", "last_event_id=0"], seconds: 1)).events
            #expect(all.map(\.body.file?.id) == [try mine.decoded(FileRecordBody.self).id, bobID])
            let own = try Self.parse(
                try await Self.read(port: port, ["-G", "-d", "last_event_id=0", "-H", "Authorization: Bearer " + bob], seconds: 1)
            ).events
            #expect(own.map(\.body.file?.id) == [bobID] && own.map(\.type) == ["file.created"])
            let anonymous = try await Curl.request(port: port, "/api/events", ["-H", "Authorization: Bearer not-a-token"])
            #expect(anonymous.status == 401)
            let malformed = try await Curl.request(port: port, "/api/events?last_event_id=-3", [])
            #expect(malformed.status == 422)
        }
    }

    @Test func filesGivenToAnotherUserAreAnnouncedToThemAtOnce() async throws {
        let app = try TestApp()
        for name in ["bob", "carol"] { try await app.accounts().add(name: name, password: name + "-password", isAdmin: false) }
        let bob = "Authorization: Bearer " + (try await app.token(for: "bob"))
        let carol: HTTPFields = [.authorization: "Bearer " + (try await app.token(for: "carol"))]
        try await app.live { client in
            let port = try #require(client.port)
            var ids: [String] = []
            for name in ["one.txt", "two.txt"] {
                ids.append(try await client.request(.put, "/api/files?name=\(name)", body: name, headers: carol).decoded(FileRecordBody.self).id)
            }
            // bob's stream, open before, hears of them well before a heartbeat would wake it.
            let received = app.directory.path + "/received"
            let stream = try Command.start(
                "curl",
                ["-sS", "-N", "--max-time", "4", "-o", received, "-H", bob, "http://127.0.0.1:\(port)/api/events"]
            )
            try await waitUntil("the stream is open") { (try? String(contentsOfFile: received, encoding: .utf8))?.hasPrefix("retry:") == true }
            #expect(try await client.request(.delete, "/api/users/carol?transfer_to=bob").status == .noContent)
            _ = try await Command.wait(stream)
            let events = try Self.parse(try String(contentsOfFile: received, encoding: .utf8)).events
            #expect(events.map(\.type) == ["file.updated", "file.updated"])
            #expect(events.map(\.body.file?.id) == ids.sorted())
            #expect(events.allSatisfy { if case .record(let record) = $0.body.file { record.owner == "bob" } else { false } })
        }
    }

    @Test func aChangeThatChangesNothingIsNotAnnounced() async throws {
        try await TestApp().live { client in
            let port = try #require(client.port)
            let id = try await client.request(.put, "/api/files?name=a.txt", body: "a").decoded(FileRecordBody.self).id
            for change in [#"{"name": "a.txt"}"#, #"{"nmae": "b.txt"}"#, "{}", #"{"name": "b.txt"}"#] {
                #expect(try await client.request(.patch, "/api/files/\(id)", json: change).status == .ok, "\(change)")
            }
            #expect(try await client.request(.put, "/api/files/\(id)/content", body: "a").status == .ok, "the same bytes again")
            let events = try Self.parse(try await Self.read(port: port, ["-G", "-d", "last_event_id=0"], seconds: 1)).events
            #expect(events.map(\.type) == ["file.created", "file.updated"], "only the rename is announced")
        }
    }

    /// A stream opened with a session cookie ends when that session signs out; one opened with a
    /// bearer token when the user's password changes, when the token expires, or when the user is
    /// deleted: none carries what came after (the password was changed because someone else knew
    /// it).
    @Test func aStreamEndsWhenTheSignInItWasOpenedWithEnds() async throws {
        // Short-lived tokens, so that one expires while its stream is open; every request of the
        // test mints a fresh one.
        let app = try await FormLoginTests.app { $0.tokenLifetime = DurationText(.seconds(4)) }
        try await app.live(anonymous: true) { client in
            let port = try #require(client.port)
            let jar = app.directory.path + "/cookies"
            let signedIn = try await Curl.request(port: port, "/login", ["-c", jar, "-d", "username=alice", "-d", "password=alice-password"])
            #expect(signedIn.status == 303)
            func upload(_ name: String, as user: String = "alice") async throws -> String {
                let token = try await app.token(for: user)
                let reply = try await client.request(.put, "/api/files?name=\(name)", body: name, headers: [.authorization: "Bearer " + token])
                return try reply.decoded(FileRecordBody.self).id
            }
            let received = app.directory.path + "/received"
            /// A stream read into `received`, once the server has answered its head.
            func stream(_ credentials: [String]) async throws -> RunningProcess {
                try? FileManager.default.removeItem(atPath: received)
                let running = try Command.start(
                    "curl",
                    ["-sS", "-N", "--max-time", "20", "-o", received] + credentials + ["http://127.0.0.1:\(port)/api/events"]
                )
                try await waitUntil("the stream is open") { (try? String(contentsOfFile: received, encoding: .utf8))?.hasPrefix("retry:") == true }
                return running
            }
            /// The files of the events a stream carried before it ended, soon.
            func ended(_ running: RunningProcess) async throws -> [String?] {
                let asked = ContinuousClock.now
                _ = try await Command.wait(running)
                #expect(ContinuousClock.now - asked < .seconds(10), "the stream outlived its sign-in")
                return try Self.parse(try String(contentsOfFile: received, encoding: .utf8)).events.map(\.body.file?.id)
            }

            let bySession = try await stream(["-b", jar])
            let before = try await upload("before-sign-out.txt")
            try await waitUntil("the event came") { (try? String(contentsOfFile: received, encoding: .utf8))?.contains(before) == true }
            #expect(try await Curl.request(port: port, "/logout", ["-b", jar, "-X", "POST"]).status == 303)
            let after = try await upload("after-sign-out.txt")
            let seen = try await ended(bySession)
            #expect(seen == [before] && !seen.contains(after))

            let byToken = try await stream(["-H", "Authorization: Bearer " + (try await app.token(for: "alice"))])
            try await app.accounts().changePassword(of: "alice", to: "a-new-password")
            let afterChange = try await upload("after-the-change.txt")
            #expect(try await !ended(byToken).contains(afterChange))

            let expiring = try await stream(["-H", "Authorization: Bearer " + (try await app.token(for: "alice"))])
            try await Task.sleep(for: .seconds(5))
            let afterExpiry = try await upload("after-the-expiry.txt")
            #expect(try await !ended(expiring).contains(afterExpiry))

            let deleted = try await stream(["-H", "Authorization: Bearer " + (try await app.token(for: "alice"))])
            try await app.accounts().delete(named: "alice", transferringFilesTo: "admin")
            _ = try await upload("after-the-deletion.txt", as: "admin")
            #expect(try await ended(deleted).isEmpty)
        }
    }

    /// A sign-in that ends through the server (a sign-out, a password changed by its user or an
    /// admin, a new role, the user deleted) ends its streams at once, and one ended by the command
    /// line beside the server within a second: not at their next wake, the 15 s heartbeat.
    @Test func aStreamEndsPromptlyWhenItsSignInEnds() async throws {
        let app = try await FormLoginTests.app()
        let admin: HTTPFields = [.authorization: "Bearer " + (try await app.token(for: "admin"))]
        try await app.live(anonymous: true) { client in
            let port = try #require(client.port)
            let jar = app.directory.path + "/cookies"
            /// Opens a stream, ends its sign-in with `end`, and says how long the stream took to end.
            func ending(_ credentials: [String], _ end: () async throws -> Int) async throws -> Duration {
                let received = app.directory.path + "/received"
                try? FileManager.default.removeItem(atPath: received)
                let running = try Command.start(
                    "curl",
                    ["-sS", "-N", "--max-time", "12", "-o", received] + credentials + ["http://127.0.0.1:\(port)/api/events"]
                )
                try await waitUntil("the stream is open") { (try? String(contentsOfFile: received, encoding: .utf8))?.hasPrefix("retry:") == true }
                let asked = ContinuousClock.now
                #expect(try await end() < 400)
                _ = try await Command.wait(running)
                return ContinuousClock.now - asked
            }
            func alice() async throws -> [String] { ["-H", "Authorization: Bearer " + (try await app.token(for: "alice"))] }
            let signIn = ["-c", jar, "-d", "username=alice", "-d", "password=alice-password"]
            #expect(try await Curl.request(port: port, "/login", signIn).status == 303)
            let afterSignOut = try await ending(["-b", jar]) { try await Curl.request(port: port, "/logout", ["-b", jar, "-X", "POST"]).status }
            let own = "Bearer " + (try await app.token(for: "alice"))
            let afterOwnChange = try await ending(["-H", "Authorization: " + own]) {
                let change = #"{"current_password": "alice-password", "new_password": "alice-second"}"#
                return try await client.request(.post, "/api/me/password", json: change, headers: [.authorization: own]).status.code
            }
            let afterReset = try await ending(try await alice()) {
                try await client.request(.patch, "/api/users/alice", json: #"{"password": "alice-third"}"#, headers: admin).status.code
            }
            let afterRole = try await ending(try await alice()) {
                try await client.request(.patch, "/api/users/alice", json: #"{"role": "admin"}"#, headers: admin).status.code
            }
            // Another process: the command line beside the server, which the server hears of
            // through the database within a second.
            let storage = app.configuration.storageDirectory
            let afterCommandLine = try await ending(try await alice()) {
                let changed = try await Command.run(CommandLineTests.binary, ["user", "role", "alice", "user", "--storage", storage])
                #expect(changed.status == 0, "\(changed.stderr)")
                return 200
            }
            let afterDeletion = try await ending(try await alice()) {
                try await client.request(.delete, "/api/users/alice", headers: admin).status.code
            }
            for took in [afterSignOut, afterOwnChange, afterReset, afterRole, afterCommandLine, afterDeletion] {
                #expect(took < .seconds(5), "a stream outlived its sign-in by \(took), waiting for its 15 s heartbeat")
            }
        }
    }

    /// A WebSocket opened with a token is closed with 1008 (a policy violation) when the user's
    /// password changes, before it carries anything that came after.
    @Test func aWebSocketClosesWhenItsSignInEnds() async throws {
        let app = try await FormLoginTests.app()
        let token = try await app.token(for: "alice")
        try await app.live { client in
            let port = try #require(client.port)
            @Sendable func upload(_ name: String) async throws {
                let fresh = try await app.token(for: "alice")
                #expect(
                    try await client.request(.put, "/api/files?name=\(name)", body: name, headers: [.authorization: "Bearer " + fresh]).status
                        == .created
                )
            }
            let names = EventBox()
            let closed = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/api/ws",
                configuration: .init(additionalHeaders: [.authorization: "Bearer " + token]),
                logger: Logger(label: "ws-test")
            ) { inbound, _, _ in
                try await upload("before.txt")
                var changed = false
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    names.append(try JSONDecoder().decode(EventBody.self, from: Data(text.utf8)))
                    if !changed {
                        changed = true
                        try await app.accounts().changePassword(of: "alice", to: "a-new-password")
                        try await upload("after.txt")
                    }
                }
            }
            let carried = names.all.map { event -> String? in
                guard case .record(let record) = event.file else { return nil }
                return record.name
            }
            #expect(carried == ["before.txt"])
            #expect(closed?.closeCode == .policyViolation)
        }
    }

    @Test func aWebSocketCarriesTheSameEvents() async throws {
        let app = try await FormLoginTests.app()
        let image = try await ThumbnailAPITests.png(app.directory, width: 320, height: 200)
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = try #require(client.port)
            let received = try await Self.collect(port: port, token: token) {
                _ = try await ThumbnailAPITests.upload(client, image)
            }
            #expect(received.map(\.type) == ["file.created", "thumbnail.ready"])
            #expect(Set(received.map(\.file?.id)).count == 1)

            // Refused without credentials (401), and when a page of another site opens it with
            // the session cookie (403), each with its JSON detail; a page of this site may. A
            // handshake elsewhere is answered as a plain request. A plain GET is told to upgrade.
            // (curl here: the WebSocket client sets an Origin of its own.)
            await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) { try await Self.handshake(port: port, [:]) }
            let signedIn = try await FormLoginTests.login(client)
            let session = try #require(FormLoginTests.sessionID(signedIn.headers[.setCookie]))
            let handshake = [
                "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "--max-time", "2",
            ]
            let cookie = ["-b", "wharf_session=\(session)"]
            let anonymous = try await Curl.request(port: port, "/api/ws", handshake + ["-H", "Authorization:"])
            #expect(anonymous.status == 401)
            #expect(try anonymous.decoded(ErrorBody.self) == ErrorBody(detail: .message("Not authenticated")))
            let foreign = try await Curl.request(port: port, "/api/ws", handshake + cookie + ["-H", "Origin: http://evil.example"])
            #expect(foreign.status == 403 && (try? foreign.decoded(ErrorBody.self)) != nil)
            let elsewhere = try await Curl.request(port: port, "/healthz", handshake)
            #expect(elsewhere.status == 200)
            let own = try await Curl.request(port: port, "/api/ws", handshake + cookie + ["-H", "Origin: http://127.0.0.1:\(port)"])
            #expect(own.status == 101)
            // What the WebSocket router refuses (credentials that fail to verify, a bad cursor)
            // gets the router's JSON error, not hummingbird-websocket's bare 400; with a request id.
            let badToken = try await Curl.request(port: port, "/api/ws", handshake + ["-H", "Authorization: Bearer not-a-token"])
            #expect(badToken.status == 401 && badToken.headers["x-request-id"] != nil)
            #expect(
                try badToken.decoded(ErrorBody.self)
                    == ErrorBody(detail: .message("Could not validate credentials: the token is invalid, expired or revoked."))
            )
            let badCursor = try await Curl.request(
                port: port,
                "/api/ws?last_event_id=-3",
                handshake + ["-H", "Authorization: Bearer " + token]
            )
            #expect(badCursor.status == 422 && (try? badCursor.decoded(ErrorBody.self)) != nil)
            let plain = try await client.request(.get, "/api/ws")
            #expect(plain.status == .upgradeRequired && plain.headers[.upgrade] == "websocket")
        }
    }

    /// A handshake with credentials that the WebSocket upgrade cannot take is answered, never
    /// left waiting: one that names another protocol, or comes with a body or another method, as
    /// the plain request it also is; one without a single `Sec-WebSocket-Key` and
    /// `Sec-WebSocket-Version` with 400, one of another version with 426 naming version 13
    /// (RFC 6455 §4.2.2). Each with its JSON detail.
    @Test func aHandshakeTheUpgradeCannotTakeIsAnswered() async throws {
        let app = try TestApp()
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = try #require(client.port)
            let signedIn = ["-H", "Authorization: Bearer " + token, "-H", "Connection: Upgrade", "--max-time", "10"]
            let key = ["-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
            let cases: [(String, [String], Int)] = [
                ("no key", ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13"], 400),
                (
                    "two keys",
                    ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13"] + key + ["-H", "Sec-WebSocket-Key: b3RoZXIga2V5IGhlcmUh"], 400
                ),
                ("no version", ["-H", "Upgrade: websocket"] + key, 400),
                ("version 8", ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 8"] + key, 426),
                ("another protocol", ["-H", "Upgrade: h2c", "-H", "Sec-WebSocket-Version: 13"] + key, 426),
                ("a body", ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13", "-X", "GET", "-d", "hello"] + key, 426),
                ("another method", ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13", "-X", "POST"] + key, 405),
            ]
            for (name, headers, status) in cases {
                let reply = try await Curl.request(port: port, "/api/ws", signedIn + headers)
                #expect(reply.exitStatus == 0 && reply.status == status, "\(name): \(reply.status)")
                #expect((try? reply.decoded(ErrorBody.self)) != nil, "\(name)")
                if name == "version 8" { #expect(reply.headers["sec-websocket-version"] == "13") }
            }
            // curl holds an upgraded connection open until its time is up.
            let upgrade = ["-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13", "--max-time", "1"]
            let own = try await Curl.request(port: port, "/api/ws", signedIn + upgrade + key)
            #expect(own.status == 101)
        }
    }

    /// What a client sends on `/api/ws` is read and dropped, but a text message that is not
    /// UTF-8 fails the connection with 1007 (RFC 6455 §8.1); messages before it change nothing.
    @Test func aTextMessageThatIsNotUTF8ClosesTheWebSocket() async throws {
        let app = try TestApp()
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = try #require(client.port)
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/api/ws",
                configuration: .init(additionalHeaders: [.authorization: "Bearer " + token]),
                logger: Logger(label: "ws-test")
            ) { inbound, outbound, _ in
                try await outbound.write(.text("hello"))
                try await outbound.write(.binary(ByteBuffer(bytes: [0xff, 0xfe])))
                let notUTF8 = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: [0x68, 0xff, 0xfe]))
                try await outbound.write(.custom(notUTF8))
                // Closed by the client after a while when the server does not close it.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await _ in inbound {} }
                    group.addTask {
                        try await Task.sleep(for: .seconds(10))
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            #expect(close?.closeCode == .dataInconsistentWithMessage)
        }
    }

    /// A client masks every frame it sends (RFC 6455 §5.1): one that does not, even one that came
    /// with the handshake itself, closes the WebSocket with 1002; masked frames keep it open.
    @Test func aFrameTheClientDidNotMaskClosesTheWebSocket() async throws {
        let app = try TestApp()
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = try #require(client.port)
            let unmasked = try await Self.sendFrames(port: port, token: token, ["masked:hello", "unmasked:hello"])
            #expect(unmasked == FramesOutcome(status: 101, closeCode: 1002, closed: true))
            let masked = try await Self.sendFrames(port: port, token: token, ["masked:hello", "masked:again"])
            #expect(masked == FramesOutcome(status: 101, closeCode: nil, closed: false))
        }
    }

    struct FramesOutcome: Decodable, Equatable {
        let status: Int
        let closeCode: Int?
        let closed: Bool

        enum CodingKeys: String, CodingKey {
            case status
            case closeCode = "close_code"
            case closed
        }
    }

    /// What `/api/ws` does with `frames` sent by a raw client (`websocket_frames.py`).
    static func sendFrames(port: Int, token: String, _ frames: [String]) async throws -> FramesOutcome {
        let output = try await PythonClients.run("websocket_frames.py", [String(port), token] + frames, timeout: .seconds(60))
        #expect(output.status == 0, "\(output.stderr)")
        return try JSONDecoder().decode(FramesOutcome.self, from: output.stdout)
    }

    /// Opens `/api/ws` with `headers` and closes it at once.
    static func handshake(port: Int, _ headers: HTTPFields) async throws {
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/api/ws",
            configuration: .init(additionalHeaders: headers),
            logger: Logger(label: "ws-test")
        ) { _, outbound, _ in
            try await outbound.close(.normalClosure, reason: nil)
        }
    }

    /// Connects to `/api/ws`, runs `action`, and reads events until a `thumbnail.ready`.
    static func collect(port: Int, token: String, _ action: @escaping @Sendable () async throws -> Void) async throws -> [EventBody] {
        let events = EventBox()
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/api/ws",
            configuration: .init(additionalHeaders: [.authorization: "Bearer " + token]),
            logger: Logger(label: "ws-test")
        ) { inbound, outbound, _ in
            try await action()
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let event = try JSONDecoder().decode(EventBody.self, from: Data(text.utf8))
                events.append(event)
                if event.type == "thumbnail.ready" { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return events.all
    }
}

/// Events a WebSocket handler collected.
final class EventBox: Sendable {
    private let events = Mutex<[EventBody]>([])
    func append(_ event: EventBody) { self.events.withLock { $0.append(event) } }
    var all: [EventBody] { self.events.withLock { $0 } }
}
