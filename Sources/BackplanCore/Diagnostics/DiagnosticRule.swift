/// What a diagnostic code means: its default severity, a one-line summary, and examples that are both
/// its documentation (`docs/diagnostics.md`) and its tests.
public struct DiagnosticRule: Sendable {
    public var code: DiagnosticCode
    public var severity: Severity
    public var summary: String
    /// A plan (or file) that triggers the code.
    public var failing: String?
    /// The same plan with the problem fixed.
    public var passing: String?
    /// How to fix it, in a sentence.
    public var fix: String

    public init(_ code: DiagnosticCode, _ severity: Severity, _ summary: String,
                failing: String? = nil, passing: String? = nil, fix: String) {
        self.code = code
        self.severity = severity
        self.summary = summary
        self.failing = failing
        self.passing = passing
        self.fix = fix
    }
}

extension DiagnosticCode {
    /// The rule behind the code.
    public var rule: DiagnosticRule { DiagnosticRules.all[self] ?? DiagnosticRule(self, .error, rawValue, fix: "") }
}
