import TestSupport
import Testing
@testable import BackplanCore

/// Random snapshot sets and policies (seeded): invariants of the planner, and each bucket rule against a
/// second, independent definition ("the newest snapshot of each of the N newest buckets").
@Suite("Retention: planner properties")
struct RetentionPropertyTests {
    /// IDs spread over a random span (minutes to years) around a random year end or mid-year day.
    static func randomIDs(_ rng: inout SplitMix) -> [String] {
        let start = SnapshotTime(year: Int.random(in: 1999...2030, using: &rng), month: Bool.random(using: &rng) ? 12 : 6,
                                 day: 20, hour: 0, minute: 0, second: 0)!.secondsSinceEpoch
        let span = [600, 86_400, 20 * 86_400, 200 * 86_400, 3_000 * 86_400].randomElement(using: &rng)!
        return (0..<Int.random(in: 0...80, using: &rng)).map { _ in
            let seconds = start + Int.random(in: 0...span, using: &rng)
            return id(seconds: seconds)
        }
    }

    static func id(seconds: Int) -> String { SnapshotTime(secondsSinceEpoch: seconds)!.id }

    @Test func invariantsAndSecondDefinition() {
        var rng = SplitMix(state: 20_261_127)
        for _ in 0..<1_000 {
            let ids = Self.randomIDs(&rng)
            func count() -> Int { Int.random(in: 0...3, using: &rng) == 0 ? Int.random(in: 1...6, using: &rng) : 0 }
            let policy = RetentionPolicy(keepLast: count(), keepHourly: count(), keepDaily: count(), keepWeekly: count(),
                                         keepMonthly: count(), keepYearly: count(),
                                         keepWithinSeconds: Bool.random(using: &rng) ? Int.random(in: 1...90 * 86_400, using: &rng) : 0)
            let decision = RetentionPlanner.plan(ids: ids, policy: policy)
            let unique = Set(ids)
            #expect(Set(decision.keptIDs).union(decision.removed) == unique)
            #expect(decision.keptIDs.count + decision.removed.count == unique.count)
            #expect(decision.keptIDs == unique.sorted(by: >).filter(Set(decision.keptIDs).contains))
            #expect(decision.removed == decision.removed.sorted())
            #expect(decision.kept.first?.id == unique.max(), "the newest is always kept")
            #expect(decision.kept.allSatisfy { $0.rules.isEmpty == policy.isEmpty })
            for rule in RetentionRule.allCases where rule != .within {
                let single = RetentionPlanner.plan(ids: ids, policy: Self.only(rule, of: policy))
                #expect(Set(single.keptIDs) == Self.newestPerBucket(ids: unique, rule: rule, count: policy.count(of: rule)))
                #expect(Set(decision.kept.filter { $0.rules.contains(rule) }.map(\.id)) == Set(single.keptIDs) || policy.count(of: rule) == 0)
            }
        }
    }

    static func only(_ rule: RetentionRule, of policy: RetentionPolicy) -> RetentionPolicy {
        var single = RetentionPolicy()
        switch rule {
        case .last: single.keepLast = policy.keepLast
        case .hourly: single.keepHourly = policy.keepHourly
        case .daily: single.keepDaily = policy.keepDaily
        case .weekly: single.keepWeekly = policy.keepWeekly
        case .monthly: single.keepMonthly = policy.keepMonthly
        case .yearly: single.keepYearly = policy.keepYearly
        case .within: single.keepWithinSeconds = policy.keepWithinSeconds
        }
        return single
    }

    /// The newest ID of each of the `count` newest buckets; every ID when `count` is 0 (empty policy).
    static func newestPerBucket(ids: Set<String>, rule: RetentionRule, count: Int) -> Set<String> {
        guard count > 0 else { return ids }
        let sorted = ids.sorted(by: >)
        if rule == .last { return Set(sorted.prefix(count)) }
        let groups = Dictionary(grouping: sorted) { id -> String in
            let t = SnapshotTime(id: id)!
            switch rule {
            case .hourly: return "\(t.year)-\(t.month)-\(t.day)-\(t.hour)"
            case .daily: return "\(t.year)-\(t.month)-\(t.day)"
            case .weekly: return "\(t.isoWeek.year)-W\(t.isoWeek.week)"
            case .monthly: return "\(t.year)-\(t.month)"
            default: return "\(t.year)"
            }
        }
        return Set(groups.values.map { $0.max()! }.sorted(by: >).prefix(count))
    }

    @Test func tenThousandIDsTakeMilliseconds() {
        let start = SnapshotTime(id: "20200101T000000Z")!.secondsSinceEpoch
        let ids = (0..<10_000).map { Self.id(seconds: start + $0 * 2_237) }.shuffled()
        let policy = RetentionPolicy(keepLast: 5, keepHourly: 48, keepDaily: 14, keepWeekly: 8, keepMonthly: 12,
                                     keepYearly: 5, keepWithinSeconds: 3 * 86_400)
        let clock = ContinuousClock()
        var decision: RetentionDecision?
        let elapsed = clock.measure { decision = RetentionPlanner.plan(ids: ids, policy: policy) }
        #expect(decision?.keptIDs.count ?? 0 > 100)
        #expect(elapsed < .milliseconds(500), "10 000 IDs took \(elapsed)")
    }
}
