import Auth
import Foundation
import TextBytes

/// The key bearer tokens are signed with: `--jwt-secret` when given, else a random one kept in the
/// storage root (`jwt-secret`, readable by its owner only), so tokens stay valid across restarts.
enum TokenSecret {
    static func load(given: String?, storageRoot: String) throws -> [UInt8] {
        if let given {
            guard given.utf8.count >= 32 else { throw StartupError.shortJWTSecret }
            return Array(given.utf8)
        }
        let path = storageRoot + "/jwt-secret"
        do {
            if FileManager.default.fileExists(atPath: path) {
                let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.utf8.count >= 32 else { throw StartupError.shortJWTSecret }
                return Array(text.utf8)
            }
            let secret = Hex.lowercase(BearerTokens.randomSecret())
            guard
                FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
            return Array(secret.utf8)
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError.unreadableJWTSecret(path, cause: error)
        }
    }
}
