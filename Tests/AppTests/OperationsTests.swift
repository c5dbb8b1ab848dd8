import App
import Foundation
import HummingbirdTesting
import Routing
import TestSupport
import Testing

@Suite struct OperationsTests {
    @Test func healthReadinessAndTheFrontPageAnswer() async throws {
        let app = try TestApp()
        try await app.live { client in
            let health = try await Curl.request(port: client.port!, "/healthz", [])
            #expect(try health.status == 200 && health.decoded(StatusBody.self) == StatusBody(status: "ok"))
            let ready = try await Curl.request(port: client.port!, "/readyz", [])
            #expect(try ready.status == 200 && ready.decoded(StatusBody.self) == StatusBody(status: "ready"))
            let index = try await Curl.request(port: client.port!, "/", [])
            #expect(index.status == 200)
            #expect(index.headers["content-type"] == "text/html; charset=utf-8")
            #expect(String(decoding: index.body, as: UTF8.self).contains("Wharf test"))
        }
    }

    /// A write held off past its busy timeout by another process's lock on the metadata database
    /// (a tool: here Python's sqlite3 holding a write transaction) answers 503 with `Retry-After`
    /// and keeps nothing; once the lock is let go, the same upload is stored.
    @Test func aDatabaseHeldByAnotherProcessAnswers503() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let held = app.directory.path + "/held"
            let letGo = app.directory.path + "/let-go"
            // The lock is held until the test lets it go, however slowly a loaded machine runs the
            // refused request; the minute is only a bound for a test that fails before letting go.
            let script = """
                import os, sqlite3, sys, time
                database = sqlite3.connect(sys.argv[1], isolation_level=None)
                database.execute("BEGIN IMMEDIATE")
                open(sys.argv[2], "w").close()
                deadline = time.monotonic() + 60
                while not os.path.exists(sys.argv[3]) and time.monotonic() < deadline:
                    time.sleep(0.05)
                database.execute("COMMIT")
                """
            let database = app.configuration.storageDirectory + "/wharf.sqlite"
            let holder = try Command.start("python3", ["-c", script, database, held, letGo])
            try await waitUntil("the other process holds the database") { FileManager.default.fileExists(atPath: held) }
            let upload = ["-X", "POST", "--data-binary", "held"]
            let refused = try await Curl.request(port: port, "/api/files?name=held.txt", upload)
            #expect(FileManager.default.createFile(atPath: letGo, contents: nil))
            #expect(refused.status == 503 && refused.headers["retry-after"] == "1")
            #expect(try refused.decoded(ErrorBody.self).detail.description.contains("held by another process; nothing was changed"))
            #expect(try await Command.wait(holder).status == 0)
            #expect(try await app.holdsNothing(port: port))
            #expect(try await Curl.request(port: port, "/api/files?name=held.txt", upload).status == 201)
        }
    }

    @Test func readinessFailsWhenTheStorageRootIsNotWritable() async throws {
        let app = try TestApp()
        try await app.live { client in
            try FileManager.default.removeItem(atPath: app.configuration.storageDirectory + "/tmp")
            let ready = try await Curl.request(port: client.port!, "/readyz", [])
            #expect(ready.status == 503)
            #expect(try ready.decoded(ErrorBody.self) == ErrorBody(detail: .message("The storage root is not writable.")))
        }
    }

    @Test func metricsCountRequestsByRouteAndStatusAndBodyBytes() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            _ = try await Curl.request(port: port, "/api/files?name=a", ["-X", "POST", "--data-binary", "12345"])
            _ = try await Curl.request(port: port, "/api/files/AAAAAAAAAAAAAAAAAAAAAA", [])
            let metrics = try await Curl.request(port: port, "/metrics", [])
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(text.contains("wharf_http_requests_total{route=\"/api/files\",method=\"POST\",status=\"201\"} 1"))
            #expect(text.contains("wharf_http_requests_total{route=\"/api/files/{id}\",method=\"GET\",status=\"404\"} 1"))
            #expect(text.contains("wharf_http_request_duration_seconds"))
            #expect(text.contains("wharf_http_request_body_bytes_total 5"))
            #expect(text.contains("wharf_http_response_body_bytes_total"))
        }
    }

    @Test func unknownPathsAndMethodsAnswerJSON() async throws {
        let app = try TestApp()
        try await app.live { client in
            let missing = try await Curl.request(port: client.port!, "/no/such/page", [])
            #expect(try missing.status == 404 && missing.decoded(ErrorBody.self) == ErrorBody(detail: .message("Not Found")))
            let wrongMethod = try await Curl.request(port: client.port!, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/download", ["-X", "POST"])
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "GET, HEAD")
        }
    }
}
