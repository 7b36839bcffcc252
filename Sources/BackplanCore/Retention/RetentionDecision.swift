/// What a retention policy does to a list of snapshot IDs: the result of `RetentionPlanner.plan`.
public struct RetentionDecision: Hashable, Sendable {
    /// The snapshots kept, newest first, each with the rules that keep it.
    public var kept: [KeptSnapshot]
    /// The IDs to delete, oldest first (byte order of the IDs, which is time order).
    public var removed: [String]
    /// Names that are not snapshot IDs (`SnapshotTime(id:)` is nil), sorted and without duplicates.
    /// They take no part in the decision and are never removed.
    public var invalid: [String]

    public init(kept: [KeptSnapshot], removed: [String], invalid: [String]) {
        self.kept = kept
        self.removed = removed
        self.invalid = invalid
    }

    /// The kept IDs, newest first.
    public var keptIDs: [String] { kept.map(\.id) }
}

/// A snapshot a retention policy keeps, and why.
public struct KeptSnapshot: Hashable, Sendable {
    public var id: String
    /// The rules keeping it, in `RetentionRule.allCases` order (e.g. `[.last, .daily, .weekly]`);
    /// empty when the policy has no rule at all and so keeps everything.
    public var rules: [RetentionRule]

    public init(id: String, rules: [RetentionRule]) {
        self.id = id
        self.rules = rules
    }
}
