/// What a diagnostic code means: its default severity, a one-line summary, how to fix it, and an example
/// that is both its documentation (`docs/diagnostics.md`) and its test.
public struct DiagnosticRule: Sendable {
    public var code: DiagnosticCode
    public var severity: Severity
    public var summary: String
    /// How to fix it, in a sentence.
    public var fix: String
    /// A plan that triggers the code and the plan fixed; nil where a file cannot show it (then
    /// `exampleNote` says how it arises, and a test elsewhere covers it).
    public var example: RuleExample?
    public var exampleNote: String?

    public init(_ code: DiagnosticCode, _ severity: Severity, _ summary: String, fix: String,
                example: RuleExample? = nil, note: String? = nil) {
        self.code = code
        self.severity = severity
        self.summary = summary
        self.fix = fix
        self.example = example
        self.exampleNote = note
    }
}

extension DiagnosticCode {
    /// The rule behind the code.
    public var rule: DiagnosticRule {
        guard let rule = DiagnosticRules.all[self] else { preconditionFailure("no rule for \(rawValue)") }
        return rule
    }
}
