@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The run contract (docs/run-contract.md) held against both executors: each test takes an `Executor`,
/// so a check added here runs for the generated script and for `backplan run` alike. Its extensions in
/// `RunConformanceTests+*.swift` group the checks by step: exit statuses, the lock and the dry run,
/// retention and the leftovers of killed runs, the quiesce journal with `--resume` and `--jitter`, and
/// the cross-executor checks (a snapshot or journal of one executor used by the other). Checks of one target type (rclone, restic, rsync) stay in that type's suite, faults in the
/// `Fault*` suites; they take the same `Executor`.
@Suite struct RunConformanceTests {
    static let upload = "uploads/efaf13b5-a79d-4e22-a4dd-03adad6667f1_harness-notes-1795750891-30198.txt"
    static let runKeys: Set<String> = ["bytes", "downtime_ms", "executor", "exit", "files", "finished", "id", "job", "plan",
                                       "started", "status", "targets"]
    static let snapshotKeys = ["app", "downtime_ms", "executor", "finished", "format", "id", "job", "plan", "sources", "started"]

    /// A hot run: one complete snapshot named by its ID, a manifest `sha256sum -c` accepts that lists every
    /// file sorted by bytes, whole database copies, SNAPSHOT.json and one runs.jsonl record with the
    /// contract's fields, a private state dir, every log line prefixed with the plan and job.
    @Test(arguments: Executor.allCases)
    func aRunPublishesACompleteSnapshot(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        let result = try executor.run(h, plan)
        #expect(result.status == 0, "\(result.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 1)
        let snap = h.jobDir(plan) + "/" + ids[0]
        #expect(h.jobDirEntries(plan) == ids, "nothing but the snapshot in the job folder")
        #expect(ids[0].wholeMatch(of: /\d{8}T\d{6}Z/) != nil)

        // The manifest checks out and lists every file, sorted.
        #expect(h.manifestChecks(snap))
        let manifest = try String(contentsOfFile: snap + "/MANIFEST.sha256", encoding: .utf8)
        let paths = manifest.split(separator: "\n").map { String($0.dropFirst(66)) }
        #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(paths.contains("data/webui.db") && paths.contains("data/vector_db/chroma.sqlite3") && paths.contains("data/" + Self.upload))
        let files = try RunHarness.bash("cd \(Shell.quote(snap)) && find data -type f | wc -l")
        #expect(Int(files) == paths.count)

        // The database copy is whole and holds what only the WAL of the source held.
        let copy = snap + "/data/webui.db"
        #expect(try RunHarness.sqlite(copy, "PRAGMA integrity_check") == "ok")
        let source = "file:\(h.dataDir)/webui.db?mode=ro"
        for table in ["user", "chat", "file"] {
            let expected = try RunHarness.sqlite(source, "SELECT count(*) FROM \"\(table)\"")
            #expect(try RunHarness.sqlite(copy, "SELECT count(*) FROM \"\(table)\"") == expected, "\(table)")
        }
        #expect(try RunHarness.sqlite(copy, "SELECT count(*) FROM user") == "2")
        #expect(try RunHarness.sqlite(copy, "SELECT count(*) FROM chat") == "6")
        #expect(try RunHarness.sqlite(snap + "/data/vector_db/chroma.sqlite3", "PRAGMA integrity_check") == "ok")
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal") && !FileManager.default.fileExists(atPath: copy + "-shm"))
        #expect(FileManager.default.fileExists(atPath: h.dataDir + "/webui.db-wal"), "the source is never checkpointed")

        // SNAPSHOT.json has the contract's fields, and SnapshotRecord reads it.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snap + "/SNAPSHOT.json"))) as? [String: Any])
        #expect(json.keys.sorted() == Self.snapshotKeys)
        #expect(json["format"] as? Int == 1)
        #expect(json["plan"] as? String == "openwebui" && json["job"] as? String == "daily" && json["id"] as? String == ids[0])
        #expect(json["executor"] as? String == executor.recordedName)
        #expect(json["downtime_ms"] as? Int == 0)
        #expect((json["started"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect((json["finished"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect((json["app"] as? [String: Any])?["alembic_version"] as? String == "0bd252b206fb")
        // The app's counts (docs/app-consistency.md), the same from both executors, keys sorted.
        let counts = try #require((json["app"] as? [String: Any])?["counts"] as? [String: Int])
        #expect(counts == ["chats": 6, "collections": 3, "embeddings": 9, "files": 1, "knowledge_bases": 1, "messages": 24, "users": 2])
        let line = try String(contentsOfFile: snap + "/SNAPSHOT.json", encoding: .utf8)
        #expect(line.contains(#""counts":{"chats":6,"collections":3,"embeddings":9,"files":1,"knowledge_bases":1,"messages":24,"users":2}"#))
        let sources = try #require(json["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["database", "uploads", "vectors"])
        #expect(sources.map { $0["path"] as? String } == ["webui.db", "uploads", "vector_db"])
        #expect(sources.map { $0["kind"] as? String } == ["sqlite", "files", "chroma"])
        #expect(sources[0]["files"] as? Int == 1 && sources[1]["files"] as? Int == 1 && (sources[2]["files"] as? Int ?? 0) > 1)
        #expect((sources[0]["bytes"] as? Int ?? 0) > 700_000)
        let record = try SnapshotRecord.read(from: snap)
        #expect(record.executor == executor.recordedName && record.id == ids[0] && record.app.alembicVersion == "0bd252b206fb")

        // One line in runs.jsonl with the contract's fields; state dir private; no journal, no temp folder left.
        #expect(result.records.count == 1 && h.runsLog().count == 1)
        let run = try #require(result.record)
        #expect(Set(run.keys) == Self.runKeys)
        #expect(run["status"] as? String == "ok" && run["exit"] as? Int == 0 && run["id"] as? String == ids[0])
        #expect(run["executor"] as? String == executor.recordedName)
        #expect(run["plan"] as? String == "openwebui" && run["job"] as? String == "daily")
        #expect((run["targets"] as? [[String: Any]])?.map { "\($0["name"] ?? ""):\($0["status"] ?? "")" } == ["local:ok"])
        #expect(try RunHarness.bash("stat -c %a \(Shell.quote(h.stateDir))") == "700")
        #expect(try RunHarness.bash("ls -A \(Shell.quote(h.stateDir))") == "lock\nruns.jsonl")
        #expect(result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("backplan[openwebui/daily]: ") }, "\(result.stderr)")
    }

