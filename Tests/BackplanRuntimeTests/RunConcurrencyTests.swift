@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// A writer commits paired rows in WAL mode all the time; every snapshot must be sound and hold whole pairs.
@Suite struct RunConcurrencyTests {
    @Test func snapshotsUnderAConstantWriterAreConsistent() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: h.dataDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: h.backups, withIntermediateDirectories: true)
        let db = h.dataDir + "/load.db"
        try RunHarness.bash("sqlite3 \(Shell.quote(db)) 'PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER, pad BLOB);' >/dev/null")
        var plan = h.plan()
        plan.sources = [RunHarness.source("load", .sqlite, "load.db", dataDir: h.dataDir)]
        plan.jobs[0].sources = ["load"]
        plan.jobs[0].verify = .deep

        let stop = h.root + "/stop"
        let insert = "BEGIN IMMEDIATE; INSERT INTO t(v, pad) VALUES(1, randomblob(3000)); INSERT INTO t(v, pad) VALUES(2, randomblob(3000)); COMMIT;"
        let writer = try #require(RunHarness.spawn("/bin/bash", ["-c", "while [ ! -e \(Shell.quote(stop)) ]; do echo \(Shell.quote(insert)); done | sqlite3 -cmd '.timeout 10000' \(Shell.quote(db))"]))
        defer {
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            _ = RunHarness.wait(writer)
        }
        usleep(300_000)
        for _ in 0..<4 {
            let (status, log) = try h.runtime(plan)
            #expect(status == 0, "\(log)")
        }
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        let ids = h.snapshots(plan)
        #expect(ids.count == 4)
        var counts: [Int] = []
        for id in ids {
            let copy = h.jobDir(plan) + "/" + id + "/data/load.db"
            #expect(try RunHarness.sqlite(copy, "PRAGMA integrity_check") == "ok")
            let count = Int(try RunHarness.sqlite(copy, "SELECT count(*) FROM t")) ?? -1
            #expect(count % 2 == 0 && count > 0)
            counts.append(count)
        }
        #expect(counts == counts.sorted() && Set(counts).count == counts.count, "the writer kept committing: \(counts)")
    }
}
