/// Why a plan.json is refused: the field (`targets[1].path`; empty for the whole file) and what is wrong.
public struct CompiledPlanProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "field '\(field)': \(message)" }

    /// `targets[1].path` from a decoder's coding path.
    static func field(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out
    }

    /// One line from a decoding error, naming the field.
    static func from(_ error: DecodingError) -> CompiledPlanProblem {
        switch error {
        case let .typeMismatch(type, context):
            return CompiledPlanProblem(field(context.codingPath), "must be \(describe(type))")
        case let .valueNotFound(type, context):
            return CompiledPlanProblem(field(context.codingPath), "must be \(describe(type)), not null")
        case let .keyNotFound(key, context):
            return CompiledPlanProblem(field(context.codingPath + [key]), "is missing")
        case let .dataCorrupted(context):
            return CompiledPlanProblem(field(context.codingPath), context.debugDescription)
        @unknown default:
            return CompiledPlanProblem("", "cannot be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "a list" : "an object"
        }
    }
}