    /// The second run hard-links unchanged files to the previous snapshot and carries their hashes over
    /// from its manifest (a wrong hash planted there shows up again); changed and new files are hashed.
    @Test(arguments: Executor.allCases)
    func aSecondRunLinksUnchangedFilesAndCarriesTheirHashes(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        #expect(try executor.run(h, plan).status == 0)
        let first = h.jobDir(plan) + "/" + h.snapshots(plan)[0]

        // Make the previous manifest's hash of the unchanged upload wrong on purpose: if the second run
        // carries it over instead of reading the file again, the wrong hash shows up in the new manifest.
        let bogus = String(repeating: "0", count: 64)
        try RunHarness.bash("cd \(Shell.quote(first)) && sed -i 's|^[0-9a-f]\\{64\\}  data/\(Self.upload)$|\(bogus)  data/\(Self.upload)|' MANIFEST.sha256")
        #expect(try String(contentsOfFile: first + "/MANIFEST.sha256", encoding: .utf8).contains(bogus))
        // Change one vector file, add an upload.
        let segment = try RunHarness.bash("cd \(Shell.quote(h.dataDir)) && ls vector_db/*/header.bin | head -1")
        try RunHarness.bash("cd \(Shell.quote(h.dataDir)) && printf 'more' >> \(Shell.quote(segment)) && printf 'new upload' > uploads/new.txt")

        let second = try executor.run(h, plan)
        #expect(second.status == 0, "\(second.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 2)
        let snap = h.jobDir(plan) + "/" + ids[1]
        #expect(RunHarness.inode(first + "/data/" + Self.upload) == RunHarness.inode(snap + "/data/" + Self.upload), "unchanged upload is a hard link")
        let unchangedVector = "/data/vector_db/2fb5abeb-bcab-4f45-a8d8-7e71ffa36f49/data_level0.bin"
        #expect(RunHarness.inode(first + unchangedVector) == RunHarness.inode(snap + unchangedVector), "unchanged vector file is a hard link")
        #expect(RunHarness.inode(first + "/data/" + segment) != RunHarness.inode(snap + "/data/" + segment), "changed file is new")
        #expect(RunHarness.inode(first + "/data/webui.db") != RunHarness.inode(snap + "/data/webui.db"))
        let manifest = try String(contentsOfFile: snap + "/MANIFEST.sha256", encoding: .utf8)
        #expect(manifest.contains("\(bogus)  data/\(Self.upload)\n"), "hash carried over, not recomputed")
        let realSegment = try RunHarness.bash("cd \(Shell.quote(snap)) && sha256sum data/\(Shell.quote(segment))")
        #expect(manifest.contains(realSegment + "\n"), "changed file hashed again")
        let realNew = try RunHarness.bash("cd \(Shell.quote(snap)) && sha256sum data/uploads/new.txt")
        #expect(manifest.contains(realNew + "\n"))
        // 16 files: 11 unchanged vector files and the upload carried over; both databases, the changed and the new file hashed.
        #expect(second.stderr.contains("manifest: 16 files, 4 hashed, 12 carried over from the previous snapshot"), "\(second.stderr)")
        // Only the planted line differs from the truth.
        let check = RunHarness.run("/bin/bash", ["-c", "cd \(Shell.quote(snap)) && sha256sum -c --quiet --strict MANIFEST.sha256"])
        #expect(check.status == 1 && check.stdout == "data/\(Self.upload): FAILED\n", "\(check.stdout)\(check.stderr)")
    }

