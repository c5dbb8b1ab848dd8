/// Commits that other processes make to the metadata database (a `wharf user` command beside a
/// running server), which no signal of this process sees.
public struct OtherProcessCommits: Sendable {
    let catalog: SQLiteCatalog

    /// A number that changes whenever another process has committed since it was last read:
    /// SQLite's `data_version` of the connection that writes, which this process's own commits
    /// leave as it is.
    public func version() async throws -> Int {
        try await self.catalog.dataVersion()
    }
}
