import Foundation

/// Step 6's `MANIFEST.sha256` with carry-over, as the bash script writes it: a file that is the same inode
/// as the same path in the previous snapshot (a hard link made by the capture) takes its hash from the
/// previous manifest; every other file is read (FileHash). Paths holding a backslash or a line break are
/// always hashed and written escaped, as `sha256sum` writes them. Lines are sorted by the path's bytes.
public enum RunManifest {
    /// What writing a manifest did.
    public struct Summary: Sendable, Hashable {
        public var files: Int
        public var hashed: Int
        public var carried: Int
    }

    /// Writes `dir/MANIFEST.sha256` for every regular file under `dir/data`.
    @discardableResult
    public static func write(dir: String, previous: String?, cancellation: RunCancellation) throws -> Summary {
        let carried = carriedHashes(snapshot: dir, previous: previous)
        var lines: [(key: String, line: String)] = []
        var hashedCount = 0
        try walkFiles(dir + "/data", relative: "data") { relative in
            try cancellation.check()
            if let hash = carried[relative] {
                lines.append((relative, "\(hash)  \(relative)"))
            } else {
                hashedCount += 1
                let hash = try FileHash.sha256(dir + "/" + relative)
                lines.append(line(hash: hash, path: relative))
            }
        }
        lines.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let text = lines.map { $0.line + "\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + SnapshotLayout.manifestName))
        return Summary(files: lines.count, hashed: hashedCount, carried: lines.count - hashedCount)
    }

    /// Hashes of the previous manifest for the files of `snapshot` that are still its inode (hard links).
    public static func carriedHashes(snapshot: String, previous: String?) -> [String: String] {
        guard let previous, let manifest = try? Manifest.read(from: previous) else { return [:] }
        var carried: [String: String] = [:]
        for (path, hash) in manifest.hashes where !path.contains("\\") && !path.contains("\n") {
            var old = stat(), new = stat()
            guard lstat(previous + "/" + path, &old) == 0, lstat(snapshot + "/" + path, &new) == 0 else { continue }
            if old.st_ino == new.st_ino && old.st_dev == new.st_dev && new.st_mode & S_IFMT == S_IFREG {
                carried[path] = hash
            }
        }
        return carried
    }

    /// A `sha256sum` line and its sort key (the path as written).
    static func line(hash: String, path: String) -> (key: String, line: String) {
        guard path.contains("\\") || path.contains("\n") else { return (path, "\(hash)  \(path)") }
        let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        return (escaped, "\\\(hash)  \(escaped)")
    }

    /// Calls `body` with the path (relative, prefixed by `relative`) of every regular file under `path`.
    static func walkFiles(_ path: String, relative: String, _ body: (String) throws -> Void) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: try body(relative)
        case S_IFDIR:
            for name in try TreeCopier.names(in: path) {
                try walkFiles(path + "/" + name, relative: relative + "/" + name, body)
            }
        default: return
        }
    }

    /// Files and bytes of the regular files at or under `path`.
    public static func count(_ path: String) throws -> (files: Int, bytes: Int64) {
        var files = 0, bytes: Int64 = 0
        try walkFiles(path, relative: "") { relative in
            var st = stat()
            if lstat(path + relative, &st) == 0 {
                files += 1
                bytes += Int64(st.st_size)
            }
        }
        return (files, bytes)
    }
}
