/// JSON text back to a `JSONValue`: plan.json is compared, value by value, with what this version writes.
/// Numbers must be whole (backplan writes no fractions).
extension JSONValue: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if (try? c.decode(Double.self)) != nil {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be a whole number")
        } else {
            // An error inside the list or object propagates with its own path.
            do {
                self = .array(try c.decode([JSONValue].self))
            } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == c.codingPath.count {
                self = .object(try c.decode([String: JSONValue].self))
            }
        }
    }
}
