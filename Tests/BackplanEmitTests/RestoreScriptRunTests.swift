import Foundation
import Testing

/// list, restore into a folder, and verify, run for real on snapshots of the fixture data dir.
@Suite struct RestoreScriptRunTests {
    /// Three complete snapshots over two jobs, a `.partial` one and one without SNAPSHOT.json.
    static func setUp() throws -> (RestoreWorkspace, script: String, backups: String) {
        let ws = try RestoreWorkspace()
        let backups = ws.path + "/backups"
        let plan = RestorePlan(dataDir: ws.path + "/live", stateDir: ws.path + "/state", compose: nil,
                               targets: [("disk", "local", backups), ("offsite", "rclone", "s3:bucket")],
                               jobs: ["daily", "weekly"])
        let script = ws.path + "/restore.sh"
        try plan.writeScript(to: script)
        try ws.makeSnapshot(root: backups, plan: "openwebui", job: "daily", id: "20260101T000000Z")
        try ws.makeSnapshot(root: backups, plan: "openwebui", job: "weekly", id: "20260102T000000Z")
        try ws.makeSnapshot(root: backups, plan: "openwebui", job: "daily", id: "20260103T000000Z")
        // Never listed: a publish in progress (even holding SNAPSHOT.json) and a folder without it.
        let partial = try ws.makeSnapshot(root: backups, plan: "openwebui", job: "daily", id: "20260104T000000Z")
        try FileManager.default.moveItem(atPath: partial, toPath: backups + "/openwebui/daily/.20260104T000000Z.partial")
        try FileManager.default.createDirectory(atPath: backups + "/openwebui/weekly/20260105T000000Z/data",
                                                withIntermediateDirectories: true)
        return (ws, script, backups)
    }

    @Test func listShowsCompleteSnapshotsOldestFirst() throws {
        let (ws, script, _) = try Self.setUp()
        defer { ws.remove() }
        let all = try bash(#""$1" list disk"#, [script])
        #expect(all.status == 0, "\(all.output)")
        let lines = all.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.map { $0[0] + "/" + $0[1] }
            == ["daily/20260101T000000Z", "weekly/20260102T000000Z", "daily/20260103T000000Z"])
        #expect(lines.allSatisfy { $0.count == 4 && Int($0[3]).map { $0 > 700_000 } == true }, "\(all.stdout)")
        #expect(lines.first?[2] == "2026-01-01T00:00:00Z")
        #expect(!all.output.contains("20260104") && !all.output.contains("20260105"))
        let daily = try bash(#""$1" list disk daily"#, [script])
        #expect(daily.stdout.split(separator: "\n").map { String($0.prefix(22)) }
            == ["daily 20260101T000000Z", "daily 20260103T000000Z"])
    }

