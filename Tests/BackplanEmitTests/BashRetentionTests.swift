import BackplanCore
import BackplanEmit
import Foundation
import Testing

@Suite("Retention: bash function")
struct BashRetentionTests {
    @Test func passesShellcheck() throws {
        let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].first(where: FileManager.default.isExecutableFile)
        try #require(shellcheck != nil, "shellcheck is not installed: `make deps` installs it")
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        let script = BashRetentionHarness.script("printf '%s\\n' 20261127T031500Z | bp_retention_remove_ids 1 0 7 4 0 0 0")
        let result = try harness.run("shellcheck -s bash -f gcc - <<'BP_EOF'\n" + script + "BP_EOF\nbash -n <<'BP_EOF'\n" + script + "BP_EOF\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func functionTextIsCleanBash() {
        let text = BashRetention.function
        #expect(text.hasPrefix("# bp_retention_remove_ids LAST"))
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains("\(BashRetention.functionName)() {"))
        #expect(!text.contains("\t"))
        #expect(!text.split(separator: "\n", omittingEmptySubsequences: false).contains { $0.hasSuffix(" ") })
        #expect(!text.contains("date "), "dates are computed in awk, not one date process per ID")
    }

    /// (arguments, input lines, expected output lines): the planner's hand-checked edges, through bash.
    static let cases: [([String], [String], [String])] = [
        (["0", "0", "0", "0", "0", "0", "0"], ["20260101T000000Z", "20260102T000000Z", "junk"], []),
        (["3", "0", "0", "0", "0", "0", "0"], ["20260103T000000Z", "20260101T000000Z", "20260105T000000Z", "20260104T000000Z",
                                               "20260102T000000Z"], ["20260101T000000Z", "20260102T000000Z"]),
        (["0", "0", "0", "3", "0", "0", "0"], ["20261227T120000Z", "20261228T120000Z", "20261231T120000Z", "20270101T120000Z",
                                               "20270103T120000Z", "20270104T000000Z"],
         ["20261228T120000Z", "20261231T120000Z", "20270101T120000Z"]),
        (["0", "0", "0", "2", "0", "0", "0"], ["20201227T000000Z", "20201231T000000Z", "20210103T000000Z"], ["20201231T000000Z"]),
        (["0", "0", "0", "0", "2", "0", "0"], ["20240228T120000Z", "20240229T120000Z", "20240301T000000Z"], ["20240228T120000Z"]),
        (["0", "2", "0", "0", "0", "0", "0"], ["20261127T030000Z", "20261127T035959Z", "20261127T040000Z", "20261127T021500Z"],
         ["20261127T021500Z", "20261127T030000Z"]),
        (["0", "0", "0", "0", "0", "2", "0"], ["20241231T235959Z", "20250101T000000Z", "20250601T000000Z", "20231231T000000Z"],
         ["20231231T000000Z", "20250101T000000Z"]),
        (["1", "0", "0", "0", "0", "0", "0"], ["20261127T031500Z", "20261127T031500Z", "20261127T031459Z"], ["20261127T031459Z"]),
        (["0", "0", "0", "0", "0", "0", "3600"], ["20261127T031500Z", "20261127T021501Z", "20261127T021500Z", "20261127T021459Z"],
         ["20261127T021459Z", "20261127T021500Z"]),
        (["0", "0", "0", "0", "0", "0", "172800"], ["20240301T000000Z", "20240229T000000Z", "20240228T000001Z", "20240228T000000Z"],
         ["20240228T000000Z"]),
        (["1", "0", "0", "0", "0", "0", "0"], ["20260230T000000Z", "garbage", "20261127T031500Z", " 20261127T031500Z", "20261127t031500z",
                                               "20261127T240000Z", "20261126T031500Z", "20261127T031500Z\r", "00000229T000000Z"],
         ["00000229T000000Z", "20261126T031500Z"]),
        (["0", "0", "7", "0", "0", "0", "0"], [], []),
        (["1", "0", "0", "0", "0", "0", "0"], ["99991231T235959Z", "00000101T000000Z", "00000103T000000Z"],
         ["00000101T000000Z", "00000103T000000Z"]),
        (["0", "0", "0", "2", "0", "0", "0"], ["00000103T000000Z", "00000102T000000Z", "00000101T000000Z", "99991231T000000Z"],
         ["00000101T000000Z", "00000102T000000Z"]),
    ]

    @Test(arguments: cases)
    func handChecked(_ arguments: [String], _ input: [String], _ expected: [String]) throws {
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        let result = try harness.removeIDs(arguments, input: input.map { $0 + "\n" }.joined())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected.map { $0 + "\n" }.joined())
        let policy = RetentionPolicy(keepLast: Int(arguments[0])!, keepHourly: Int(arguments[1])!, keepDaily: Int(arguments[2])!,
                                     keepWeekly: Int(arguments[3])!, keepMonthly: Int(arguments[4])!,
                                     keepYearly: Int(arguments[5])!, keepWithinSeconds: Int(arguments[6])!)
        #expect(RetentionPlanner.plan(ids: input, policy: policy).removed == expected, "the planner agrees")
    }

    @Test func lastLineWithoutNewline() throws {
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        let result = try harness.removeIDs(["1", "0", "0", "0", "0", "0", "0"], input: "20261127T031500Z\n20261126T031500Z")
        #expect(result.stdout == "20261126T031500Z\n")
    }

    @Test(arguments: [[], ["1", "0", "0", "0", "0", "0"], ["1", "0", "0", "0", "0", "0", "0", "0"], ["1", "0", "0", "0", "0", "0", "x"],
                      ["-1", "0", "0", "0", "0", "0", "0"], ["", "0", "0", "0", "0", "0", "0"], ["1 ", "0", "0", "0", "0", "0", "0"]])
    func refusesBadArguments(_ arguments: [String]) throws {
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        let result = try harness.removeIDs(arguments, input: "20261127T031500Z\n20261126T031500Z\n")
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("usage: bp_retention_remove_ids") || result.stderr.contains("not a count"))
    }

    /// A few thousand IDs: one sort, one awk, one sort, whatever the number.
    @Test func fiveThousandIDsAreFast() throws {
        let harness = try BashRetentionHarness()
        defer { harness.remove() }
        let start = SnapshotTime(id: "20200101T000000Z")!.secondsSinceEpoch
        let ids = (0..<5_000).map { SnapshotTime(secondsSinceEpoch: start + $0 * 4_001)!.id }
        let policy = RetentionPolicy(keepLast: 5, keepHourly: 48, keepDaily: 14, keepWeekly: 8, keepMonthly: 12, keepYearly: 5,
                                     keepWithinSeconds: 3 * 86_400)
        let clock = ContinuousClock()
        var result: (status: Int32, stdout: String, stderr: String)?
        let elapsed = try clock.measure {
            result = try harness.removeIDs(policy.shellArguments, input: ids.reversed().map { $0 + "\n" }.joined())
        }
        #expect(result?.stdout == RetentionPlanner.plan(ids: ids, policy: policy).removed.map { $0 + "\n" }.joined())
        #expect(elapsed < .seconds(2), "5 000 IDs took \(elapsed)")
    }
}
