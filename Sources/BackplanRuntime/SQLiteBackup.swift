import BackplanCore
import CSQLite
import Foundation

/// A consistent copy of a live SQLite database through libsqlite3's online backup API, then
/// `PRAGMA integrity_check` on the copy (step 4 for `sqlite` sources and `chroma.sqlite3`). With
/// `hashBeside` (hot jobs) the copy's SHA-256 for the manifest is started at the same time on a thread of
/// its own (`PendingHash`): the check and the hash read the file side by side, and the capture does not
/// wait for the hash. A quiesced job leaves the hash to the manifest, after the app is started again: the
/// hash thread would compete with the check for the cores, and the downtime is never traded for run time.
///
/// The source is opened through a read-only URI (`file:…?mode=ro`), so the backup never checkpoints it
/// and never deletes its WAL. The copy is made in one `sqlite3_backup_step(b, -1)`: a single step holds
/// one read transaction over the whole copy, so a writer committing all the time (WAL mode) cannot make
/// the backup restart, and it always finishes. While the source is locked (a rollback-journal database
/// with a writer holding an exclusive lock) the step is retried every 50 ms for up to `busyTimeoutMs`,
/// checking `cancellation` between tries, so max_downtime can end the wait.
public struct SQLiteBackup: Sendable {
    public var busyTimeoutMs: Int = 10_000
    /// Hash the copy on a second thread while it is checked (see above).
    public var hashBeside = true
    /// The copy is written under this name in the destination folder, then renamed.
    public static let temporaryName = ".backplan-capture.tmp"

    public init(busyTimeoutMs: Int = 10_000) { self.busyTimeoutMs = busyTimeoutMs }

    /// Copies `source` to `destination` (created with its folder), checked before it gets its name;
    /// returns the copy's size and, with `hashBeside`, its pending SHA-256. `copied` is told when the
    /// backup itself is done.
    public func copy(_ source: String, to destination: String, cancellation: RunCancellation,
                     copied: (String) -> Void = { _ in }) throws -> CaptureInventory.File {
        let folder = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temp = folder + "/" + Self.temporaryName
        unlink(temp)
        do {
            try backup(source, to: temp, cancellation: cancellation)
            copied("online backup of \(source) done; integrity_check\(hashBeside ? " and SHA-256" : "") of the copy")
            // The integrity check opens the copy read-write (as `sqlite3 FILE` does) but only reads it; the
            // hash reads through its own descriptor, so the rename below does not disturb it.
            var hash: PendingHash?
            if hashBeside {
                let fd = Glibc.open(temp, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw RunError("capture: cannot read the copy \(temp): \(String(cString: strerror(errno)))") }
                hash = PendingHash(fd: fd, path: destination)
            }
            let result = try Self.integrityCheck(temp, copy: true)
            guard result == "ok" else {
                throw RunError("capture: integrity check of the copy of \(source) failed: \(result.prefix(200))")
            }
            var st = stat()
            guard lstat(temp, &st) == 0, rename(temp, destination) == 0 else {
                throw RunError("capture: cannot rename the copy to \(destination): \(String(cString: strerror(errno)))")
            }
            return .init(bytes: Int64(st.st_size), hash: hash)
        } catch {
            unlink(temp)
            throw error
        }
    }

    private func backup(_ source: String, to temp: String, cancellation: RunCancellation) throws {
        let src = try Self.open(Self.readOnlyURI(source), flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
        defer { sqlite3_close_v2(src) }
        sqlite3_busy_timeout(src, 50)
        let dest = try Self.open(temp, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        defer { sqlite3_close_v2(dest) }
        // The copy is a new file under a temporary name inside the `.ID.partial` folder: it needs no
        // rollback journal (a failed backup leaves a file that is deleted, never reused), and it need not be
        // fsynced at commit: publishing syncs the whole file system before the rename (RunPublisher).
        guard sqlite3_exec(dest, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", nil, nil, nil) == SQLITE_OK else {
            throw RunError("capture: cannot prepare the copy of \(source): \(Self.message(dest))")
        }
        guard let backup = sqlite3_backup_init(dest, "main", src, "main") else {
            throw RunError("capture: online backup of \(source) failed: \(Self.message(dest))")
        }
        let deadline = RunClock.nowMs() + busyTimeoutMs
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED {
                if cancellation.isCancelled || RunClock.nowMs() >= deadline { break }
                usleep(50_000)
            }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        sqlite3_backup_finish(backup)
        try cancellation.check()
        guard rc == SQLITE_DONE else {
            throw RunError("capture: online backup of \(source) failed: \(String(cString: sqlite3_errstr(rc)))")
        }
    }

    /// The rows of `PRAGMA integrity_check`, joined by newlines (`ok` when the database is sound).
    public static func integrityCheck(_ path: String, copy: Bool) throws -> String {
        (try query(path, "PRAGMA integrity_check", copy: copy)).joined(separator: "\n")
    }

    /// The first column of every row of `sql`. A live source is read through a read-only URI; a copy
    /// (`copy`) is opened read-write like `sqlite3 FILE` in the bash script, so closing it removes the
    /// `-wal` and `-shm` files a WAL-mode copy gets, and the snapshot holds the database file alone.
    public static func query(_ path: String, _ sql: String, copy: Bool) throws -> [String] {
        switch SQLiteFile.query(atPath: path, sql, access: copy ? .readWrite : .readOnly, busyTimeoutMs: 10_000) {
        case .failure(let failure): throw RunError("sqlite: \(path): \(failure.reason)")
        case .success(let rows): return rows.map { ($0.first ?? nil) ?? "" }
        }
    }

    /// True when the file starts with the 16-byte SQLite header.
    public static func hasHeader(_ path: String) -> Bool {
        // Only a regular file is opened (a fifo would block forever), as the script's `[[ -f ]]`.
        guard case .success(let fd) = RegularFile.open(path) else { return false }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        return head == Data("SQLite format 3\0".utf8)
    }

    /// `file:` URI of an absolute path, read-only; `%`, `?` and `#` escaped.
    static func readOnlyURI(_ path: String) -> String {
        "file:" + SQLiteFile.uriPath(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) + "?mode=ro"
    }

    private static func open(_ name: String, flags: Int32) throws -> OpaquePointer {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let text = db.map(message) ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw RunError("sqlite: cannot open \(name): \(text)")
        }
        return db
    }

    private static func message(_ db: OpaquePointer) -> String { String(cString: sqlite3_errmsg(db)) }
}
