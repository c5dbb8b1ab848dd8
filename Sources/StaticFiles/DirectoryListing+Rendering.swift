import Foundation
import TextBytes

extension DirectoryListing {
    func json() throws -> Data {
        try JSONEncoder().encode(self.entries)
    }

    func html(title path: String) -> String {
        let title = HTMLText.escape("Index of " + path)
        var rows = ""
        for entry in self.entries {
            let name = entry.name + (entry.isDirectory ? "/" : "")
            let href = HTMLText.escape(Self.percentEncode(entry.name) + (entry.isDirectory ? "/" : ""))
            let size = entry.isDirectory ? "-" : String(entry.size)
            rows += "<tr><td><a href=\"\(href)\">\(HTMLText.escape(name))</a></td><td>\(size)</td><td>\(entry.modified)</td></tr>\n"
        }
        return """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>\(title)</title></head>
            <body><h1>\(title)</h1>
            <table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>
            \(rows)</tbody></table></body></html>

            """
    }

    static func percentEncode(_ name: String) -> String {
        var encoded = ""
        for byte in name.utf8 {
            let safe = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "-._~".utf8.contains(byte)
            encoded += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        return encoded
    }
}
