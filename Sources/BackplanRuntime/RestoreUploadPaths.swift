import BackplanCore
import CSQLite
import Foundation

/// Open WebUI keeps absolute upload paths in `webui.db` (table `file`, column `path`, e.g.
/// `/app/backend/data/uploads/<id>_<name>`). A restore read by the app at another data dir path needs
/// them pointing into the new `uploads/` folder.
public enum UploadPathRewriter {
    /// The part after the uploads folder (`<id>_<name>`) of a path lying under one, else nil.
    public static func relativeUpload(_ path: String) -> String? {
        if path.hasPrefix("uploads/") { return String(path.dropFirst("uploads/".count)) }
        guard let range = path.range(of: "/uploads/") else { return nil }
        return String(path[range.upperBound...])
    }

    /// `file.path` values under an uploads folder that do not start with `uploadsFolder` (read-only open).
    public static func pathsOutside(database: String, uploadsFolder: String) -> [String] {
        (try? paths(database: database))?.map(\.path)
            .filter { relativeUpload($0) != nil && !$0.hasPrefix(uploadsFolder) } ?? []
    }

    /// Sets every `file.path` under an uploads folder to `uploadsFolder + <rest>`, in one transaction;
    /// returns how many rows changed. A database without a `file` table is left alone.
    @discardableResult
    public static func rewrite(database: String, uploadsFolder: String) throws(RunError) -> Int {
        var db: OpaquePointer?
        guard sqlite3_open_v2(database, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw RunError("cannot open \(database) to rewrite upload paths")
        }
        defer { sqlite3_close_v2(db) }
        let rows = try paths(db: db)
        var statement: OpaquePointer?
        guard sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK,
              sqlite3_prepare_v2(db, "UPDATE file SET path = ?1 WHERE rowid = ?2", -1, &statement, nil) == SQLITE_OK else {
            throw RunError("cannot rewrite upload paths in \(database): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var changed = 0
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for row in rows {
            guard let rest = relativeUpload(row.path) else { continue }
            let updated = uploadsFolder + rest
            guard updated != row.path else { continue }
            sqlite3_reset(statement)
            sqlite3_bind_text(statement, 1, updated, -1, transient)
            sqlite3_bind_int64(statement, 2, row.rowid)
            guard sqlite3_step(statement) == SQLITE_DONE else {
                sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
                throw RunError("cannot rewrite upload paths in \(database): \(String(cString: sqlite3_errmsg(db)))")
            }
            changed += 1
        }
        guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else {
            throw RunError("cannot commit rewritten upload paths in \(database): \(String(cString: sqlite3_errmsg(db)))")
        }
        return changed
    }

    static func paths(database: String) throws(RunError) -> [(rowid: Int64, path: String)] {
        var db: OpaquePointer?
        let uri = "file:" + SQLiteFile.uriPath(database) + "?immutable=1"
        guard sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw RunError("cannot open \(database)")
        }
        defer { sqlite3_close_v2(db) }
        return try paths(db: db)
    }

    /// rowid and path of every `file` row with a text path; none when the table does not exist.
    static func paths(db: OpaquePointer) throws(RunError) -> [(rowid: Int64, path: String)] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT rowid, path FROM file WHERE typeof(path) = 'text'", -1, &statement, nil) == SQLITE_OK else {
            return []
        }
        defer { sqlite3_finalize(statement) }
        var rows: [(rowid: Int64, path: String)] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((sqlite3_column_int64(statement, 0), String(cString: sqlite3_column_text(statement, 1))))
        }
        return rows
    }
}
