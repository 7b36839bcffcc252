import Foundation

/// Step 6's `MANIFEST.sha256` with carry-over, as the bash script writes it, from what the capture wrote
/// (`CaptureInventory`) rather than by walking the snapshots again: a file the capture hard-linked to the
/// same path in the previous snapshot (so the same inode) takes its hash from the previous manifest; a
/// database copy has the hash the capture started while it was checked; every other file is read
/// (FileHash). Paths holding a backslash or a line break are never carried over; `ManifestFile` writes the
/// lines as `sha256sum` does (escaped where it escapes, names that are not UTF-8 as their bytes).
public enum RunManifest {
    /// What writing a manifest did.
    public struct Summary: Sendable, Hashable {
        public var files: Int
        public var hashed: Int
        public var carried: [String: CarriedFile]
    }

    /// A file linked to the previous snapshot whose hash was carried over: verify (`manifest`) checks it
    /// is still that inode instead of reading it again.
    public struct CarriedFile: Sendable, Hashable {
        public var sha256: String
        public var identity: FileIdentity
    }

    /// Writes `dir/MANIFEST.sha256` for the files of `inventory` (paths relative to `dir`).
    public static func write(dir: String, inventory: CaptureInventory, previous: String?,
                             cancellation: RunCancellation) throws -> Summary {
        let carried = carriedFiles(inventory, previous: previous)
        var lines: [(path: String, sha256: String)] = []
        lines.reserveCapacity(inventory.files.count)
        for (path, kept) in carried { lines.append((path, kept.sha256)) }
        // Every carried file is a linked one: when all linked files are carried (the usual case), the rest
        // are the copied ones, without a lookup per file.
        let linked = inventory.files.values.reduce(0) { $0 + ($1.linkedTo == nil ? 0 : 1) }
        for (path, file) in inventory.files where file.linkedTo == nil || (linked != carried.count && carried[path] == nil) {
            try cancellation.check()
            lines.append((path, try file.hash?.value() ?? FileHash.sha256(dir + "/" + path)))
        }
        try ManifestFile.data(lines).write(to: URL(fileURLWithPath: dir + "/" + SnapshotLayout.manifestName))
        return Summary(files: lines.count, hashed: lines.count - carried.count, carried: carried)
    }

    /// The files of `inventory` linked to the previous snapshot `previous` that its manifest lists (plain
    /// lines of paths without a backslash only, like the script's join), with that hash.
    public static func carriedFiles(_ inventory: CaptureInventory, previous: String?) -> [String: CarriedFile] {
        guard let previous, inventory.files.values.contains(where: { $0.linkedTo != nil }),
              let entries = try? ManifestFile.entries(in: previous).entries else { return [:] }
        var carried: [String: CarriedFile] = [:]
        carried.reserveCapacity(entries.count)
        for entry in entries where !entry.escaped && !entry.path.utf8.contains(UInt8(ascii: "\\")) {
            if let identity = inventory.files[entry.path]?.linkedTo {
                carried[entry.path] = CarriedFile(sha256: entry.sha256, identity: identity)
            }
        }
        return carried
    }
}
