import BackplanCore
import Foundation
import Testing

/// A source database replaced by a fifo: both executors' preflight says so and ends, never blocks.
@Suite struct RunFifoSourceTests {
    @Test(arguments: ["webui.db", "vector_db/chroma.sqlite3"])
    func aFifoSourceFailsThePreflightInBothExecutors(fifo: String) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try FileManager.default.removeItem(atPath: h.dataDir + "/" + fifo)
        try #require(mkfifo(h.dataDir + "/" + fifo, 0o600) == 0)
        let plan = h.plan()
        let planPath = try h.writePlan(plan)
        let binary = try #require(RunHarness.binary)
        let script = try h.writeScript(plan)
        for arguments in [[binary, "run", planPath, plan.jobs[0].name, "--dry-run"], [binary, "run", planPath, plan.jobs[0].name],
                          ["/bin/bash", script, "--dry-run"], ["/bin/bash", script]] {
            let r = RunHarness.run("/usr/bin/timeout", ["30"] + arguments)
            #expect(r.status == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("preflight: source"), "\(arguments): \(r.stderr)")
        }
        #expect(h.snapshots(plan).isEmpty)
    }
}