    /// A further local target gets a copy linked against its own previous snapshot, published the same way.
    @Test(arguments: Executor.allCases)
    func furtherLocalTargetsGetALinkedCopy(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let second = h.root + "/second"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        let plan = h.plan(targets: [RunHarness.localTarget("local", h.backups), RunHarness.localTarget("usb", second)])
        #expect(try executor.run(h, plan).status == 0)
        #expect(try executor.run(h, plan).status == 0)
        let ids = h.snapshots(plan, target: second)
        #expect(ids == h.snapshots(plan) && ids.count == 2)
        let upload = "/data/" + Self.upload
        let dir = h.jobDir(plan, target: second)
        #expect(RunHarness.inode(dir + "/" + ids[0] + upload) == RunHarness.inode(dir + "/" + ids[1] + upload))
        #expect(RunHarness.inode(dir + "/" + ids[1] + upload) != RunHarness.inode(h.jobDir(plan) + "/" + ids[1] + upload))
        #expect(h.manifestChecks(dir + "/" + ids[1]))
        #expect(h.leftovers(plan, target: second).isEmpty)
    }

    /// `exclude` patterns leave files out (the harness's uploads exclude `*.part`), at any depth.
    @Test(arguments: Executor.allCases)
    func excludedFilesAreLeftOut(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("echo x > \(Shell.quote(h.dataDir + "/uploads/big.part")); mkdir -p \(Shell.quote(h.dataDir + "/uploads/sub")); echo y > \(Shell.quote(h.dataDir + "/uploads/sub/ok.txt")); echo z > \(Shell.quote(h.dataDir + "/uploads/sub/deep.part"))")
        let plan = h.plan()
        #expect(try executor.run(h, plan).status == 0)
        let snap = h.jobDir(plan) + "/" + h.snapshots(plan)[0]
        #expect(!FileManager.default.fileExists(atPath: snap + "/data/uploads/big.part"))
        #expect(!FileManager.default.fileExists(atPath: snap + "/data/uploads/sub/deep.part"))
        #expect(FileManager.default.fileExists(atPath: snap + "/data/uploads/sub/ok.txt"))
        #expect(h.manifestChecks(snap))
    }
}
