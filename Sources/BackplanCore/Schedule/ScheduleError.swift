/// Why a schedule expression was rejected, or why a schedule cannot be rendered in some syntax.
///
/// `offset` and `length` locate the bad token in `Schedule.expression` so a caret can be drawn
/// under it; both count Unicode scalars, and `offset` is 0-based.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words a person can act on.
    public var message: String
    /// The 0-based Unicode-scalar offset of the bad token in the expression.
    public var offset: Int
    /// How many scalars the bad token covers (at least 1).
    public var length: Int
    /// What to write instead, when there is a good suggestion.
    public var help: String?

    public init(_ message: String, offset: Int = 0, length: Int = 1, help: String? = nil) {
        self.message = message
        self.offset = max(0, offset)
        self.length = max(1, length)
        self.help = help
    }

    public var description: String {
        var text = "\(message) (at offset \(offset))"
        if let help { text += "; \(help)" }
        return text
    }
}
