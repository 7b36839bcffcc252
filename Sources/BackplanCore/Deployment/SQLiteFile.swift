import CSQLite
import Foundation

/// What can be told of a SQLite file without changing it: its header, and `alembic_version`.
public enum SQLiteFile {
    /// The sidecars SQLite keeps beside a database, by suffix.
    public static let sidecarSuffixes = ["-journal", "-shm", "-wal"]

    /// The parts of the 100-byte header backplan reads.
    public struct Header: Sendable, Hashable {
        /// `wal` when the write/read versions (bytes 18/19) are 2, `delete` when they are 1.
        public var journalMode: String?
    }

    /// The header of the file at local path `path`, or nil when it is not a SQLite database.
    public static func header(atPath path: String) -> Header? {
        guard case .success(let fd) = RegularFile.open(path, followLinks: false) else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 100)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 100) }
        guard count >= 20, Array(bytes[0..<16]) == Array("SQLite format 3\0".utf8) else { return nil }
        let mode: String? = switch (bytes[18], bytes[19]) {
        case (2, 2): "wal"
        case (1, 1): "delete"
        default: nil
        }
        return Header(journalMode: mode)
    }

    /// `SELECT version_num FROM alembic_version` on a read-only connection (`query`).
    public static func alembicVersion(atPath path: String) -> Result<String, FileReadFailure> {
        switch query(atPath: path, "SELECT version_num FROM alembic_version") {
        case .failure(let failure): .failure(failure)
        case .success(let rows):
            if let version = rows.first?.first ?? nil { .success(version) } else { .failure(FileReadFailure(reason: "alembic_version holds no row")) }
        }
    }

    /// How `query` opens a database.
    public enum Access: Sendable {
        /// A live database, through a `file:…?mode=ro` URI with `SQLITE_OPEN_READONLY`: it reads through
        /// the WAL and never checkpoints or deletes it on close, but may create `-wal` and `-shm` files
        /// beside a WAL-mode database.
        case readOnly
        /// A copy in a snapshot (a standalone file written by the backup API), with `immutable=1`: it
        /// creates nothing beside the file.
        case immutable
        /// A copy being captured, opened read-write like `sqlite3 FILE`: closing it removes the `-wal`
        /// and `-shm` a WAL-mode copy gets, so the snapshot holds the database file alone.
        case readWrite
    }

    /// The rows of `sql` (every column as text, NULL as nil), waiting up to `busyTimeoutMs` for a lock.
    public static func query(atPath path: String, _ sql: String, access: Access = .readOnly,
                             busyTimeoutMs: Int32 = 2000) -> Result<[[String?]], FileReadFailure> {
        var db: OpaquePointer?
        let status = switch access {
        case .readOnly: sqlite3_open_v2("file:" + uriPath(path) + "?mode=ro", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        case .immutable: sqlite3_open_v2("file:" + uriPath(path) + "?immutable=1", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        case .readWrite: sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil)
        }
        defer { sqlite3_close_v2(db) }
        guard status == SQLITE_OK, let db else {
            return .failure(FileReadFailure(reason: "SQLite could not open it (code \(status))"))
        }
        sqlite3_busy_timeout(db, busyTimeoutMs)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            return .failure(FileReadFailure(reason: String(cString: sqlite3_errmsg(db))))
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[String?]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                rows.append((0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) }
                })
            case SQLITE_DONE:
                return .success(rows)
            default:
                return .failure(FileReadFailure(reason: String(cString: sqlite3_errmsg(db))))
            }
        }
    }

    /// A path as a SQLite URI path: `%`, `?`, `#` and every byte outside ASCII (a name that is not
    /// UTF-8 keeps its bytes, `PathBytes`) percent-encoded.
    public static func uriPath(_ path: String) -> String {
        var out = ""
        for byte in PathBytes.bytes(path) {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...0xFF:
                out += "%" + String(byte, radix: 16, uppercase: true)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
