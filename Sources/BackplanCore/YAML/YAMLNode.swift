/// A YAML node with the position of its first and last character.
///
/// Scalars stay strings: the plan schema decides what a scalar means (YAML 1.1 `yes`/`no`/`on`/`off`
/// are not booleans here, and `012` is not octal).
public struct YAMLNode: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case scalar(YAMLScalar)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public var value: Value
    public var start: SourceLocation
    public var end: SourceLocation
    /// An explicit tag such as `!!str`, if the document gave one.
    public var tag: String?

    public init(_ value: Value, start: SourceLocation, end: SourceLocation, tag: String? = nil) {
        self.value = value
        self.start = start
        self.end = end
        self.tag = tag
    }

    /// Columns the caret underline covers: the node's width when it fits on one line, else 1.
    public var width: Int {
        end.line == start.line ? max(1, end.column - start.column) : 1
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = value { return s }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = value { return pairs }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The node's kind in words, for messages: "a mapping", "a list", "a string".
    public var kindDescription: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s): s.isNull ? "an empty value" : "a string"
        }
    }

    /// The value of the first pair whose key is the scalar `key`.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }
}

public struct YAMLScalar: Sendable, Hashable {
    public enum Style: String, Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style

    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// A plain `~`, `null` or empty scalar: YAML's null, which the schema reads as "absent".
    public var isNull: Bool {
        style == .plain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}

public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
