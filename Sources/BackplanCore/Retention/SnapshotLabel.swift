import Foundation

/// A snapshot's label (`backplan run PLAN JOB --label NAME`, `JOB.sh --label NAME`; docs/run-contract.md,
/// "Labelled snapshots"): recorded as `"label"` in SNAPSHOT.json (and as the restic tag `label=NAME`).
/// Retention never removes a labelled snapshot, and a labelled snapshot takes no slot of the keep rules:
/// the rules decide on the unlabelled snapshots alone. `prune --remove ID` removes it.
///
/// SNAPSHOT.json comes from the target and is hostile input: a label that cannot be read (the file is
/// not a JSON object, or its `label` is not a label name) is treated as a label (the snapshot is kept, with
/// a warning), never as none.
public enum SnapshotLabel: Hashable, Sendable {
    /// A JSON object without a `label` key.
    case none
    case named(String)
    /// Why the label cannot be read.
    case unreadable(String)

    /// The key in SNAPSHOT.json and runs.jsonl.
    public static let key = "label"
    /// restic's tag prefix (`label=NAME`).
    public static let tagPrefix = "label="
    /// What a label is: lower-case letters, digits and `-`, starting with a letter or digit, 1 to 63
    /// characters (POSIX ERE, anchored; bash's `=~`).
    public static let pattern = "^[a-z0-9][a-z0-9-]{0,62}$"

    /// Whether `text` is a label name (`pattern`).
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// True unless the snapshot has no label: retention keeps it.
    public var keeps: Bool { self != .none }

    /// The label of a snapshot from its SNAPSHOT.json bytes (nil: the file cannot be read).
    public static func of(record data: Data?) -> SnapshotLabel {
        guard let data else { return .unreadable("SNAPSHOT.json cannot be read") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let record = object as? [String: Any] else {
            return .unreadable("SNAPSHOT.json is not a JSON object")
        }
        guard let value = record[key] else { return .none }
        guard let name = value as? String, isValid(name) else { return .unreadable("its label is not a label name") }
        return .named(name)
    }

    /// The label of a restic snapshot from its tags: `label=NAME`; a `label=` tag that is not a label name
    /// (or two different ones) cannot be read.
    public static func of(tags: [String]) -> SnapshotLabel {
        let names = Set(tags.filter { $0.hasPrefix(tagPrefix) }.map { String($0.dropFirst(tagPrefix.count)) })
        guard let name = names.first else { return .none }
        guard names.count == 1, isValid(name) else { return .unreadable("its label tag is not a label name") }
        return .named(name)
    }

    /// How retention and `prune` say why it is kept: `label pre-upgrade`, `label unreadable: REASON`.
    public var phrase: String {
        switch self {
        case .none: "no label"
        case .named(let name): "label \(name)"
        case .unreadable(let reason): "label unreadable: \(reason)"
        }
    }

    /// `ids` (oldest first) split into those the keep rules decide on (no label) and the labelled ones,
    /// which are kept; an ID missing from `labels` cannot be read.
    public static func split(_ ids: [String], labels: [String: SnapshotLabel]) -> (unlabelled: [String], labelled: [(id: String, label: SnapshotLabel)]) {
        var unlabelled: [String] = []
        var labelled: [(id: String, label: SnapshotLabel)] = []
        for id in ids {
            let label = labels[id] ?? .unreadable("SNAPSHOT.json was not found")
            if label.keeps { labelled.append((id, label)) } else { unlabelled.append(id) }
        }
        return (unlabelled, labelled)
    }
}
