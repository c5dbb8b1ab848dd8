/// The stored name of a file whose name came from a client form: a base name that cannot escape,
/// or a generated one when nothing usable is left.
public enum UploadedFileName {
    /// `C:\Users\me\a.txt` and `../../a.txt` become `a.txt`; control characters and direction
    /// overrides are dropped; an empty, blank, `.`/`..`, or over-long result becomes
    /// `upload-<random>` (keeping a short extension).
    public static func sanitize(_ clientName: String?) -> String {
        let base = (clientName ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(
            base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f && !FileNameRule.isDirectionalFormatting($0) }
        )
        if let valid = try? FileNameRule.validate(cleaned) { return valid }
        return self.generated(keepingExtensionOf: cleaned)
    }

    static func generated(keepingExtensionOf name: String) -> String {
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        var generated = "upload-" + String(repeating: "0", count: 8 - random.count) + random
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[name.index(after: dot)...]
            if (1...16).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { generated += "." + ext }
        }
        return generated
    }
}
