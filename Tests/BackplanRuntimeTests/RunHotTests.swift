@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `backplan run` on a hot copy of the fixture: the snapshot, its manifest, SNAPSHOT.json and runs.jsonl.
@Suite struct RunHotTests {
    @Test func hotRunPublishesACompleteSnapshot() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        let (status, log) = try h.runtime(plan)
        #expect(status == 0, "\(log)")
        let ids = h.snapshots(plan)
        #expect(ids.count == 1)
        let snap = h.jobDir(plan) + "/" + ids[0]
        #expect(h.jobDirEntries(plan) == ids, "no partial left")
        try RunHarness.bash("cd \(Shell.quote(snap)) && sha256sum -c --quiet --strict MANIFEST.sha256")
        #expect(FileManager.default.fileExists(atPath: h.dataDir + "/webui.db-wal"), "the source's WAL is kept")
        for table in ["user", "chat"] {
            let source = try RunHarness.bash("sqlite3 -readonly \(Shell.quote(h.dataDir + "/webui.db")) 'SELECT count(*) FROM \(table)'")
            #expect(try RunHarness.sqlite(snap + "/data/webui.db", "SELECT count(*) FROM \(table)") == source)
        }
        let record = try SnapshotRecord.read(from: snap)
        #expect(record.executor == "runtime" && record.plan == "openwebui" && record.job == "daily" && record.id == ids[0])
        #expect(record.app.alembicVersion == "0bd252b206fb")
        #expect(record.sources.map(\.name) == ["database", "uploads", "vectors"])
        #expect(record.sources[0].files == 1 && record.sources[0].bytes > 0)
        let runs = h.runsLog()
        #expect(runs.count == 1)
        #expect(runs.first?["status"] as? String == "ok" && runs.first?["exit"] as? Int == 0)
        #expect(runs.first?["executor"] as? String == "runtime" && runs.first?["id"] as? String == ids[0])
        #expect(Set(runs.first?.keys.map { $0 } ?? []) == ["bytes", "downtime_ms", "executor", "exit", "files", "finished", "id",
                                                             "job", "plan", "started", "status", "targets"])
    }

    @Test func excludedFilesAreLeftOut() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("echo x > \(Shell.quote(h.dataDir + "/uploads/big.part")); mkdir -p \(Shell.quote(h.dataDir + "/uploads/sub")); echo y > \(Shell.quote(h.dataDir + "/uploads/sub/ok.txt"))")
        let plan = h.plan()
        #expect(try h.runtime(plan).status == 0)
        let snap = h.jobDir(plan) + "/" + h.snapshots(plan)[0]
        #expect(!FileManager.default.fileExists(atPath: snap + "/data/uploads/big.part"))
        #expect(FileManager.default.fileExists(atPath: snap + "/data/uploads/sub/ok.txt"))
    }

    @Test func preflightFailsBeforeAnything() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("printf 'not a db' > \(Shell.quote(h.dataDir + "/webui.db"))")
        let plan = h.plan()
        let (status, log) = try h.runtime(plan)
        #expect(status == 1)
        #expect(log.contains { $0.contains("preflight: source database") })
        #expect(h.snapshots(plan).isEmpty)
        #expect(h.runsLog().first?["status"] as? String == "failed")
    }

    @Test func unsupportedTargetMakesTheRunPartial() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let remote = CompiledTarget(name: "offsite", kind: .restic(CompiledResticTarget(repository: "/nowhere", passwordFile: "")))
        let plan = h.plan(targets: [RunHarness.localTarget("local", h.backups), remote])
        #expect(try h.runtime(plan).status == 3)
        let targets = h.runsLog().first?["targets"] as? [[String: Any]] ?? []
        #expect(targets.map { $0["status"] as? String } == ["ok", "failed"])
    }
}
