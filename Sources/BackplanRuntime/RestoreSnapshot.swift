import BackplanCore
import Foundation

/// Restores a snapshot into a folder the way restore.sh does: a `cp -a` copy of `data/` (and `keys/`) and
/// `MANIFEST.sha256` in a staging folder beside the destination, verified there, stale `-wal`/`-shm`
/// removed, optionally upload paths rewritten, then renamed into place. The destination never holds a
/// half-restored tree and no restored file shares an inode with the snapshot.
public struct SnapshotRestorer {
    public var plan: CompiledPlan
    /// Progress lines (stderr in the CLI).
    public var log: (String) -> Void

    public init(plan: CompiledPlan, log: @escaping (String) -> Void) {
        self.plan = plan
        self.log = log
    }

    /// Restores `snapshot` into `destination` (absent or empty, or anything with `force`); returns the
    /// lines to print on success (the result, and a warning about upload paths when there is one).
    public func restore(_ snapshot: StoredSnapshot, to destination: String, force: Bool,
                        rewritePaths: Bool) throws(RunError) -> [String] {
        let dest = try Self.absolute(destination)
        var isDirectory: ObjCBool = false
        var replaced: String?
        if FileManager.default.fileExists(atPath: dest, isDirectory: &isDirectory) || Self.isLink(dest) {
            guard isDirectory.boolValue, !Self.isLink(dest) else {
                throw RunError("\(dest) exists and is not a folder; refusing to restore into it")
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dest)) ?? []
            if !entries.isEmpty {
                guard force else {
                    throw RunError("\(dest) is not empty; refusing to restore into it (nothing was changed); use --force to replace its contents")
                }
                replaced = dest
            }
        }
        let keysFolder = dest + ".keys"
        let hasKeys = SnapshotVerifier.kind(of: snapshot.directory + "/" + RunContract.keysDir) != 0
        if hasKeys, SnapshotVerifier.kind(of: keysFolder) != 0, !force {
            throw RunError("\(keysFolder) exists, where the snapshot's key files would go; refusing (nothing was changed); use --force to replace it")
        }
        let staging = try stage(snapshot, beside: dest)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let warning = try adjustUploadPaths(in: staging + "/data", for: dest, rewrite: rewritePaths)
        if replaced != nil {
            let old = staging + "/replaced"
            guard rename(dest, old) == 0 else { throw RunError("cannot move \(dest) aside: \(Self.errnoText())") }
        } else if FileManager.default.fileExists(atPath: dest) {
            guard rmdir(dest) == 0 else { throw RunError("cannot replace the empty folder \(dest): \(Self.errnoText())") }
        }
        guard rename(staging + "/data", dest) == 0 else {
            let reason = Self.errnoText()
            if replaced != nil { _ = rename(staging + "/replaced", dest) }
            throw RunError("cannot rename the verified copy into \(dest): \(reason); nothing was changed")
        }
        var lines = ["restored snapshot \(snapshot.job)/\(snapshot.id) of target \(snapshot.target) into \(dest) (verified)"] + (warning.map { [$0] } ?? [])
        if hasKeys {
            if SnapshotVerifier.kind(of: keysFolder) != 0 { _ = rename(keysFolder, staging + "/replaced.keys") }
            lines += try RestoreKeys(plan: plan, log: log).keep(staging, in: keysFolder)
        }
        return lines
    }

    /// Copies the snapshot into a new staging folder beside `destination`, verifies the copy and removes
    /// stale sidecars; returns the staging folder (the verified data dir is its `data/`).
    func stage(_ snapshot: StoredSnapshot, beside destination: String) throws(RunError) -> String {
        let parent = (destination as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        var template = Array("\(parent)/.\((destination as NSString).lastPathComponent).restore-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RunError("cannot create a staging folder in \(parent): \(Self.errnoText())")
        }
        let staging = String(cString: made)
        log("copying snapshot \(snapshot.job)/\(snapshot.id) into \(staging)")
        // keys/ is copied whenever it exists (as a link too: the verification of the copy refuses that).
        let keys = SnapshotVerifier.kind(of: snapshot.directory + "/" + RunContract.keysDir) != 0
            ? [snapshot.directory + "/" + RunContract.keysDir] : []
        let status = ChildProcess.run(["cp", "-a", "--", snapshot.directory + "/data"] + keys
                                      + [snapshot.directory + "/" + SnapshotLayout.manifestName, staging + "/"])
        let report = status == 0 ? SnapshotVerifier.verify(staging) : nil
        guard let report, report.passed else {
            try? FileManager.default.removeItem(atPath: staging)
            let why = report.map { $0.problems.joined(separator: "; ") } ?? "cp -a exited with status \(status)"
            throw RunError("the copy of snapshot \(snapshot.job)/\(snapshot.id) failed verification (\(why)); nothing was restored")
        }
        log("verified the copy: \(report.files) files, \(report.databases) SQLite databases")
        Self.removeStaleSidecars(under: staging + "/data", log: log)
        return staging
    }

    /// Rewrites upload paths in the staged `webui.db` when asked (then checks the database again);
    /// otherwise returns a warning when they point outside `destination/uploads`.
    func adjustUploadPaths(in data: String, for destination: String, rewrite: Bool) throws(RunError) -> String? {
        let database = data + "/webui.db"
        guard SQLiteFile.header(atPath: database) != nil else { return nil }
        let uploads = destination + "/uploads/"
        if rewrite {
            let count = try UploadPathRewriter.rewrite(database: database, uploadsFolder: uploads)
            Self.removeStaleSidecars(under: data, log: { _ in })
            let check = SQLiteIntegrity.check(database)
            guard check == "ok" else { throw RunError("webui.db failed integrity_check after rewriting paths: \(check)") }
            log("rewrote \(count) upload paths in webui.db to \(uploads)…")
            return nil
        }
        let outside = UploadPathRewriter.pathsOutside(database: database, uploadsFolder: uploads)
        guard let example = outside.first else { return nil }
        return "warning: \(outside.count) upload paths in webui.db (table file, column path) point outside \(uploads) (e.g. \(example)): "
            + "fine if the app sees this folder at the path they name (Docker mounts it as /app/backend/data); "
            + "otherwise restore again with --rewrite-paths"
    }

    /// Removes `-wal` and `-shm` beside each SQLite file under `folder` (a snapshot's database is a
    /// complete copy; a stale WAL would be replayed into it).
    static func removeStaleSidecars(under folder: String, log: (String) -> Void) {
        for path in SnapshotVerifier.regularFiles(under: folder, in: ".") {
            let full = folder + "/" + path.dropFirst(2)
            guard !full.hasSuffix("-wal"), !full.hasSuffix("-shm"), SQLiteFile.header(atPath: full) != nil else { continue }
            for side in [full + "-wal", full + "-shm"] where SnapshotVerifier.kind(of: side) == S_IFREG {
                log("removing stale \(PathBytes.display(side))")
                _ = PathBytes.withCString(side) { unlink($0) }
            }
        }
    }

    /// An absolute path without trailing slashes; `/` is refused.
    static func absolute(_ path: String) throws(RunError) -> String {
        guard !path.isEmpty else {
            throw RunError("the destination is an empty path; give the folder to restore into (--to DIR); nothing was changed")
        }
        var result = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while result.hasSuffix("/") && result != "/" { result.removeLast() }
        guard result != "/" else { throw RunError("refusing to restore into /") }
        return result
    }

    static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
