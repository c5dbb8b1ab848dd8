import Foundation
public import NIOCore

/// Any JSON value, for request bodies that are validated field by field and for error details.
///
/// A whole number is kept as an integer, exactly, as Python's `json` keeps it: read as a `Double`,
/// a quota of 9007199254740993 bytes would become 9007199254740992.
public enum JSONValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// Parses JSON text; throws the decoder's error for anything that is not JSON.
    public init(parsing buffer: ByteBuffer) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
    }

    public var description: String { String(buffer: JSONCoding.encode(self)) }
}
