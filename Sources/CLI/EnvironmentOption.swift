import ArgumentParser
import Foundation

/// Resolves an option from its flag, then its `WHARF_*` environment variable, then its default.
///
/// A malformed environment value is an error that names the variable, like a malformed flag.
enum EnvironmentOption {
    static func resolve<Value>(
        _ flag: Value?,
        _ variable: String,
        default defaultValue: Value,
        parse: (String) -> Value?
    ) throws -> Value {
        if let flag { return flag }
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return defaultValue }
        guard let value = parse(text) else { throw ValidationError("\(variable)='\(text)' is not a valid value.") }
        return value
    }

    /// An on/off flag: on when given, else as its environment variable says (off when unset).
    static func flag(_ flag: Bool, _ variable: String) throws -> Bool {
        try flag || self.resolve(nil, variable, default: false, parse: self.parseBool)
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "on", "true", "yes": true
        case "0", "off", "false", "no": false
        default: nil
        }
    }
}
