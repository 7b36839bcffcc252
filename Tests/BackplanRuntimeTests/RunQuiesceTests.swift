@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Quiesce by commands: a background "app" that records its stops and starts.
@Suite struct RunQuiesceTests {
    /// The app: start records `start` and leaves a sleeping process behind (it must not hold the lock);
    /// stop records `stop` and ends it.
    static func commands(_ h: RunHarness, maxDowntime: Int? = nil) -> CompiledQuiesce {
        let events = Shell.quote(h.root + "/events"), pid = Shell.quote(h.root + "/app.pid")
        return CompiledQuiesce(method: .commands, names: [],
                               stopCommands: ["echo stop >> \(events); kill $(cat \(pid) 2>/dev/null) 2>/dev/null; true"],
                               startCommands: ["echo start >> \(events); sleep 300 & echo $! > \(pid)"],
                               maxDowntimeSeconds: maxDowntime)
    }

    static func events(_ h: RunHarness) -> [String] {
        ((try? String(contentsOfFile: h.root + "/events", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func cleanUp(_ h: RunHarness) {
        _ = try? RunHarness.bash("kill $(cat \(Shell.quote(h.root + "/app.pid")) 2>/dev/null) 2>/dev/null; true")
        h.remove()
    }

    @Test func stopsAndStartsOncePerRun() throws {
        let h = try RunHarness()
        defer { Self.cleanUp(h) }
        try h.copyFixture()
        let plan = h.plan(quiesce: Self.commands(h))
        #expect(try h.runtime(plan).status == 0)
        #expect(Self.events(h) == ["stop", "start"])
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        let record = try SnapshotRecord.read(from: h.jobDir(plan) + "/" + h.snapshots(plan)[0])
        #expect(record.downtimeMs >= 0)
        sleep(1)
        #expect(try h.runtime(plan).status == 0, "the app started in the background does not hold the lock")
        #expect(Self.events(h) == ["stop", "start", "stop", "start"])
    }

    @Test func resumesWhenTheCaptureFails() throws {
        let h = try RunHarness()
        defer { Self.cleanUp(h) }
        try h.copyFixture()
        // A SQLite header over garbage: the preflight passes, the backup fails.
        try RunHarness.bash("{ printf 'SQLite format 3\\0'; head -c 5000 /dev/urandom; } > \(Shell.quote(h.dataDir + "/webui.db")); rm -f \(Shell.quote(h.dataDir))/webui.db-*")
        let plan = h.plan(quiesce: Self.commands(h))
        let (status, log) = try h.runtime(plan)
        #expect(status == 1)
        #expect(Self.events(h) == ["stop", "start"], "\(log)")
        #expect(h.jobDirEntries(plan).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.runsLog().first?["status"] as? String == "failed")
    }

    @Test func aFailedStopIsResumed() throws {
        let h = try RunHarness()
        defer { Self.cleanUp(h) }
        try h.copyFixture()
        var quiesce = Self.commands(h)
        quiesce.stopCommands[0] += "; exit 3"
        let plan = h.plan(quiesce: quiesce)
        let (status, log) = try h.runtime(plan)
        #expect(status == 1)
        #expect(Self.events(h) == ["stop", "start"], "\(log)")
        #expect(log.contains { $0.contains("stopping the app failed (it was started again)") })
        #expect(h.jobDirEntries(plan).isEmpty)
    }

    @Test func aSlowStartDoesNotSpendTheDowntimeBudget() throws {
        let h = try RunHarness()
        defer { Self.cleanUp(h) }
        try h.copyFixture()
        var quiesce = Self.commands(h, maxDowntime: 1)
        quiesce.startCommands[0] = "sleep 1.5; " + quiesce.startCommands[0]
        let (status, log) = try h.runtime(h.plan(quiesce: quiesce))
        #expect(status == 0, "\(log)")
        #expect(Self.events(h) == ["stop", "start"])
    }

    @Test func maxDowntimeCancelsALockedCapture() throws {
        let h = try RunHarness()
        defer { Self.cleanUp(h) }
        try h.copyFixture()
        let db = h.dataDir + "/locked.db", locked = h.root + "/locked"
        try RunHarness.bash("sqlite3 \(Shell.quote(db)) 'PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES(1);' >/dev/null")
        var plan = h.plan(quiesce: Self.commands(h, maxDowntime: 1))
        plan.sources.append(RunHarness.source("locked", .sqlite, "locked.db", dataDir: h.dataDir))
        plan.jobs[0].sources.append("locked")
        let holder = try #require(RunHarness.spawn("/bin/bash", ["-c", "{ echo 'BEGIN EXCLUSIVE;'; echo \(Shell.quote(".shell touch " + Shell.quote(locked))); sleep 8; echo 'COMMIT;'; } | sqlite3 \(Shell.quote(db))"]))
        defer { _ = RunHarness.wait(holder) }
        while !FileManager.default.fileExists(atPath: locked) { usleep(20_000) }
        let started = Date()
        let (status, log) = try h.runtime(plan)
        #expect(status == 1)
        #expect(Date().timeIntervalSince(started) < 5, "cancelled long before the 10 s busy timeout")
        #expect(log.contains { $0.contains("max_downtime") }, "\(log)")
        #expect((h.runsLog().first?["error"] as? String)?.contains("max_downtime") == true)
        #expect(Self.events(h) == ["stop", "start"])
        #expect(h.jobDirEntries(plan).isEmpty)
    }

    @Test func journalFormatMatchesTheScript() throws {
        let journal = QuiesceJournal(plan: "p", job: "j", method: "units", names: ["a.service", "b.service"], startCommands: [])
        #expect(journal.text == "format 1\nplan p\njob j\nmethod units\nname a.service\nname b.service\n")
        #expect(QuiesceJournal.parse(journal.text) == journal)
    }
}
