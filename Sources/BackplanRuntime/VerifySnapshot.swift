import BackplanCore
import CSQLite
import Foundation

/// What checking a snapshot-shaped folder found.
public struct VerifyReport: Hashable, Sendable {
    /// The folder checked (a snapshot, or a restore's staging copy).
    public var directory: String
    /// Files under `data/`.
    public var files: Int
    /// Files with the SQLite header.
    public var databases: Int
    /// One line per problem, each naming its file (`data/uploads/x: hash differs from MANIFEST.sha256`).
    public var problems: [String]

    public var passed: Bool { problems.isEmpty }

    /// restore.sh's summary line: `ok: DIR (…)` or `FAILED: DIR (…)`.
    public var summary: String {
        passed
            ? "ok: \(directory) (\(files) files match MANIFEST.sha256, \(databases) SQLite databases pass integrity_check)"
            : "FAILED: \(directory) (\(files) files, \(databases) SQLite databases; \(problems.count) problems: \(problems.joined(separator: "; ")))"
    }
}

/// Checks a folder laid out as a snapshot (`data/`, `keys/` when it has key files, and `MANIFEST.sha256`),
/// like restore.sh's `bp_verify_folder`. A snapshot holds exactly what its manifest lists: every line names
/// a regular file under `data/` or `keys/` (no absolute path, no `..`, nothing reached through a link),
/// every regular file under them is listed, they hold only folders and regular files (a link, fifo or device fails), each
/// listed file has its hash, and `PRAGMA integrity_check` prints `ok` for every file starting with the
/// SQLite header (opened read-only and immutable, so no `-wal`/`-shm` is created). Nothing is opened
/// before it is known to be a regular file. Only reads.
public enum SnapshotVerifier {
    public static func verify(_ directory: String) -> VerifyReport {
        var report = VerifyReport(directory: directory, files: 0, databases: 0, problems: [])
        let manifestPath = "\(directory)/\(SnapshotLayout.manifestName)"
        guard kind(of: manifestPath) == S_IFREG, kind(of: directory + "/" + RunContract.dataDir) == S_IFDIR,
              let (listed, badLines) = try? ManifestFile.entries(in: directory) else {
            report.problems.append("\(SnapshotLayout.manifestName) or data/ is missing (or is a link, or not a regular file and a folder)")
            return report
        }
        var roots = [RunContract.dataDir]
        switch kind(of: directory + "/" + RunContract.keysDir) {
        case 0: break
        case S_IFDIR: roots.append(RunContract.keysDir)
        default:
            report.problems.append("keys/ is a link or not a folder")
            return report
        }
        var hashes: [String: String] = [:]
        for entry in listed { hashes[entry.path] = entry.sha256 }
        report.problems += badLines.map { "\(SnapshotLayout.manifestName) line \($0) cannot be read" }
        var files: [String] = [], others: [String] = []
        for root in roots {
            let found = entries(under: directory, in: root)
            files += found.files
            others += found.others
        }
        report.files = files.count
        report.problems += others.map { "\(PathBytes.display($0)): a link or a special file, which a snapshot never holds (\(SnapshotLayout.manifestName) lists only regular files)" }
        let present = Set(files)
        for path in hashes.keys.sorted(by: PathBytes.byteOrder) {
            guard isInsideData(path) else {
                report.problems.append("\(PathBytes.display(path)): named in \(SnapshotLayout.manifestName) but not a path inside data/ or keys/")
                continue
            }
            guard present.contains(path) else {
                report.problems.append("\(PathBytes.display(path)): listed in \(SnapshotLayout.manifestName) but not a regular file in data/ or keys/ (missing, a link or a special file)")
                continue
            }
            let actual = try? FileHash.sha256("\(directory)/\(path)")
            if actual != hashes[path] {
                report.problems.append("\(PathBytes.display(path)): content differs from \(SnapshotLayout.manifestName)")
            }
        }
        for path in files where hashes[path] == nil {
            report.problems.append("\(PathBytes.display(path)): not in \(SnapshotLayout.manifestName)")
        }
        for path in files where SQLiteFile.header(atPath: "\(directory)/\(path)") != nil {
            report.databases += 1
            let result = SQLiteIntegrity.check("\(directory)/\(path)")
            if result != "ok" {
                report.problems.append("\(PathBytes.display(path)): PRAGMA integrity_check failed: \(result.prefix(400))")
            }
        }
        return report
    }

    /// True for `data/…` or `keys/…` without an empty, `.` or `..` component.
    static func isInsideData(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 2 && (parts[0] == RunContract.dataDir || parts[0] == RunContract.keysDir)
            && !parts.dropFirst().contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// The entry's own file type (`lstat`: a link is a link); 0 when it does not exist.
    static func kind(of path: String) -> mode_t {
        var info = stat()
        return PathBytes.withCString(path, { lstat($0, &info) }) == 0 ? info.st_mode & S_IFMT : 0
    }

    /// Relative paths (`data/…`) of the regular files under `directory/sub`, sorted by bytes.
    /// Symbolic links are not followed (rsync keeps them as links; sha256sum would read their target).
    static func regularFiles(under directory: String, in sub: String) -> [String] {
        entries(under: directory, in: sub).files
    }

    /// The regular files under `directory/sub` and everything else that is not a folder (links, fifos,
    /// devices, sockets), as relative paths sorted by bytes. Links are not followed.
    static func entries(under directory: String, in sub: String) -> (files: [String], others: [String]) {
        var files: [String] = []
        var others: [String] = []
        var folders = [sub]
        while let folder = folders.popLast() {
            for name in DirectoryListing.names(in: directory + "/" + folder) ?? [] {
                let relative = folder + "/" + name
                switch kind(of: directory + "/" + relative) {
                case S_IFREG: files.append(relative)
                case S_IFDIR: folders.append(relative)
                default: others.append(relative)
                }
            }
        }
        return (files.sorted(by: PathBytes.byteOrder), others.sorted(by: PathBytes.byteOrder))
    }
}

/// `PRAGMA integrity_check` through libsqlite3 on a read-only, immutable connection.
public enum SQLiteIntegrity {
    /// `ok`, or what SQLite reported (the check's rows joined, or the open/prepare error).
    public static func check(_ path: String) -> String {
        switch SQLiteFile.query(atPath: path, "PRAGMA integrity_check", access: .immutable) {
        case .failure(let failure): failure.reason
        case .success(let rows): rows.isEmpty ? "no result" : rows.map { ($0.first ?? nil) ?? "" }.joined(separator: "\n")
        }
    }
}
