import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// The generated script under a constant writer (the contract's checks of a run, for both executors, are
/// in BackplanRuntimeTests' RunConformanceTests).
@Suite struct JobScriptRunTests {
    typealias H = JobScriptHarness

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
