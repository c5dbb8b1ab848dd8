/// Who acts on the files: every operation of `FilesService` names one, so that what a principal
/// may see and change is decided in that one place.
///
/// Before accounts exist there is one principal, whoever reaches the server (`local`); the accounts
/// issue makes it the signed-in user and scopes records by owner inside the service.
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// A stable name for logs and, later, ownership.
    public let name: String

    /// A principal with this name.
    public init(name: String) {
        self.name = name
    }

    /// Whoever reaches the server, while Wharf has no accounts.
    public static let local = Principal(name: "local")

    public var description: String { self.name }
}
