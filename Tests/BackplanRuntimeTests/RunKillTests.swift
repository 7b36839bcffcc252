@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `backplan run` (the built binary) killed or signalled mid-run: nothing partial is listed, earlier
/// snapshots stay intact, and the next run resumes the app and succeeds.
@Suite(.enabled(if: RunHarness.binary != nil, "needs the built backplan binary"))
struct RunKillTests {
    /// A plan whose capture waits on a rollback-journal database held EXCLUSIVE by `holder` for `seconds`.
    static func lockedPlan(_ h: RunHarness) throws -> CompiledPlan {
        let db = h.dataDir + "/locked.db"
        try RunHarness.bash("sqlite3 \(Shell.quote(db)) 'PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES(1);' >/dev/null")
        var plan = h.plan(quiesce: RunQuiesceTests.commands(h))
        plan.sources.append(RunHarness.source("locked", .sqlite, "locked.db", dataDir: h.dataDir))
        plan.jobs[0].sources.append("locked")
        return plan
    }

    /// Holds locked.db EXCLUSIVE for `seconds`; returns once the lock is taken.
    static func holdLock(_ h: RunHarness, seconds: Int) throws -> pid_t {
        let flag = h.root + "/locked-\(UUID().uuidString)"
        let pid = try #require(RunHarness.spawn("/bin/bash", ["-c", "{ echo 'BEGIN EXCLUSIVE;'; echo \(Shell.quote(".shell touch " + Shell.quote(flag))); sleep \(seconds); echo 'COMMIT;'; } | sqlite3 \(Shell.quote(h.dataDir + "/locked.db"))"]))
        while !FileManager.default.fileExists(atPath: flag) { usleep(20_000) }
        return pid
    }

    /// Starts `backplan run PLAN daily`; stderr goes to `<root>/run.err`.
    static func start(_ h: RunHarness, planFile: String) throws -> pid_t {
        try #require(RunHarness.spawn(RunHarness.binary ?? "", ["run", planFile, "daily"], stderr: h.root + "/run.err"))
    }

    static func waitForLog(_ h: RunHarness, _ text: String) {
        for _ in 0..<500 {
            if ((try? String(contentsOfFile: h.root + "/run.err", encoding: .utf8)) ?? "").contains(text) { return }
            usleep(20_000)
        }
    }

    @Test(arguments: ["quiesce: app stopped", "capture: source locked"])
    func killNineMidRunIsRecoveredByTheNextRun(point: String) throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        let plan = try Self.lockedPlan(h)
        #expect(try h.runtime(plan).status == 0)
        let first = h.jobDir(plan) + "/" + h.snapshots(plan)[0]
        sleep(1)
        let holder = try Self.holdLock(h, seconds: 3)
        let run = try Self.start(h, planFile: try h.writePlan(plan))
        Self.waitForLog(h, point)
        kill(run, SIGKILL)
        #expect(RunHarness.wait(run) == 128 + SIGKILL)
        _ = RunHarness.wait(holder)

        #expect(h.snapshots(plan) == [(first as NSString).lastPathComponent], "no partial snapshot is listed")
        #expect(SnapshotLayout(root: h.backups, plan: plan.name).completeSnapshots(job: "daily").count == 1)
        #expect(FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"), "the killed run left its journal")
        try RunHarness.bash("cd \(Shell.quote(first)) && sha256sum -c --quiet --strict MANIFEST.sha256")

        let (status, log) = try h.runtime(plan)
        #expect(status == 0, "\(log)")
        #expect(log.contains { $0.contains("a killed run left the app stopped") })
        #expect(h.snapshots(plan).count == 2)
        #expect(!h.jobDirEntries(plan).contains { $0.hasSuffix(".partial") })
        #expect(Self.eventsBalanced(h))
    }

    @Test func theBashScriptRecoversAKilledRuntimeRun() throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        let plan = try Self.lockedPlan(h)
        let holder = try Self.holdLock(h, seconds: 3)
        let run = try Self.start(h, planFile: try h.writePlan(plan))
        Self.waitForLog(h, "capture: source locked")
        kill(run, SIGKILL)
        _ = RunHarness.wait(run)
        _ = RunHarness.wait(holder)
        #expect(h.jobDirEntries(plan).contains { $0.hasSuffix(".partial") })
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("a killed run left the app stopped"))
        #expect(h.jobDirEntries(plan) == h.snapshots(plan) && h.snapshots(plan).count == 1)
        #expect(Self.eventsBalanced(h))
    }

    @Test func sigtermResumesAndRecords() throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        let plan = try Self.lockedPlan(h)
        let holder = try Self.holdLock(h, seconds: 4)
        let run = try Self.start(h, planFile: try h.writePlan(plan))
        Self.waitForLog(h, "capture: source locked")
        kill(run, SIGTERM)
        #expect(RunHarness.wait(run) == 1)
        _ = RunHarness.wait(holder)
        #expect(RunQuiesceTests.events(h) == ["stop", "start"])
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.jobDirEntries(plan).isEmpty)
        #expect((h.runsLog().first?["error"] as? String)?.contains("SIGTERM") == true)
    }

    /// Every stop was followed by a start: the app ends up running.
    static func eventsBalanced(_ h: RunHarness) -> Bool {
        let events = RunQuiesceTests.events(h)
        return events.last == "start" && events.filter { $0 == "stop" }.count <= events.filter { $0 == "start" }.count
    }
}
