import Foundation
import Testing

/// A temp folder for one restore test: a writable copy of the fixture data dir as the app's source,
/// and snapshots made by hand exactly as docs/run-contract.md lays them out (the job script that
/// makes them for real is not merged yet).
struct RestoreWorkspace {
    /// The repository's read-only copy of a real Open WebUI 0.12.4 data dir (never written to).
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/openwebui-0.12.4/data").path

    let path: String
    /// A writable copy of the fixture: what the snapshots capture.
    var source: String { path + "/source" }

    /// `name` may hold hostile characters: the temp folder itself is then hostile too.
    init(name: String = "ws") throws {
        // Short: SQLite opens no path longer than 512 bytes, and the hostile test nests long names.
        path = FileManager.default.temporaryDirectory.path + "/bpr-\(UUID().uuidString.prefix(8))/\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try copyFixture(to: source)
    }

    /// `cp -a` of the fixture, then made writable (the shared copy's files are read-only).
    func copyFixture(to destination: String) throws {
        let run = try bash(#"mkdir -p -- "$(dirname -- "$2")" && cp -a -- "$1" "$2" && chmod -R u+w -- "$2""#, [Self.fixture, destination])
        try #require(run.status == 0, "\(run.output)")
    }

    /// Makes the complete snapshot `<root>/<plan>/<job>/<id>/` of `source`: webui.db and
    /// chroma.sqlite3 by `sqlite3 .backup` (which reads through the WAL), the other files copied,
    /// MANIFEST.sha256 and SNAPSHOT.json per the run contract. Returns the snapshot folder.
    @discardableResult
    func makeSnapshot(root: String, plan: String, job: String, id: String) throws -> String {
        let folder = "\(root)/\(plan)/\(job)/\(id)"
        let script = #"""
            set -euo pipefail
            src=$1 snap=$2 plan=$3 job=$4 id=$5
            mkdir -p -- "$snap/data/vector_db"
            sqlite3 "$src/webui.db" ".backup '$snap/data/webui.db'"
            sqlite3 "$src/vector_db/chroma.sqlite3" ".backup '$snap/data/vector_db/chroma.sqlite3'"
            for d in "$src"/vector_db/*/; do cp -a -- "${d%/}" "$snap/data/vector_db/"; done
            cp -a -- "$src/uploads" "$snap/data/"
            cd -- "$snap"
            find data -type f -print0 | sort -z | xargs -0 sha256sum > MANIFEST.sha256
            bytes() { find "data/$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
            started="${id:0:4}-${id:4:2}-${id:6:2}T${id:9:2}:${id:11:2}:${id:13:2}Z"
            printf '{"app":{"alembic_version":"0bd252b206fb"},"downtime_ms":0,"executor":"bash","finished":"%s","format":1,"id":"%s","job":"%s","plan":"%s","sources":[{"bytes":%s,"files":1,"kind":"sqlite","name":"database","path":"webui.db"},{"bytes":%s,"files":2,"kind":"files","name":"uploads","path":"uploads"}],"started":"%s"}\n' \
                "$started" "$id" "$job" "$plan" "$(bytes webui.db)" "$(bytes uploads)" "$started" > SNAPSHOT.json
            """#
        // Paths with quotes cannot go inside sqlite3's dot-command; those snapshots are made in a
        // plain folder and moved.
        let staging = FileManager.default.temporaryDirectory.path + "/backplan-snapshot-\(UUID().uuidString)"
        let run = try bash(script + #"\#nmkdir -p -- "$(dirname -- "$6")" && mv -T -- "$2" "$6""#,
                           [source, staging, plan, job, id, folder])
        try #require(run.status == 0, "\(run.output)")
        return folder
    }

    /// "sha256  ./path" of every file under `folder`, sorted: two trees are equal when these are.
    func tree(_ folder: String) throws -> String {
        try bash(#"cd -- "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum"#, [folder]).stdout
    }

    /// Flips one byte at `offset` of `file`.
    func corrupt(_ file: String, at offset: Int = 100) throws {
        let run = try bash(#"""
            b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
            printf "\\$(printf '%03o' $(( (b ^ 1) & 255 )))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
            """#, [file, String(offset)])
        try #require(run.status == 0, "\(run.output)")
    }

    /// `SELECT count(*) FROM table` on a database opened read-only (the fixture's rows live in its WAL).
    func count(_ table: String, in database: String) throws -> String {
        let run = try bash(#"sqlite3 "file:$1?mode=ro" "SELECT count(*) FROM \"$2\";""#, [database, table])
        try #require(run.status == 0, "\(run.output)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func remove() {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}
