import App
import ArgumentParser
import Foundation

/// `wharf serve`'s flags for signing in: tokens, sessions, the sign-in throttle and quotas.
struct AccountOptions: ParsableArguments {
    @Option(help: "Key bearer tokens are signed with, at least 32 bytes (env WHARF_JWT_SECRET; default: generated once, kept in the storage root).")
    var jwtSecret: String?

    @Option(help: "How long a bearer token is valid (env WHARF_TOKEN_LIFETIME; default 1h).", transform: DurationText.argument)
    var tokenLifetime: DurationText?

    @Option(
        help: "A sign-in session ends after this long without a request (env WHARF_SESSION_IDLE_TIMEOUT; default 2h).",
        transform: DurationText.argument
    )
    var sessionIdleTimeout: DurationText?

    @Option(
        help: "A sign-in session ends this long after signing in at the latest (env WHARF_SESSION_LIFETIME; default 7d).",
        transform: DurationText.argument
    )
    var sessionLifetime: DurationText?

    @Flag(help: "Mark the session cookie Secure, for a server reached over HTTPS (env WHARF_SECURE_COOKIES).")
    var secureCookies = false

    @Option(help: "Failed sign-ins allowed per user name and per client address within the window (env WHARF_LOGIN_MAX_FAILURES; default 5).")
    var loginMaxFailures: Int?

    @Option(help: "How long a failed sign-in counts (env WHARF_LOGIN_FAILURE_WINDOW; default 15m).", transform: DurationText.argument)
    var loginFailureWindow: DurationText?

    @Option(
        help: "Storage quota of users without one of their own, e.g. 10GiB (env WHARF_DEFAULT_QUOTA; default unlimited).",
        transform: ByteSize.argument
    )
    var defaultQuota: ByteSize?

    /// Writes these flags (or their environment variables) into `configuration`.
    func apply(to configuration: inout AppConfiguration) throws {
        configuration.jwtSecret = try EnvironmentOption.resolve(self.jwtSecret, "WHARF_JWT_SECRET", default: nil) { $0 }
        if let secret = configuration.jwtSecret, secret.utf8.count < 32 {
            throw ValidationError("The JWT secret must be at least 32 bytes long (--jwt-secret, WHARF_JWT_SECRET).")
        }
        configuration.tokenLifetime = try Self.duration(self.tokenLifetime, "WHARF_TOKEN_LIFETIME", default: configuration.tokenLifetime)
        configuration.sessionIdleTimeout = try Self.duration(
            self.sessionIdleTimeout,
            "WHARF_SESSION_IDLE_TIMEOUT",
            default: configuration.sessionIdleTimeout
        )
        configuration.sessionLifetime = try Self.duration(self.sessionLifetime, "WHARF_SESSION_LIFETIME", default: configuration.sessionLifetime)
        configuration.secureCookies =
            try EnvironmentOption.flag(self.secureCookies, "WHARF_SECURE_COOKIES")
        configuration.loginMaxFailures = try EnvironmentOption.resolve(
            self.loginMaxFailures,
            "WHARF_LOGIN_MAX_FAILURES",
            default: configuration.loginMaxFailures
        ) { Int($0) }
        guard configuration.loginMaxFailures > 0 else { throw ValidationError("--login-max-failures must be positive.") }
        configuration.loginFailureWindow = try Self.duration(
            self.loginFailureWindow,
            "WHARF_LOGIN_FAILURE_WINDOW",
            default: configuration.loginFailureWindow
        )
        configuration.defaultQuota = try EnvironmentOption.resolve(self.defaultQuota, "WHARF_DEFAULT_QUOTA", default: nil) { ByteSize(parsing: $0) }
        for duration in [
            configuration.tokenLifetime, configuration.sessionIdleTimeout, configuration.sessionLifetime, configuration.loginFailureWindow,
        ]
        where duration.duration < .seconds(1) {
            throw ValidationError("Token, session and sign-in durations must be at least 1s.")
        }
    }

    static func duration(_ flag: DurationText?, _ variable: String, default defaultValue: DurationText) throws -> DurationText {
        try EnvironmentOption.resolve(flag, variable, default: defaultValue, parse: DurationText.init(parsing:))
    }
}

extension DurationText {
    /// Parses a flag's value, refusing it with a message that shows the accepted forms.
    static func argument(_ text: String) throws -> DurationText {
        guard let duration = DurationText(parsing: text) else { throw ValidationError("'\(text)' is not a duration such as 10s, 15m or 2h.") }
        return duration
    }
}
