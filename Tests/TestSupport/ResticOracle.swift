import BackplanCore
import Foundation

/// The real restic 0.14 as the oracle of `RetentionPlanner`: its command line for a policy, and its
/// `forget --dry-run --json` output read back as snapshot IDs and rules.
public enum ResticOracle {
    /// restic on PATH, or nil (`make deps` installs it; Debian 12 ships 0.14.0).
    public static var executable: String? {
        ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"].split(separator: ":")
            .map { "\($0)/restic" }.first(where: FileManager.default.isExecutableFile)
    }

    /// One group of `forget --json`'s output.
    public struct Group: Decodable {
        /// The group's tags (with `--group-by tags`).
        public var tags: [String]?
        public var keep: [Snapshot]?
        /// `null`, not `[]`, when nothing goes.
        public var remove: [Snapshot]?
        public var reasons: [Reason]?
    }

    public struct Snapshot: Decodable {
        public var time: String
    }

    public struct Reason: Decodable {
        public var snapshot: Snapshot
        public var matches: [String]
    }

    /// restic 0.14's reasons: "last snapshot", "daily snapshot", …, "within 2d".
    public static func rule(_ match: String) -> RetentionRule? {
        match.hasPrefix("within ") ? .within : RetentionRule(rawValue: String(match.prefix { $0 != " " }))
    }

    /// `forget`'s `--keep-*` flags; restic 0.14's `--keep-within` takes whole hours at most.
    public static func flags(_ policy: RetentionPolicy) -> [String] {
        var flags: [String] = []
        for rule in RetentionRule.allCases where policy.count(of: rule) > 0 {
            if rule == .within {
                precondition(policy.count(of: .within) % 3_600 == 0, "restic 0.14 durations are whole hours at most")
                flags += ["--keep-within", "\(policy.count(of: .within) / 3_600)h"]
            } else {
                flags += ["--keep-\(rule.rawValue)", "\(policy.count(of: rule))"]
            }
        }
        return flags
    }

    /// `20251231T220000Z` → `2025-12-31 22:00:00`, as `backup --time` takes it (read in TZ=UTC).
    public static func backupTime(_ id: String) -> String {
        let t = SnapshotTime(id: id)!
        func pad(_ value: Int, _ width: Int = 2) -> String {
            String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
        }
        return "\(pad(t.year, 4))-\(pad(t.month))-\(pad(t.day)) \(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))"
    }

    /// `20251231T220000Z` → `2025-12-31T22:00:00Z`, as a snapshot file holds it.
    public static func snapshotTime(_ id: String) -> String {
        backupTime(id).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    /// `2025-12-31T22:00:00Z` (or `+00:00`) → `20251231T220000Z`; nil unless a whole UTC second.
    public static func id(fromResticTime time: String) -> String? {
        let zone = time.dropFirst(19)
        guard zone == "Z" || zone == "+00:00" else { return nil }
        let digits = time.prefix(19).filter(\.isNumber)
        let id = String(digits.prefix(8)) + "T" + String(digits.dropFirst(8)) + "Z"
        return SnapshotTime(id: id) == nil ? nil : id
    }
}
