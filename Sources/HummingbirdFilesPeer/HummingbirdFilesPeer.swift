import Hummingbird

/// Hummingbird's own FileMiddleware serving a directory, as an application built the way its
/// documentation shows: a peer in scripts/bench for the same HTTP core without Wharf's work
/// (content-hash ETags, sidecars, path rules, request ids, metrics) or Wharf's tuning.
///
/// `HummingbirdFilesPeer PORT DIRECTORY`
@main
enum HummingbirdFilesPeer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]) else {
            print("usage: HummingbirdFilesPeer PORT DIRECTORY")
            return
        }
        let router = Router()
        router.add(middleware: FileMiddleware(arguments[2], searchForIndexHtml: true))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
