/// A user name or password that Wharf does not accept.
public struct AccountError: Error, CustomStringConvertible {
    /// What is wrong, and what is accepted.
    public let message: String

    public var description: String { self.message }

    static func invalidName(_ name: String) -> AccountError {
        AccountError(message: "'\(name)' is not a user name: use 1 to 64 letters, digits, '.', '_' or '-'.")
    }

    static let shortPassword = AccountError(message: "The password is shorter than 8 characters.")
    static let longPassword = AccountError(message: "The password is longer than 72 bytes (bcrypt reads no more).")
}
