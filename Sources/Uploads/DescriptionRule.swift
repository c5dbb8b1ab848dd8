/// The rule every stored description obeys, whichever way it came: at most 4,096 characters (a
/// form's field is otherwise limited only by `--max-field-size`).
public enum DescriptionRule {
    /// The longest description, in characters.
    public static let maxLength = 4096

    /// Returns `description` when it is within the limit; throws `tooLarge` otherwise.
    public static func validate(_ description: String) throws(UploadError) -> String {
        guard description.count <= self.maxLength else {
            throw UploadError(.tooLarge, "The description is longer than \(self.maxLength) characters.")
        }
        return description
    }
}
