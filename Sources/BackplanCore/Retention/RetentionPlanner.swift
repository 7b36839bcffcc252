/// Decides which snapshots a retention policy keeps, with the semantics of restic 0.14's
/// `forget --keep-*` (`ApplyPolicy` in restic's `internal/restic/snapshot_policy.go`).
///
/// Snapshots are taken newest first. `keep_last` keeps the first N. Each bucket rule (hourly, daily,
/// weekly, monthly, yearly) keeps a snapshot whose bucket (UTC hour, day, ISO week, month, year)
/// differs from the bucket of the last snapshot that rule kept, until its count is used up — so it
/// keeps the newest snapshot of each of the newest N buckets that hold one. `keep_within` keeps every
/// snapshot strictly after (newest − duration). A snapshot is kept when any rule keeps it.
/// With no rule at all, every snapshot is kept.
///
/// **The newest snapshot is always kept**: it is first in every bucket, `keep_last` counts it first,
/// and it is within any positive duration of itself.
///
/// restic 0.16 and later also keep the *oldest* snapshot while a bucket rule has count left; restic
/// 0.14 (Debian 12) does not, and neither does this planner.
///
/// `keep_within` counts back from the newest snapshot. restic 0.14 counts back from the newest snapshot
/// that is not in the future by its clock; the two differ only when an ID is in the future.
///
/// The generated scripts' `BashRetention.function` implements the same decision; tests hold the two
/// (and the real restic) to the same answers.
public enum RetentionPlanner {
    /// The decision for `ids` (any order; duplicates count once; names that are not IDs are reported
    /// in `invalid` and never removed). O(n log n): 10 000 IDs take a few milliseconds.
    public static func plan(ids: [String], policy: RetentionPolicy) -> RetentionDecision {
        var seen = Set<String>()
        var snapshots: [(id: String, time: SnapshotTime, seconds: Int)] = []
        var invalid = Set<String>()
        snapshots.reserveCapacity(ids.count)
        for id in ids where seen.insert(id).inserted {
            if let time = SnapshotTime(id: id) {
                snapshots.append((id, time, time.secondsSinceEpoch))
            } else {
                invalid.insert(id)
            }
        }
        // Distinct valid IDs name distinct seconds, so this order is total.
        snapshots.sort { $0.seconds > $1.seconds }

        guard !policy.isEmpty else {
            return RetentionDecision(kept: snapshots.map { KeptSnapshot(id: $0.id, rules: []) }, removed: [],
                                     invalid: invalid.sorted(by: byteOrder))
        }

        let bucketRules: [RetentionRule] = [.last, .hourly, .daily, .weekly, .monthly, .yearly]
        var remaining = bucketRules.map { max(0, policy.count(of: $0)) }
        var lastBucket = [Int](repeating: -1, count: bucketRules.count)
        let newest = snapshots.first?.seconds ?? 0
        let within = policy.count(of: .within)
        var kept: [KeptSnapshot] = []
        var removed: [String] = []

        for (index, snapshot) in snapshots.enumerated() {
            var rules: [RetentionRule] = []
            for (slot, rule) in bucketRules.enumerated() where remaining[slot] > 0 {
                let value = bucket(rule, of: snapshot.time, index: index)
                if value != lastBucket[slot] {
                    lastBucket[slot] = value
                    remaining[slot] -= 1
                    rules.append(rule)
                }
            }
            if within > 0, snapshot.seconds > newest - within {
                rules.append(.within)
            }
            if rules.isEmpty {
                removed.append(snapshot.id)
            } else {
                kept.append(KeptSnapshot(id: snapshot.id, rules: rules))
            }
        }
        return RetentionDecision(kept: kept, removed: removed.reversed(), invalid: invalid.sorted(by: byteOrder))
    }

    /// restic's bucket numbers: the index for `last`, YYYYMMDDHH, YYYYMMDD, ISO YYYYWW, YYYYMM, YYYY.
    static func bucket(_ rule: RetentionRule, of snapshot: SnapshotTime, index: Int) -> Int {
        let time = snapshot.civil
        return switch rule {
        case .last: index
        case .hourly: time.year * 1_000_000 + time.month * 10_000 + time.day * 100 + time.hour
        case .daily: time.year * 10_000 + time.month * 100 + time.day
        case .weekly: time.isoWeek.year * 100 + time.isoWeek.week
        case .monthly: time.year * 100 + time.month
        case .yearly: time.year
        case .within: 0
        }
    }

    /// Plain byte order (never locale-aware), for reporting.
    private static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
