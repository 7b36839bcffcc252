import Foundation
import Testing
@testable import BackplanCore

@Suite("Retention: planner")
struct RetentionPlannerTests {
    /// A hand-checked case: IDs, policy, and the expected decision as `ID: rules` for the kept ones.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var ids: [String]
        var policy: RetentionPolicy
        var kept: [(String, [RetentionRule])]
        var removed: [String]
        var invalid: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no rule keeps everything", ids: ["20260101T000000Z", "20260102T000000Z", "junk"], policy: RetentionPolicy(),
             kept: [("20260102T000000Z", []), ("20260101T000000Z", [])], removed: [], invalid: ["junk"]),
        Case(name: "keep_last", ids: ["20260103T000000Z", "20260101T000000Z", "20260105T000000Z", "20260104T000000Z", "20260102T000000Z"],
             policy: RetentionPolicy(keepLast: 3),
             kept: [("20260105T000000Z", [.last]), ("20260104T000000Z", [.last]), ("20260103T000000Z", [.last])],
             removed: ["20260101T000000Z", "20260102T000000Z"]),
        Case(name: "daily keeps the newest of each day", ids: ["20260101T010000Z", "20260101T230000Z", "20260102T000000Z",
                                                               "20260102T120000Z", "20251231T235959Z"],
             policy: RetentionPolicy(keepDaily: 2),
             kept: [("20260102T120000Z", [.daily]), ("20260101T230000Z", [.daily])],
             removed: ["20251231T235959Z", "20260101T010000Z", "20260102T000000Z"]),
        Case(name: "daily counts days that have a snapshot, not calendar days",
             ids: ["20260101T030000Z", "20260105T030000Z", "20260109T030000Z", "20260120T030000Z"],
             policy: RetentionPolicy(keepDaily: 3),
             kept: [("20260120T030000Z", [.daily]), ("20260109T030000Z", [.daily]), ("20260105T030000Z", [.daily])],
             removed: ["20260101T030000Z"]),
        Case(name: "hourly", ids: ["20261127T030000Z", "20261127T035959Z", "20261127T040000Z", "20261127T021500Z"],
             policy: RetentionPolicy(keepHourly: 2),
             kept: [("20261127T040000Z", [.hourly]), ("20261127T035959Z", [.hourly])],
             removed: ["20261127T021500Z", "20261127T030000Z"]),
        // 2026-12-28 (Mon) … 2027-01-03 (Sun) is 2026-W53; 2027-01-04 starts 2027-W01.
        Case(name: "ISO week 2026-W53 spans the new year",
             ids: ["20261227T120000Z", "20261228T120000Z", "20261231T120000Z", "20270101T120000Z", "20270103T120000Z", "20270104T000000Z"],
             policy: RetentionPolicy(keepWeekly: 3),
             kept: [("20270104T000000Z", [.weekly]), ("20270103T120000Z", [.weekly]), ("20261227T120000Z", [.weekly])],
             removed: ["20261228T120000Z", "20261231T120000Z", "20270101T120000Z"]),
        // 2020-12-31 is in 2020-W53 with 2021-01-03; 2020-12-27 (Sun) ends 2020-W52.
        Case(name: "2020 has a week 53", ids: ["20201227T000000Z", "20201231T000000Z", "20210103T000000Z"],
             policy: RetentionPolicy(keepWeekly: 2),
             kept: [("20210103T000000Z", [.weekly]), ("20201227T000000Z", [.weekly])], removed: ["20201231T000000Z"]),
        Case(name: "leap day is its own day in February", ids: ["20240228T120000Z", "20240229T120000Z", "20240301T000000Z"],
             policy: RetentionPolicy(keepMonthly: 2),
             kept: [("20240301T000000Z", [.monthly]), ("20240229T120000Z", [.monthly])], removed: ["20240228T120000Z"]),
        Case(name: "yearly", ids: ["20241231T235959Z", "20250101T000000Z", "20250601T000000Z", "20231231T000000Z"],
             policy: RetentionPolicy(keepYearly: 2),
             kept: [("20250601T000000Z", [.yearly]), ("20241231T235959Z", [.yearly])],
             removed: ["20231231T000000Z", "20250101T000000Z"]),
        Case(name: "same-second duplicates count once", ids: ["20261127T031500Z", "20261127T031500Z", "20261127T031459Z"],
             policy: RetentionPolicy(keepLast: 1),
             kept: [("20261127T031500Z", [.last])], removed: ["20261127T031459Z"]),
        Case(name: "keep_within keeps strictly after newest minus the duration",
             ids: ["20261127T031500Z", "20261127T021501Z", "20261127T021500Z", "20261127T021459Z"],
             policy: RetentionPolicy(keepWithinSeconds: 3_600),
             kept: [("20261127T031500Z", [.within]), ("20261127T021501Z", [.within])],
             removed: ["20261127T021459Z", "20261127T021500Z"]),
        Case(name: "keep_within one second keeps only the newest", ids: ["20261127T031500Z", "20261127T031459Z"],
             policy: RetentionPolicy(keepWithinSeconds: 1),
             kept: [("20261127T031500Z", [.within])], removed: ["20261127T031459Z"]),
        Case(name: "keep_within across a leap day", ids: ["20240301T000000Z", "20240229T000000Z", "20240228T000001Z", "20240228T000000Z"],
             policy: RetentionPolicy(keepWithinSeconds: 2 * 86_400),
             kept: [("20240301T000000Z", [.within]), ("20240229T000000Z", [.within]), ("20240228T000001Z", [.within])],
             removed: ["20240228T000000Z"]),
        Case(name: "union of rules, with reasons",
             ids: ["20261127T031500Z", "20261126T031500Z", "20261125T031500Z", "20261116T031500Z", "20261027T031500Z"],
             policy: RetentionPolicy(keepLast: 1, keepDaily: 2, keepWeekly: 2, keepMonthly: 2),
             kept: [("20261127T031500Z", [.last, .daily, .weekly, .monthly]), ("20261126T031500Z", [.daily]),
                    ("20261116T031500Z", [.weekly]), ("20261027T031500Z", [.monthly])],
             removed: ["20261125T031500Z"]),
        Case(name: "invalid IDs are never removed",
             ids: ["20260230T000000Z", "garbage", "20261127T031500Z", " 20261127T031500Z", "20261127t031500z",
                   "20261127T240000Z", "20261126T031500Z", "garbage"],
             policy: RetentionPolicy(keepLast: 1),
             kept: [("20261127T031500Z", [.last])], removed: ["20261126T031500Z"],
             invalid: [" 20261127T031500Z", "20260230T000000Z", "20261127T240000Z", "20261127t031500z", "garbage"]),
        Case(name: "nothing to plan", ids: [], policy: RetentionPolicy(keepDaily: 7), kept: [], removed: []),
    ]

    @Test(arguments: cases)
    func handChecked(_ test: Case) {
        let decision = RetentionPlanner.plan(ids: test.ids, policy: test.policy)
        #expect(decision.kept == test.kept.map { KeptSnapshot(id: $0.0, rules: $0.1) })
        #expect(decision.removed == test.removed)
        #expect(decision.invalid == test.invalid)
    }

    /// The one retention type in plan.json: a rule that is not set has no key; 0 and negative counts
    /// are kept as written (`CompiledPlanValidator` refuses them) but turn the rule off when applied.
    @Test func policyInPlanJSONAndAsShellArguments() throws {
        let policy = RetentionPolicy(keepLast: 2, keepDaily: 7, keepWeekly: 4, keepWithinSeconds: 86_400)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(json == #"{"keep_daily":7,"keep_last":2,"keep_weekly":4,"keep_within_seconds":86400}"#)
        #expect(try JSONDecoder().decode(RetentionPolicy.self, from: Data(json.utf8)) == policy)
        let every = #"{"keep_daily":3,"keep_hourly":2,"keep_last":1,"keep_monthly":5,"keep_weekly":4,"keep_within_seconds":7,"keep_yearly":6}"#
        let decoded = try JSONDecoder().decode(RetentionPolicy.self, from: Data(every.utf8))
        #expect(RetentionRule.allCases.map { decoded.count(of: $0) } == [1, 2, 3, 4, 5, 6, 7])
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == every)
        #expect(policy.shellArguments == ["2", "0", "7", "4", "0", "0", "86400"])
        #expect(RetentionPolicy().isEmpty && RetentionPolicy(keepLast: 0).isEmpty)
        #expect(String(decoding: try encoder.encode(RetentionPolicy(keepLast: 0)), as: UTF8.self) == #"{"keep_last":0}"#)
        #expect(RetentionPolicy(keepYearly: -1).shellArguments == ["0", "0", "0", "0", "0", "0", "0"])
        #expect(policy.maximumKept == nil && RetentionPolicy(keepLast: 1, keepDaily: 2).maximumKept == 3)
    }
}
