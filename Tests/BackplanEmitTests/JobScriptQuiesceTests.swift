@testable import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Quiesce by `commands` with a real background "app": a writer loop the stop command kills and the
/// start command starts again, each recorded in an events file.
@Suite struct JobScriptQuiesceTests {
    typealias H = JobScriptHarness

    /// The app, its events file and the quiesce commands that stop and start it.
    struct App {
        let h: H
        var events: String { h.root + "/events" }
        var pidFile: String { h.root + "/app.pid" }
        var lockerPid: String { h.root + "/locker.pid" }

        init(_ h: H) throws {
            self.h = h
            try """
                #!/bin/bash
                echo $$ > \(Shell.quote(h.root + "/app.pid"))
                while :; do date +%s%N >> \(Shell.quote(h.root + "/app.out")); sleep 0.05; done
                """.write(toFile: h.root + "/app.sh", atomically: true, encoding: .utf8)
            try H.bash(start)
            clearEvents()
        }

        var stop: String { "kill $(cat \(Shell.quote(pidFile))) && echo stop >> \(Shell.quote(events))" }
        var start: String {
            "nohup bash \(Shell.quote(h.root + "/app.sh")) </dev/null >/dev/null 2>&1 & sleep 0.2; echo start >> \(Shell.quote(events))"
        }
        /// A stop that also holds an exclusive lock on chroma.sqlite3 (a long query in a transaction):
        /// the capture then waits on it.
        var stopAndLockVectors: String {
            stop + "; sqlite3 \(Shell.quote(h.dataDir + "/vector_db/chroma.sqlite3")) \"BEGIN EXCLUSIVE; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c; COMMIT;\" >/dev/null 2>&1 & echo $! > \(Shell.quote(lockerPid)); sleep 0.3"
        }
        var startAndUnlock: String { "kill $(cat \(Shell.quote(lockerPid))) 2>/dev/null; " + start }

        func eventLog() -> [String] {
            ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func clearEvents() { try? FileManager.default.removeItem(atPath: events) }

        var running: Bool { (try? H.bash("kill -0 $(cat \(Shell.quote(pidFile)))")) != nil }

        func shutdown() {
            _ = try? H.bash("kill $(cat \(Shell.quote(pidFile))) 2>/dev/null; kill $(cat \(Shell.quote(lockerPid))) 2>/dev/null; true")
        }

        func quiesce(stop: String? = nil, start: String? = nil, maxDowntime: Int? = nil) -> CompiledQuiesce {
            CompiledQuiesce(method: .commands, names: [], stopCommands: [stop ?? self.stop],
                            startCommands: [start ?? self.start], maxDowntimeSeconds: maxDowntime)
        }
    }

    @Test func stopsAndStartsTheAppOnce() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let app = try App(h)
        defer { app.shutdown() }
        let plan = h.plan(quiesce: app.quiesce(maxDowntime: 60))
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(app.eventLog() == ["stop", "start"])
        #expect(app.running)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        let snap = h.jobDir(plan) + "/" + (h.snapshots(plan).first ?? "none")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snap + "/SNAPSHOT.json"))) as? [String: Any]
        #expect((json?["downtime_ms"] as? Int ?? 0) > 0)
    }

