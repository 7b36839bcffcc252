/// The target types, and the one table of each type's keys: the plan language's decoder, the JSON
/// Schema and plan.json's reader all take their keys from here.
public enum TargetType: String, Sendable, Hashable, CaseIterable, Codable {
    case local, rclone, restic, rsync

    /// Every key a target of this type may have besides `type` (the same names in a plan and in plan.json).
    public var keys: [String] {
        switch self {
        case .local: ["path"]
        case .rclone: ["remote", "config_file", "env_file", "bwlimit", "transfers"]
        case .restic: ["repository", "password_file", "env_file", "init"]
        case .rsync: ["host", "user", "port", "path", "ssh_key", "known_hosts", "direction"]
        }
    }

    /// The keys a plan must give.
    public var requiredKeys: [String] {
        switch self {
        case .local: ["path"]
        case .rclone: ["remote"]
        case .restic: ["repository", "password_file"]
        case .rsync: ["host", "path"]
        }
    }

    /// The keys plan.json always holds: the required ones and those the compiler fills with a default.
    public var compiledRequiredKeys: [String] {
        switch self {
        case .local, .rclone: requiredKeys
        case .restic: requiredKeys + ["init"]
        case .rsync: requiredKeys + ["direction"]
        }
    }
}
