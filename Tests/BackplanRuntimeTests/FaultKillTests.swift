@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `kill -9` at several points of a run with quiesce by commands, for both executors. The executor runs
/// in its own session (setsid) and the whole session is killed, as systemd kills a unit's cgroup: no
/// child (rsync, sqlite3) goes on writing after the kill.
@Suite(.serialized) struct FaultKillTests {
    static let points = ["preflight", "quiesce: app stopped", "capture: source uploads", "manifest", "published"]

    /// Waits until `text` is in the log (or the run ended); true when the text was seen.
    static func waitForLog(_ path: String, _ text: String, pid: pid_t) -> Bool {
        for _ in 0..<2000 {
            if ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains(text) { return true }
            if kill(pid, 0) != 0 { return false }
            usleep(2_000)
        }
        return false
    }

    static func killSession(_ sid: pid_t) {
        kill(-sid, SIGKILL)
        // Children that made their own process group (the script's capture) are still in the session.
        _ = RunHarness.run("/usr/bin/pkill", ["-KILL", "-s", String(sid)])
    }

    @Test(arguments: Executor.allCases, points)
    func killNineThenTheNextRunRecovers(executor: Executor, point: String) throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        // Some bulk, so the capture and the manifest take a moment.
        try RunHarness.bash("for i in $(seq 1 12); do head -c 1000000 /dev/urandom > \(Shell.quote(h.dataDir))/uploads/bulk-$i.bin; done")
        let plan = h.plan(quiesce: RunQuiesceTests.commands(h))
        let firstRun = try executor.run(h, plan)
        #expect(firstRun.status == 0, "\(firstRun.stderr)")
        let first = try #require(h.snapshots(plan).first)
        sleep(1)
        // New bulk for the killed run, so its capture copies it and its manifest and verify read it: the
        // runtime links and carries unchanged files over without reading them, and would end before the
        // kill at "published".
        try RunHarness.bash("for i in $(seq 1 12); do head -c 4000000 /dev/urandom > \(Shell.quote(h.dataDir))/uploads/bulk-$i.bin; done")

        let line = try executor.commandLine(h, plan)
        let log = h.root + "/killed.err"
        let pid = try #require(RunHarness.spawn("/usr/bin/setsid", line, stderr: log))
        let seen = Self.waitForLog(log, point, pid: pid)
        Self.killSession(pid)
        let status = RunHarness.wait(pid)
        let killedLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(seen, "the run reached \(point) before it was killed: \(killedLog)")
        #expect(status == 128 + SIGKILL, "killed at \(point), not ended on its own: \(killedLog)")
        let journaled = FileManager.default.fileExists(atPath: h.stateDir + "/quiesce")

        // Nothing partial is listed; the earlier snapshot still verifies.
        #expect(h.snapshots(plan).allSatisfy { $0 == first || h.manifestChecks(h.jobDir(plan) + "/" + $0) })
        #expect(h.manifestChecks(h.jobDir(plan) + "/" + first))
        #expect(SnapshotLayout(root: h.backups, plan: plan.name).completeSnapshots(job: "daily").count == h.snapshots(plan).count)
        let eventsBefore = RunQuiesceTests.events(h)
        if point == "quiesce: app stopped" || point == "capture: source uploads" {
            #expect(journaled, "killed while the app was stopped, the journal stays: \(killedLog)")
            #expect(eventsBefore.last == "stop")
        }
        if point == "capture: source uploads" {
            #expect(h.leftovers(plan).contains { $0.hasSuffix(".partial") }, "the killed capture left its .partial")
        }

        sleep(1)
        let next = try executor.run(h, plan)
        #expect(next.status == 0, "\(next.stderr)")
        if journaled {
            #expect(next.stderr.contains("a killed run left the app stopped"), "\(next.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.leftovers(plan).isEmpty, "the next run removed the killed run's leftovers: \(h.leftovers(plan))")
        #expect(RunKillTests.eventsBalanced(h), "\(RunQuiesceTests.events(h))")
        let snapshots = h.snapshots(plan)
        #expect(snapshots.first == first && snapshots.count >= 2)
        for id in snapshots { #expect(h.manifestChecks(h.jobDir(plan) + "/" + id), "\(id) verifies") }
        #expect(h.runsLog().last?["status"] as? String == "ok")
    }
}
