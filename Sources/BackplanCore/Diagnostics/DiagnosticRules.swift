/// The table of every rule, gathered from the groups in the files beside this one.
enum DiagnosticRules {
    static let all: [DiagnosticCode: DiagnosticRule] = {
        var table: [DiagnosticCode: DiagnosticRule] = [:]
        for rule in yamlRules + planRules + secretRules + deploymentRules + composeRules + compileRules {
            precondition(table[rule.code] == nil, "two rules for \(rule.code.rawValue)")
            table[rule.code] = rule
        }
        return table
    }()
}
