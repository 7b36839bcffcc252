/// Which snapshots a job keeps: restic's `forget --keep-*` rules (docs/plan-language.md, "Retention").
///
/// One type from the plan to the planner: `JobDecoder` makes it from a job's `retention:` (the plan
/// keeps where it was written beside it, `Located<RetentionPolicy>`, for BP313), plan.json stores it
/// under `keep_last`, …, `keep_yearly` and `keep_within_seconds` (a rule that is not set has no key;
/// `CompiledPlanValidator` wants each set rule at least 1), and `RetentionPlanner` applies it. A rule
/// that is not set, 0 or negative is off; a policy with every rule off keeps everything.
public struct RetentionPolicy: Codable, Hashable, Sendable {
    /// The newest N snapshots.
    public var keepLast: Int?
    /// The newest snapshot of each of the newest N hours (UTC) that have one.
    public var keepHourly: Int?
    /// The newest snapshot of each of the newest N days (UTC) that have one.
    public var keepDaily: Int?
    /// The newest snapshot of each of the newest N ISO 8601 weeks (Monday to Sunday) that have one.
    public var keepWeekly: Int?
    /// The newest snapshot of each of the newest N months that have one.
    public var keepMonthly: Int?
    /// The newest snapshot of each of the newest N years that have one.
    public var keepYearly: Int?
    /// Every snapshot strictly after (newest − this many seconds).
    public var keepWithinSeconds: Int?

    public init(keepLast: Int? = nil, keepHourly: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil,
                keepMonthly: Int? = nil, keepYearly: Int? = nil, keepWithinSeconds: Int? = nil) {
        (self.keepLast, self.keepHourly, self.keepDaily, self.keepWeekly) = (keepLast, keepHourly, keepDaily, keepWeekly)
        (self.keepMonthly, self.keepYearly, self.keepWithinSeconds) = (keepMonthly, keepYearly, keepWithinSeconds)
    }

    /// A rule's count (or, for `.within`, seconds) as set; nil when not set.
    public subscript(rule: RetentionRule) -> Int? {
        get { self[keyPath: Self.field(rule)] }
        set { self[keyPath: Self.field(rule)] = newValue }
    }

    private static func field(_ rule: RetentionRule) -> WritableKeyPath<RetentionPolicy, Int?> {
        switch rule {
        case .last: \.keepLast
        case .hourly: \.keepHourly
        case .daily: \.keepDaily
        case .weekly: \.keepWeekly
        case .monthly: \.keepMonthly
        case .yearly: \.keepYearly
        case .within: \.keepWithinSeconds
        }
    }

    /// The count (or, for `.within`, the seconds) a rule is set to; 0 when it is not set.
    public func count(of rule: RetentionRule) -> Int { self[rule] ?? 0 }

    /// True when no rule is on: the policy keeps every snapshot.
    public var isEmpty: Bool {
        RetentionRule.allCases.allSatisfy { count(of: $0) <= 0 }
    }

    /// The most snapshots the counted rules can keep (nil when `keep_within` bounds it by time).
    public var maximumKept: Int? {
        if keepWithinSeconds != nil { return nil }
        return RetentionRule.allCases.compactMap { self[$0] }.reduce(0, +)
    }

    /// The arguments of the generated scripts' `bp_retention_remove_ids`:
    /// LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS, 0 for a rule that is off.
    public var shellArguments: [String] {
        RetentionRule.allCases.map { String(max(0, count(of: $0))) }
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ rule: RetentionRule) { stringValue = rule.key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.init()
        for rule in RetentionRule.allCases { self[rule] = try container.decodeIfPresent(Int.self, forKey: Key(rule)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for rule in RetentionRule.allCases { try container.encodeIfPresent(self[rule], forKey: Key(rule)) }
    }
}

/// A rule that can keep a snapshot; the raw value names it in `backplan prune`'s "kept by …".
public enum RetentionRule: String, CaseIterable, Hashable, Sendable {
    case last, hourly, daily, weekly, monthly, yearly, within

    /// The rule's key in a plan: `keep_last`, …, `keep_yearly` (counts), `keep_within` (a duration).
    public var planKey: String { "keep_" + rawValue }
    /// The rule's key in plan.json: the plan's, but `keep_within_seconds`.
    public var key: String { self == .within ? "keep_within_seconds" : planKey }
}
