/// Which snapshots a job keeps: restic's `forget --keep-*` rules (docs/plan-language.md, "Retention"). A count of 0 turns a
/// rule off (negative counts too); a policy with every rule off keeps everything.
public struct RetentionPolicy: Hashable, Sendable {
    /// The newest N snapshots.
    public var keepLast: Int
    /// The newest snapshot of each of the newest N hours (UTC) that have one.
    public var keepHourly: Int
    /// The newest snapshot of each of the newest N days (UTC) that have one.
    public var keepDaily: Int
    /// The newest snapshot of each of the newest N ISO 8601 weeks (Monday to Sunday) that have one.
    public var keepWeekly: Int
    /// The newest snapshot of each of the newest N months that have one.
    public var keepMonthly: Int
    /// The newest snapshot of each of the newest N years that have one.
    public var keepYearly: Int
    /// Every snapshot strictly after (newest − this many seconds); 0 is off.
    public var keepWithinSeconds: Int

    public init(keepLast: Int = 0, keepHourly: Int = 0, keepDaily: Int = 0, keepWeekly: Int = 0,
                keepMonthly: Int = 0, keepYearly: Int = 0, keepWithinSeconds: Int = 0) {
        self.keepLast = keepLast
        self.keepHourly = keepHourly
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.keepYearly = keepYearly
        self.keepWithinSeconds = keepWithinSeconds
    }

    /// The policy of a compiled job's retention; nil (no retention) keeps everything.
    public init(_ compiled: CompiledRetention?) {
        self.init(keepLast: compiled?.keepLast ?? 0, keepHourly: compiled?.keepHourly ?? 0,
                  keepDaily: compiled?.keepDaily ?? 0, keepWeekly: compiled?.keepWeekly ?? 0,
                  keepMonthly: compiled?.keepMonthly ?? 0, keepYearly: compiled?.keepYearly ?? 0,
                  keepWithinSeconds: compiled?.keepWithinSeconds ?? 0)
    }

    /// True when no rule is on: the policy keeps every snapshot.
    public var isEmpty: Bool {
        RetentionRule.allCases.allSatisfy { count(of: $0) <= 0 }
    }

    /// The count (or, for `.within`, the seconds) a rule is set to.
    public func count(of rule: RetentionRule) -> Int {
        switch rule {
        case .last: keepLast
        case .hourly: keepHourly
        case .daily: keepDaily
        case .weekly: keepWeekly
        case .monthly: keepMonthly
        case .yearly: keepYearly
        case .within: keepWithinSeconds
        }
    }

    /// The arguments of the generated scripts' `bp_retention_remove_ids`:
    /// LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS, 0 for a rule that is off.
    public var shellArguments: [String] {
        RetentionRule.allCases.map { String(max(0, count(of: $0))) }
    }
}

/// A rule that can keep a snapshot; the raw value names it in `backplan prune`'s "kept by …".
public enum RetentionRule: String, CaseIterable, Hashable, Sendable {
    case last, hourly, daily, weekly, monthly, yearly, within
}
