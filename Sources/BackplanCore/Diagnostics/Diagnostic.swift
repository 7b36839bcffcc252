/// A position in a source file: 1-based line and 1-based column counted in Unicode scalars.
public struct SourceLocation: Hashable, Sendable, Comparable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// How serious a diagnostic is. Errors fail `check` and `compile`; warnings fail only with `--strict`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in a plan, a compose file or a deployment, with where it is and what to do.
public struct Diagnostic: Hashable, Sendable {
    /// The stable code, `BP` and a number (see `DiagnosticCode`).
    public var code: DiagnosticCode
    public var severity: Severity
    public var message: String
    /// The file the problem is in, as the user named it.
    public var file: String
    /// Where in the file; nil when the problem concerns the whole file.
    public var location: SourceLocation?
    /// How many scalars the caret underline covers (at least 1).
    public var length: Int
    /// What to do about it.
    public var help: String?
    /// Further facts, such as where a duplicate was first defined.
    public var notes: [String]

    public init(
        _ code: DiagnosticCode,
        _ message: String,
        severity: Severity? = nil,
        file: String,
        at location: SourceLocation? = nil,
        length: Int = 1,
        help: String? = nil,
        notes: [String] = []
    ) {
        self.code = code
        self.severity = severity ?? code.rule.severity
        self.message = message
        self.file = file
        self.location = location
        self.length = max(1, length)
        self.help = help
        self.notes = notes
    }
}

extension Diagnostic: Comparable {
    /// Diagnostics sort by file, then position, then code: the order they are printed in.
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        let l = lhs.location ?? SourceLocation(line: 0, column: 0)
        let r = rhs.location ?? SourceLocation(line: 0, column: 0)
        if l != r { return l < r }
        if lhs.code != rhs.code { return lhs.code.rawValue < rhs.code.rawValue }
        return lhs.message < rhs.message
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var hasWarnings: Bool { contains { $0.severity == .warning } }
}
extension Diagnostic: Error {}
