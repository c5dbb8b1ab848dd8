/// Why Wharf cannot start, said so that a newcomer knows what to change.
public struct StartupError: Error, CustomStringConvertible {
    /// The problem and the fix, in one or two sentences.
    public let message: String

    /// A start-up error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }

    static func invalidTypeList(_ text: String) -> StartupError {
        StartupError("'\(text)' is not a list of media types such as image/*,application/pdf (--allow-types, WHARF_ALLOW_TYPES).")
    }

    static func addressInUse(host: String, port: Int) -> StartupError {
        StartupError("Port \(port) on \(host) is already in use by another program: stop it, or pass --port N (WHARF_PORT).")
    }

    static func cannotListen(host: String, port: Int, cause: any Error) -> StartupError {
        StartupError("Wharf cannot listen on \(host):\(port) (\(cause)): check --host and --port (WHARF_HOST, WHARF_PORT).")
    }
}

extension StartupError {
    static let shortJWTSecret = StartupError(
        "The JWT secret is shorter than 32 bytes: pass a longer --jwt-secret (WHARF_JWT_SECRET), or none to have one generated."
    )

    static func unreadableJWTSecret(_ path: String, cause: any Error) -> StartupError {
        StartupError(
            "The JWT secret at '\(path)' cannot be read or written (\(cause)): check the storage root's permissions, or pass --jwt-secret (WHARF_JWT_SECRET)."
        )
    }
}