    @Test func unknownAndUnsupportedTargetsFailClearly() throws {
        let (ws, script, _) = try Self.setUp()
        defer { ws.remove() }
        let unknown = try bash(#""$1" list nas"#, [script])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown target 'nas'") && unknown.stderr.contains("disk offsite"))
        for command in [["list", "offsite"], ["verify", "offsite"], ["restore", "offsite", ws.path + "/out"]] {
            let run = try bash(#""$@""#, [script] + command)
            #expect(run.status == 1, "\(command)")
            // rclone has no config section for s3: the listing fails, and so does the command.
            #expect(run.stderr.contains("target offsite: its snapshots cannot be listed"), "\(run.stderr)")
        }
        #expect(!ws.exists(ws.path + "/out"))
    }

    @Test func restoreMakesTheFolderTheDataDir() throws {
        let (ws, script, backups) = try Self.setUp()
        defer { ws.remove() }
        let newest = backups + "/openwebui/daily/20260103T000000Z"
        // Into a folder that does not exist, and into an empty one.
        try FileManager.default.createDirectory(atPath: ws.path + "/empty", withIntermediateDirectories: true)
        for dir in [ws.path + "/new/data", ws.path + "/empty"] {
            let run = try bash(#""$1" restore disk "$2""#, [script, dir])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.stdout.contains("restored snapshot daily/20260103T000000Z of target disk"))
            #expect(try ws.tree(dir) == ws.tree(newest + "/data"))
            for name in ["webui.db", "vector_db/chroma.sqlite3", "uploads"] { #expect(ws.exists(dir + "/" + name)) }
            for table in ["user", "chat", "file"] {
                let restored = try ws.count(table, in: dir + "/webui.db")
                #expect(restored == (try ws.count(table, in: ws.source + "/webui.db")))
                #expect(restored != "0", "the fixture's rows are in its WAL; \(table) must not be empty")
            }
            let check = try bash(#"sqlite3 "file:$1/webui.db?mode=ro" 'PRAGMA integrity_check;'"#, [dir])
            #expect(check.stdout == "ok\n")
        }
        // No staging folder is left beside the destinations.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.path).filter { $0.contains(".restore-") }
        #expect(leftovers.isEmpty)
    }

    @Test func restoreSelectsByJobAndID() throws {
        let (ws, script, _) = try Self.setUp()
        defer { ws.remove() }
        let cases: [([String], String)] = [
            (["weekly"], "weekly/20260102T000000Z"), (["daily", "latest"], "daily/20260103T000000Z"),
            (["20260101T000000Z"], "daily/20260101T000000Z"), (["weekly", "20260102T000000Z"], "weekly/20260102T000000Z"),
        ]
        for (index, (selector, expected)) in cases.enumerated() {
            let run = try bash(#""$@""#, [script, "restore", "disk"] + selector + [ws.path + "/out\(index)"])
            #expect(run.status == 0 && run.stdout.contains("snapshot \(expected) "), "\(selector): \(run.output)")
        }
        let missing = try bash(#""$1" restore disk weekly 20260101T000000Z "$2""#, [script, ws.path + "/x"])
        #expect(missing.status == 1 && missing.stderr.contains("no snapshot 20260101T000000Z"))
        #expect(!ws.exists(ws.path + "/x"))
    }

    @Test func restoreRefusesANonEmptyFolderAndLeavesItUntouched() throws {
        let (ws, script, _) = try Self.setUp()
        defer { ws.remove() }
        let dir = ws.path + "/busy"
        try FileManager.default.createDirectory(atPath: dir + "/uploads", withIntermediateDirectories: true)
        try "keep me".write(toFile: dir + "/uploads/note.txt", atomically: true, encoding: .utf8)
        let before = try ws.tree(dir)
        let run = try bash(#""$1" restore disk "$2""#, [script, dir])
        #expect(run.status == 1)
        #expect(run.stderr.contains("is not empty; refusing"))
        #expect(try ws.tree(dir) == before)
        let file = try bash(#"touch -- "$2.file" && "$1" restore disk "$2.file""#, [script, dir])
        #expect(file.status == 1 && file.stderr.contains("is not a folder"))
    }

    @Test func verifyPassesAndNamesTheCorruptFile() throws {
        let (ws, script, backups) = try Self.setUp()
        defer { ws.remove() }
        let good = try bash(#""$1" verify disk"#, [script])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.stdout.contains("ok: ") && good.stdout.contains("2 SQLite databases pass integrity_check"))

        let upload = try bash(#"ls -d -- "$1"/openwebui/daily/20260103T000000Z/data/uploads/*"#, [backups]).stdout
            .trimmingCharacters(in: .newlines)
        try ws.corrupt(upload)
        let badUpload = try bash(#""$1" verify disk daily latest"#, [script])
        #expect(badUpload.status == 1)
        #expect(badUpload.output.contains("data/uploads/" + (upload as NSString).lastPathComponent + ": FAILED"))
        // The older snapshot is still good; a restore of the corrupt one is refused after the copy.
        #expect(try bash(#""$1" verify disk 20260101T000000Z"#, [script]).status == 0)
        let restore = try bash(#""$1" restore disk daily "$2""#, [script, ws.path + "/out"])
        #expect(restore.status == 1 && restore.stderr.contains("failed verification; nothing was restored"))
        #expect(!ws.exists(ws.path + "/out"))

        try ws.corrupt(backups + "/openwebui/weekly/20260102T000000Z/data/webui.db", at: 4096 + 200)
        let badDatabase = try bash(#""$1" verify disk weekly"#, [script])
        #expect(badDatabase.status == 1)
        #expect(badDatabase.output.contains("data/webui.db: FAILED"))
    }

    @Test func verifyNamesFilesTheManifestDoesNotList() throws {
        let (ws, script, backups) = try Self.setUp()
        defer { ws.remove() }
        try "x".write(toFile: backups + "/openwebui/daily/20260103T000000Z/data/uploads/extra.txt", atomically: true,
                      encoding: .utf8)
        let run = try bash(#""$1" verify disk"#, [script])
        #expect(run.status == 1 && run.stderr.contains("data/uploads/extra.txt is not in MANIFEST.sha256"))
    }

    @Test func restoreRemovesStaleWalAndShmBesideDatabases() throws {
        let (ws, script, backups) = try Self.setUp()
        defer { ws.remove() }
        let snapshot = backups + "/openwebui/daily/20260103T000000Z"
        let add = try bash(#"""
            cd -- "$1" && head -c 4096 /dev/urandom > data/webui.db-wal && : > data/webui.db-shm
            find data -type f -print0 | sort -z | xargs -0 sha256sum > MANIFEST.sha256
            """#, [snapshot])
        try #require(add.status == 0)
        let run = try bash(#""$1" restore disk "$2""#, [script, ws.path + "/out"])
        #expect(run.status == 0, "\(run.output)")
        #expect(!ws.exists(ws.path + "/out/webui.db-wal") && !ws.exists(ws.path + "/out/webui.db-shm"))
        #expect(try ws.count("user", in: ws.path + "/out/webui.db") == "2")
    }
}
