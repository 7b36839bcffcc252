import BackplanCore
import TestSupport
import Testing

/// Mutations of a valid plan never trap: every one ends in a plan or in diagnostics with a location.
@Suite struct FrontEndFuzzTests {
    static let alphabet = Array(":{}[],-&*!|>'\"#%@`\n\t ~?yes0123456789ab\u{7F}\u{0}é".utf8)

    @Test func mutatedPlansNeverTrap() {
        var rng = SplitMix(state: 20_261_127)
        let base = Array(RuleExample.basePlan.utf8)
        let deployment = RuleExample.deployment(.standard)
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(Self.alphabet.randomElement(using: &rng)!, at: at)
                case 2: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                default:
                    let end = min(bytes.count, at + Int.random(in: 1...40, using: &rng))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            let (plan, diagnostics) = PlanFrontEnd.process(bytes, file: "plans/openwebui.yaml")
            if let plan, !diagnostics.hasErrors {
                _ = PlanValidator.validate(plan, deployment: deployment, file: "plans/openwebui.yaml")
            } else {
                #expect(!diagnostics.isEmpty)
                #expect(diagnostics.allSatisfy { $0.location != nil || [.documentTooLarge, .emptyDocument].contains($0.code) },
                        "\(diagnostics.filter { $0.location == nil }.map(\.message))")
            }
        }
    }
}
