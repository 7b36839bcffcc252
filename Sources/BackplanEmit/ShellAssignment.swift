import BackplanCore

/// One `readonly NAME=value` line of a script's block of plan values; `value` is already a bash word or
/// array literal (through `Shell.quote`/`Shell.array`), `comment` says what the value is for.
struct ShellAssignment: Sendable {
    var name: String
    var value: String
    var isArray: Bool
    var comment: String?

    var line: String { isArray ? "readonly -a \(name)=\(value)" : "readonly \(name)=\(value)" }

    /// shellcheck reads `$`, backticks and backslashes inside single quotes as likely mistakes (SC2016,
    /// SC1003); in a value block they are the plan's literal data.
    var needsLintNote: Bool { Self.needsLintNote(value) }

    static func needsLintNote(_ word: String) -> Bool { word.contains { "$`\\".contains($0) } }

    static func scalar(_ name: String, _ value: String) -> ShellAssignment {
        ShellAssignment(name: name, value: Shell.quote(value), isArray: false)
    }

    static func number(_ name: String, _ value: Int?) -> ShellAssignment {
        ShellAssignment(name: name, value: Shell.quote(String(max(0, value ?? 0))), isArray: false)
    }

    static func array(_ name: String, _ values: [String]) -> ShellAssignment {
        ShellAssignment(name: name, value: Shell.array(values), isArray: true)
    }

    /// The same assignment with a comment line above it.
    func commented(_ text: String) -> ShellAssignment {
        var copy = self
        copy.comment = text
        return copy
    }
}
