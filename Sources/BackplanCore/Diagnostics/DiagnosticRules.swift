/// The table of every rule. Examples are filled in per group in the files beside this one.
enum DiagnosticRules {
    static let all: [DiagnosticCode: DiagnosticRule] = {
        var table: [DiagnosticCode: DiagnosticRule] = [:]
        for rule in yamlRules + planRules + secretRules + deploymentRules + composeRules {
            table[rule.code] = rule
        }
        return table
    }()

    static let yamlRules: [DiagnosticRule] = []
    static let planRules: [DiagnosticRule] = []
    static let secretRules: [DiagnosticRule] = []
    static let deploymentRules: [DiagnosticRule] = []
    static let composeRules: [DiagnosticRule] = []
}
