import Storage

/// A scrub's findings as `wharf scrub` prints them.
public struct ScrubSummary: Sendable {
    let report: ScrubReport

    init(_ report: ScrubReport) {
        self.report = report
    }

    /// Whether every content was as stored.
    public var isClean: Bool { self.report.isClean }

    /// A line per finding, then the totals.
    public var lines: [String] {
        self.report.corrupt.map { "corrupt\t\($0.hex)" } + self.report.missing.map { "missing\t\($0.hex)" } + [
            "Checked \(self.report.checked) stored contents: \(self.report.corrupt.count) corrupt, \(self.report.missing.count) missing; removed \(self.report.orphansRemoved) unreferenced blobs."
        ]
    }
}
