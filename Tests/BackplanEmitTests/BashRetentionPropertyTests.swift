import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// The bash function and `RetentionPlanner` agree on thousands of random (seeded) snapshot lists and
/// policies. All cases run in one bash process: a driver loop over files, one per case.
@Suite("Retention: bash agrees with the planner")
struct BashRetentionPropertyTests {
    static let caseCount = 2_500

    @Test func agreesOnRandomCases() throws {
        var rng = SplitMix(state: 0x5EED_2026_1127)
        var cases: [(ids: [String], policy: RetentionPolicy)] = []
        for _ in 0..<Self.caseCount {
            let ids = RetentionSamples.ids(&rng)
            cases.append((ids, RetentionSamples.policy(for: ids, &rng)))
        }
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        var index = ""
        for (number, sample) in cases.enumerated() {
            try Data(sample.ids.map { $0 + "\n" }.joined().utf8).write(to: harness.folder.appendingPathComponent("case\(number)"))
            index += "case\(number) " + sample.policy.shellArguments.joined(separator: " ") + "\n"
        }
        try Data(index.utf8).write(to: harness.folder.appendingPathComponent("index"))
        let driver = BashRetentionHarness.script("""
            dir=$1
            while read -r name last hourly daily weekly monthly yearly within; do
              bp_retention_remove_ids "$last" "$hourly" "$daily" "$weekly" "$monthly" "$yearly" "$within" <"$dir/$name"
              echo "== $name"
            done <"$dir/index"
            """)
        let result = try harness.run(driver, arguments: [harness.folder.path])
        try #require(result.status == 0, "\(result.stderr)")

        var outputs: [[String]] = []
        var current: [String] = []
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("== case") {
                outputs.append(current)
                current = []
            } else {
                current.append(String(line))
            }
        }
        try #require(outputs.count == cases.count)
        var disagreements = 0
        var removedTotal = 0
        for (number, sample) in cases.enumerated() {
            let expected = RetentionPlanner.plan(ids: sample.ids, policy: sample.policy).removed
            removedTotal += expected.count
            if outputs[number] != expected {
                disagreements += 1
                if disagreements <= 5 {
                    Issue.record("case\(number) \(sample.policy.shellArguments): bash \(outputs[number]), planner \(expected), ids \(sample.ids)")
                }
            }
        }
        #expect(disagreements == 0)
        #expect(removedTotal > cases.count, "the samples remove something")
    }
}
