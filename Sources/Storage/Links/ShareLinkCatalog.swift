/// Where share links are kept: beside the file records, removed with their file.
public protocol ShareLinkCatalog: Sendable {
    /// Adds a link.
    func addLink(_ link: ShareLink) async throws
    /// The links of a file, oldest first.
    func links(of file: FileID) async throws -> [ShareLink]
    /// The link with this token, if any.
    func link(_ token: String) async throws -> ShareLink?
    /// Removes a link; `notFound` when there is none.
    func deleteLink(_ token: String) async throws
    /// Counts one download of the link at `time`, in one transaction with its checks: `notFound`
    /// for no such link, `gone` when it has expired or served its most downloads.
    func claimDownload(_ token: String, at time: Int64) async throws -> ShareLink
    /// Gives back a download claimed by an answer that was cut off before its end; nothing when
    /// the link is gone.
    func returnDownload(_ token: String) async throws
}