    /// A run that fails after the stop: the app comes back once, nothing new is listed, the earlier
    /// snapshot is untouched and the journal is gone.
    func expectCleanFailure(_ h: H, _ app: App, _ plan: CompiledPlan, before: [String], earlier: String,
                            _ result: H.Result) throws {
        #expect(result.status == 1, "\(result.stderr)")
        #expect(app.eventLog() == ["stop", "start"], "\(result.stderr)")
        #expect(app.running)
        #expect(h.snapshots(plan) == before)
        #expect(h.jobDirEntries(plan) == before, "no partial folder left")
        #expect(try H.bash("cd \(Shell.quote(h.jobDir(plan))) && cat \(before[0])/SNAPSHOT.json \(before[0])/MANIFEST.sha256 | sha256sum") == earlier)
        try H.bash("cd \(Shell.quote(h.jobDir(plan) + "/" + before[0])) && sha256sum -c --quiet MANIFEST.sha256")
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.runsLog().last?["status"] as? String == "failed")
        #expect(try H.bash("ls -A \(Shell.quote(h.stateDir))") == "lock\nruns.jsonl")
    }

    /// One good run first; returns its IDs and a digest of its SNAPSHOT.json and manifest.
    func goodRun(_ h: H, _ app: App) throws -> (CompiledPlan, [String], String) {
        let plan = h.plan(quiesce: app.quiesce())
        #expect(try h.runScript(try h.writeScript(plan)).status == 0)
        let ids = h.snapshots(plan)
        let digest = try H.bash("cd \(Shell.quote(h.jobDir(plan))) && cat \(ids[0])/SNAPSHOT.json \(ids[0])/MANIFEST.sha256 | sha256sum")
        app.clearEvents()
        return (plan, ids, digest)
    }

    @Test func captureFailureResumesOnceAndPublishesNothing() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let app = try App(h)
        defer { app.shutdown() }
        let (_, before, digest) = try goodRun(h, app)
        // After the preflight passed, the stop command replaces the database with garbage.
        let garbage = "printf 'this is not a database at all' > \(Shell.quote(h.dataDir + "/webui.db")); rm -f \(Shell.quote(h.dataDir + "/webui.db-wal")) \(Shell.quote(h.dataDir + "/webui.db-shm"))"
        let plan = h.plan(quiesce: app.quiesce(stop: app.stop + "; " + garbage))
        let result = try h.runScript(try h.writeScript(plan))
        try expectCleanFailure(h, app, plan, before: before, earlier: digest, result)
        #expect(result.stderr.contains("capture: online backup of"))
    }

    @Test func maxDowntimeExceededKillsTheCaptureAndResumes() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let app = try App(h)
        defer { app.shutdown() }
        let (_, before, digest) = try goodRun(h, app)
        let plan = h.plan(quiesce: app.quiesce(stop: app.stopAndLockVectors, start: app.startAndUnlock, maxDowntime: 1))
        let started = Date()
        let result = try h.runScript(try h.writeScript(plan))
        #expect(Date().timeIntervalSince(started) < 8, "the watchdog, not sqlite3's 10 s busy timeout, ended the capture")
        try expectCleanFailure(h, app, plan, before: before, earlier: digest, result)
        #expect(result.stderr.contains("max_downtime of 1s exceeded"), "\(result.stderr)")
    }

    @Test func sigtermDuringCaptureResumesOnce() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let app = try App(h)
        defer { app.shutdown() }
        let (_, before, digest) = try goodRun(h, app)
        let plan = h.plan(quiesce: app.quiesce(stop: app.stopAndLockVectors, start: app.startAndUnlock))
        let script = try h.writeScript(plan)
        let errors = h.root + "/sigterm.err"
        let pid = try #require(H.spawn("/bin/bash", [script], stderr: errors))
        let deadline = Date().addingTimeInterval(10)
        while app.eventLog() != ["stop"], Date() < deadline { usleep(50_000) }
        usleep(500_000)
        kill(pid, SIGTERM)
        let status = H.wait(pid)
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        try expectCleanFailure(h, app, plan, before: before, earlier: digest,
                               H.Result(status: status, stdout: "", stderr: stderr))
        #expect(h.runsLog().last?["error"] as? String == "received SIGTERM; ending the run")
        // The app the EXIT trap started again takes SIGTERM like any other process (nothing ignored).
        let appPid = try H.bash("cat \(Shell.quote(app.pidFile))")
        #expect(try H.bash("printf %d $((0x$(grep SigIgn /proc/\(appPid)/status | awk '{print $2}') & 0x4000))") == "0")
    }

    @Test func resumeStartsAJournaledStopOnce() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let app = try App(h)
        defer { app.shutdown() }
        let plan = h.plan(quiesce: app.quiesce())
        let script = try h.writeScript(plan)
        // A killed run: the app stopped, the journal (docs/run-contract.md) left behind.
        func killedRun() throws {
            try H.bash(app.stop)
            try FileManager.default.createDirectory(atPath: h.stateDir, withIntermediateDirectories: true)
            try "format 1\nplan openwebui\njob daily\nmethod commands\nstart \(app.start)\n"
                .write(toFile: h.stateDir + "/quiesce", atomically: true, encoding: .utf8)
            app.clearEvents()
        }
        try killedRun()
        let resume = try h.runScript(script, ["--resume"])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(app.eventLog() == ["start"])
        #expect(app.running)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.snapshots(plan).isEmpty && h.runsLog().isEmpty, "--resume only resumes")
        let again = try h.runScript(script, ["--resume"])
        #expect(again.status == 0 && app.eventLog() == ["start"], "nothing left to resume")

        // The next run resumes a journal left behind before it stops the app itself.
        try killedRun()
        let run = try h.runScript(script)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(app.eventLog() == ["start", "stop", "start"])
        #expect(h.snapshots(plan).count == 1)
    }
}
