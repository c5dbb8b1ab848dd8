import App
import ArgumentParser
import Foundation

/// `wharf serve`'s flags for background jobs and thumbnails.
struct JobOptions: ParsableArguments {
    @Option(help: "Background jobs run at once (env WHARF_WORKERS; default: the number of cores).")
    var workers: Int?

    @Option(help: "Long-edge sizes of thumbnails, a comma list of pixels (env WHARF_THUMBNAIL_SIZES; default 256,1024).")
    var thumbnailSizes: String?

    @Option(help: "Most pixels an image may have, summed over its pages, to get thumbnails (env WHARF_MAX_IMAGE_PIXELS; default 50000000).")
    var maxImagePixels: Int64?

    @Option(
        help: "Longest one thumbnail may take to make before the image is given none (env WHARF_THUMBNAIL_TIMEOUT; default 60s).",
        transform: DurationText.argument
    )
    var thumbnailTimeout: DurationText?

    @Option(help: "Attempts a failing job gets before it is failed for good (env WHARF_JOB_MAX_ATTEMPTS; default 5).")
    var jobMaxAttempts: Int?

    @Option(
        help: "Wait after a job's first failure, doubled after each further one (env WHARF_JOB_RETRY_DELAY; default 2s).",
        transform: DurationText.argument
    )
    var jobRetryDelay: DurationText?

    @Option(help: "How often the server reads every stored file again against its SHA-256, or 'off' (env WHARF_SCRUB_INTERVAL; default 24h).")
    var scrubInterval: String?

    @Option(help: "How long a done job is kept before it is removed, or 'off' (env WHARF_JOB_RETENTION; default 14d).")
    var jobRetention: String?

    @Option(
        help: "How long a resumable (tus) upload may take before it is removed (env WHARF_TUS_EXPIRY; default 24h).",
        transform: DurationText.argument
    )
    var tusExpiry: DurationText?

    @Flag(
        help:
            "Still send a file a scrub found corrupt, marked by a Wharf-Integrity header, instead of refusing it with a 500 (env WHARF_SERVE_CORRUPT)."
    )
    var serveCorrupt = false

    /// Writes these flags (or their environment variables) into `configuration`.
    func apply(to configuration: inout AppConfiguration) throws {
        configuration.workers = try EnvironmentOption.resolve(self.workers, "WHARF_WORKERS", default: configuration.workers) { Int($0) }
        guard configuration.workers > 0 else { throw ValidationError("--workers must be positive.") }
        if let text = try EnvironmentOption.resolve(self.thumbnailSizes, "WHARF_THUMBNAIL_SIZES", default: nil, parse: { $0 }) {
            guard let sizes = Self.sizes(text) else {
                throw ValidationError("'\(text)' is not a comma list of thumbnail sizes from 16 to 4096, such as 256,1024.")
            }
            configuration.thumbnailSizes = sizes
        }
        configuration.maxImagePixels = try EnvironmentOption.resolve(
            self.maxImagePixels,
            "WHARF_MAX_IMAGE_PIXELS",
            default: configuration.maxImagePixels
        ) {
            Int64($0)
        }
        configuration.jobMaxAttempts = try EnvironmentOption.resolve(
            self.jobMaxAttempts,
            "WHARF_JOB_MAX_ATTEMPTS",
            default: configuration.jobMaxAttempts
        ) {
            Int($0)
        }
        guard configuration.maxImagePixels > 0, configuration.jobMaxAttempts > 0 else {
            throw ValidationError("--max-image-pixels and --job-max-attempts must be positive.")
        }
        configuration.thumbnailTimeout = try AccountOptions.duration(
            self.thumbnailTimeout,
            "WHARF_THUMBNAIL_TIMEOUT",
            default: configuration.thumbnailTimeout
        )
        guard configuration.thumbnailTimeout.duration > .zero else { throw ValidationError("--thumbnail-timeout must be longer than 0s.") }
        configuration.jobRetryDelay = try AccountOptions.duration(self.jobRetryDelay, "WHARF_JOB_RETRY_DELAY", default: configuration.jobRetryDelay)
        configuration.scrubInterval = try Self.durationOrOff(
            self.scrubInterval,
            "WHARF_SCRUB_INTERVAL",
            default: configuration.scrubInterval,
            naming: "scrub interval"
        )
        configuration.jobRetention = try Self.durationOrOff(
            self.jobRetention,
            "WHARF_JOB_RETENTION",
            default: configuration.jobRetention,
            naming: "job retention"
        )
        configuration.serveCorrupt = try EnvironmentOption.flag(self.serveCorrupt, "WHARF_SERVE_CORRUPT")
        configuration.tusExpiry = try AccountOptions.duration(self.tusExpiry, "WHARF_TUS_EXPIRY", default: configuration.tusExpiry)
        guard configuration.tusExpiry.duration > .zero else { throw ValidationError("--tus-expiry must be longer than 0s.") }
    }

    /// A duration that may be `off` (`nil`), from the flag or else its variable.
    private static func durationOrOff(_ flag: String?, _ variable: String, default: DurationText?, naming what: String) throws -> DurationText? {
        try EnvironmentOption.resolve(
            try flag.map { try Self.interval($0, naming: what) },
            variable,
            default: `default`,
            // `.some(nil)` is `off`; `nil` a malformed value.
            parse: { text -> DurationText?? in
                do { return .some(try Self.interval(text, naming: what)) } catch { return nil }
            }
        )
    }

    /// A duration, or `off` (or `0`) for none; `what` names it in the error.
    private static func interval(_ text: String, naming what: String) throws -> DurationText? {
        if text.lowercased() == "off" { return nil }
        guard let interval = DurationText(parsing: text) else {
            throw ValidationError("'\(text)' is not a \(what): give a duration such as 24h, or off.")
        }
        return interval.duration > .zero ? interval : nil
    }

    /// A comma list of sizes, each 16 to 4096; `nil` when any is not.
    static func sizes(_ text: String) -> [Int]? {
        let sizes = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { (16...4096).contains($0) }
        return !sizes.isEmpty && sizes.count == text.split(separator: ",").count ? sizes : nil
    }
}
