import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Hot runs of the generated script over a copy of the real Open WebUI data dir.
@Suite struct JobScriptRunTests {
    typealias H = JobScriptHarness
    static let upload = "uploads/efaf13b5-a79d-4e22-a4dd-03adad6667f1_harness-notes-1795750891-30198.txt"

    @Test func hotRunPublishesACompleteSnapshot() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 1)
        let snap = h.jobDir(plan) + "/" + ids[0]
        #expect(h.jobDirEntries(plan) == ids, "nothing but the snapshot in the job folder")
        #expect(ids[0].wholeMatch(of: /\d{8}T\d{6}Z/) != nil)

        // The manifest checks out and lists every file, sorted.
        try H.bash("cd \(Shell.quote(snap)) && sha256sum -c --quiet --strict MANIFEST.sha256")
        let manifest = try String(contentsOfFile: snap + "/MANIFEST.sha256", encoding: .utf8)
        let paths = manifest.split(separator: "\n").map { String($0.dropFirst(66)) }
        #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(paths.contains("data/webui.db") && paths.contains("data/vector_db/chroma.sqlite3") && paths.contains("data/" + Self.upload))
        let files = try H.bash("cd \(Shell.quote(snap)) && find data -type f | wc -l")
        #expect(Int(files) == paths.count)

        // The database copy is whole and holds what only the WAL of the source held.
        let copy = snap + "/data/webui.db"
        #expect(try H.sqlite(copy, "PRAGMA integrity_check") == "ok")
        let source = "file:\(h.dataDir)/webui.db?mode=ro"
        for table in ["user", "chat", "file"] {
            let expected = try H.sqlite(source, "SELECT count(*) FROM \"\(table)\"")
            #expect(try H.sqlite(copy, "SELECT count(*) FROM \"\(table)\"") == expected, "\(table)")
        }
        #expect(try H.sqlite(copy, "SELECT count(*) FROM user") == "2")
        #expect(try H.sqlite(copy, "SELECT count(*) FROM chat") == "6")
        #expect(try H.sqlite(snap + "/data/vector_db/chroma.sqlite3", "PRAGMA integrity_check") == "ok")
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal") && !FileManager.default.fileExists(atPath: copy + "-shm"))
        #expect(FileManager.default.fileExists(atPath: h.dataDir + "/webui.db-wal"), "the source is never checkpointed")

        // SNAPSHOT.json has the contract's fields.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snap + "/SNAPSHOT.json"))) as? [String: Any])
        #expect(json["format"] as? Int == 1)
        #expect(json["plan"] as? String == "openwebui" && json["job"] as? String == "daily" && json["id"] as? String == ids[0])
        #expect(json["executor"] as? String == "bash")
        #expect(json["downtime_ms"] as? Int == 0)
        #expect((json["started"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect((json["finished"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect((json["app"] as? [String: Any])?["alembic_version"] as? String == "0bd252b206fb")
        let sources = try #require(json["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["database", "uploads", "vectors"])
        #expect(sources.map { $0["path"] as? String } == ["webui.db", "uploads", "vector_db"])
        #expect(sources.map { $0["kind"] as? String } == ["sqlite", "files", "chroma"])
        #expect(sources[0]["files"] as? Int == 1 && sources[1]["files"] as? Int == 1 && (sources[2]["files"] as? Int ?? 0) > 1)
        #expect((sources[0]["bytes"] as? Int ?? 0) > 700_000)

        // One line in runs.jsonl; state dir private; no journal, no temp folder left.
        let runs = h.runsLog()
        #expect(runs.count == 1)
        #expect(runs.first?["status"] as? String == "ok" && runs.first?["exit"] as? Int == 0 && runs.first?["id"] as? String == ids[0])
        #expect((runs.first?["targets"] as? [[String: Any]])?.first?["status"] as? String == "ok")
        #expect(try H.bash("stat -c %a \(Shell.quote(h.stateDir))") == "700")
        #expect(try H.bash("ls -A \(Shell.quote(h.stateDir))") == "lock\nruns.jsonl")
        #expect(result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("backplan[openwebui/daily]: ") }, "\(result.stderr)")
    }

    @Test func secondRunLinksUnchangedFilesAndCarriesTheirHashes() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        let script = try h.writeScript(plan)
        #expect(try h.runScript(script).status == 0)
        let first = h.jobDir(plan) + "/" + h.snapshots(plan)[0]

        // Make the previous manifest's hash of the unchanged upload wrong on purpose: if the second run
        // carries it over instead of reading the file again, the wrong hash shows up in the new manifest.
        let bogus = String(repeating: "0", count: 64)
        try H.bash("cd \(Shell.quote(first)) && sed -i 's|^[0-9a-f]\\{64\\}  data/\(Self.upload)$|\(bogus)  data/\(Self.upload)|' MANIFEST.sha256")
        #expect(try String(contentsOfFile: first + "/MANIFEST.sha256", encoding: .utf8).contains(bogus))
        // Change one vector file, add an upload.
        let segment = try H.bash("cd \(Shell.quote(h.dataDir)) && ls vector_db/*/header.bin | head -1")
        try H.bash("cd \(Shell.quote(h.dataDir)) && printf 'more' >> \(Shell.quote(segment)) && printf 'new upload' > uploads/new.txt")

        let second = try h.runScript(script)
        #expect(second.status == 0, "\(second.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 2)
        let snap = h.jobDir(plan) + "/" + ids[1]
        func inode(_ path: String) throws -> String { try H.bash("stat -c %i \(Shell.quote(path))") }
        #expect(try inode(first + "/data/" + Self.upload) == inode(snap + "/data/" + Self.upload), "unchanged upload is a hard link")
        #expect(try inode(first + "/data/" + segment) != inode(snap + "/data/" + segment), "changed file is new")
        #expect(try inode(first + "/data/webui.db") != inode(snap + "/data/webui.db"))
        let manifest = try String(contentsOfFile: snap + "/MANIFEST.sha256", encoding: .utf8)
        #expect(manifest.contains("\(bogus)  data/\(Self.upload)\n"), "hash carried over, not recomputed")
        let realSegment = try H.bash("cd \(Shell.quote(snap)) && sha256sum data/\(Shell.quote(segment))")
        #expect(manifest.contains(realSegment + "\n"), "changed file hashed again")
        let realNew = try H.bash("cd \(Shell.quote(snap)) && sha256sum data/uploads/new.txt")
        #expect(manifest.contains(realNew + "\n"))
        // 16 files: 11 unchanged vector files and the upload carried over; both databases, the changed and the new file hashed.
        #expect(second.stderr.contains("manifest: 16 files, 4 hashed, 12 carried over from the previous snapshot"), "\(second.stderr)")
    }

    @Test func concurrentWriterNeverYieldsAHalfTransaction() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let db = h.dataDir + "/webui.db"
        _ = try H.sqlite(db, "CREATE TABLE bp_pairs(id INTEGER PRIMARY KEY, v INTEGER)")
        let stop = h.root + "/stop-writer"
        // One sqlite3 connection committing two rows per transaction until told to stop.
        let writer = try #require(H.spawn("/bin/bash", ["-c", """
            i=0; while [ ! -e \(Shell.quote(stop)) ]; do
              echo "BEGIN; INSERT INTO bp_pairs(v) VALUES($i); INSERT INTO bp_pairs(v) VALUES($i); COMMIT;"; i=$((i+1))
            done | sqlite3 -cmd '.timeout 10000' \(Shell.quote(db))
            """]))
        var stopped = false
        func stopWriter() {
            guard !stopped else { return }
            stopped = true
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            _ = H.wait(writer)
        }
        defer { stopWriter() }
        let plan = h.plan(verify: .deep)
        let script = try h.writeScript(plan)
        var counts: [Int] = []
        for _ in 0..<4 {
            let result = try h.runScript(script)
            #expect(result.status == 0, "\(result.stderr)")
        }
        stopWriter()
        for id in h.snapshots(plan) {
            let copy = h.jobDir(plan) + "/\(id)/data/webui.db"
            #expect(try H.sqlite(copy, "PRAGMA integrity_check") == "ok")
            let rows = Int(try H.sqlite(copy, "SELECT count(*) FROM bp_pairs")) ?? -1
            #expect(rows >= 0 && rows % 2 == 0, "snapshot \(id) holds \(rows) rows")
            counts.append(rows)
        }
        #expect(counts.count == 4)
        #expect(Set(counts).count > 1, "the writer wrote during the runs: \(counts)")
        #expect(try H.sqlite(db, "PRAGMA integrity_check") == "ok")
    }
}
