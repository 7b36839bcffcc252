import BackplanCore
import Foundation
import Testing

/// Every rule's example is a test: the broken plan raises the code, the fixed plan does not.
@Suite struct DiagnosticRuleTests {
    static let withExamples = DiagnosticCode.allCases.filter { $0.rule.example != nil }

    /// Codes whose examples are files (a directory, a 1 MiB document…) or host facts; tested elsewhere.
    static let coveredElsewhere: Set<DiagnosticCode> = [
        .documentTooLarge, .nestingTooDeep, .aliasExpansion, .invalidEncoding, .unreadableFile, .invalidDeployment,
        .composeInvalid, .composeInterpolation, .composeServiceMissing, .composeNoDataMount, .dockerUnavailable,
        .staleGenerated, .timerCannotEvaluate, .hostTimeZoneUnknown, .severalContainers, .containerUnreadable, .composeContainer,
    ]

    @Test func everyCodeHasARuleAndAnExampleOrANote() {
        for code in DiagnosticCode.allCases {
            let rule = code.rule
            #expect(!rule.summary.isEmpty && !rule.fix.isEmpty, "\(code.rawValue)")
            #expect(rule.example != nil || coveredElsewhereHas(code), "\(code.rawValue) needs an example")
            #expect(rule.example != nil || rule.exampleNote != nil, "\(code.rawValue) needs an example note")
        }
    }

    func coveredElsewhereHas(_ code: DiagnosticCode) -> Bool { Self.coveredElsewhere.contains(code) }

    /// Checks and lowers `text` against the example's deployment (`broken`) or its fixed one (the fix).
    static func run(_ text: String, _ example: RuleExample, broken: Bool) -> [Diagnostic] {
        let (plan, diagnostics) = PlanFrontEnd.process(Array(text.utf8), file: example.file)
        guard let plan, !diagnostics.hasErrors else { return diagnostics }
        let deployment = RuleExample.deployment(broken ? example.deployment : example.fixedDeployment)
        let validation = diagnostics + PlanValidator.validate(plan, deployment: deployment, file: example.file)
        guard !validation.hasErrors else { return validation }
        return validation + PlanLowering.lower(plan, deployment: deployment, file: example.file).diagnostics
    }

    @Test(arguments: withExamples)
    func brokenExampleRaisesTheCode(_ code: DiagnosticCode) throws {
        let example = try #require(code.rule.example)
        let found = Self.run(example.broken, example, broken: true)
        let hit = found.first { $0.code == code }
        #expect(hit != nil, "\(code.rawValue) not raised; got: \(found.map(\.code.rawValue))")
        #expect(hit?.severity == code.rule.severity)
        #expect(hit?.help != nil, "\(code.rawValue) has no help")
    }

    @Test(arguments: withExamples)
    func fixedExampleDoesNot(_ code: DiagnosticCode) throws {
        let example = try #require(code.rule.example)
        let found = Self.run(example.fixed, example, broken: false)
        #expect(!found.contains { $0.code == code }, "\(code.rawValue) raised by the fixed example")
    }

    @Test func theBasePlanIsClean() {
        let example = RuleExample(replace: "version: 1", with: "version: 1")
        #expect(Self.run(example.fixed, example, broken: false).isEmpty)
    }

    @Test func theContainerPlanIsClean() {
        let example = RuleExample(container: "version: 1", with: "version: 1")
        #expect(Self.run(example.fixed, example, broken: false).isEmpty)
    }
}

/// docs/diagnostics.md is generated from the rules; this keeps it current.
@Suite struct DiagnosticsDocumentTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/diagnostics.md").path

    @Test func docsAreCurrent() throws {
        let expected = DiagnosticsDocument.markdown()
        if ProcessInfo.processInfo.environment["BACKPLAN_RECORD"] == "1" {
            try expected.write(toFile: Self.path, atomically: true, encoding: .utf8)
            Issue.record("recorded docs/diagnostics.md; run again without BACKPLAN_RECORD to pass")
            return
        }
        let actual = try? String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(actual == expected,
                "docs/diagnostics.md is stale: run 'BACKPLAN_RECORD=1 swift test --filter DiagnosticsDocumentTests'")
    }
}
