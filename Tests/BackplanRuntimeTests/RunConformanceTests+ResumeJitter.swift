@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The quiesce journal, `--resume` (the systemd unit's `ExecStopPost=`) and `--jitter SECONDS` (cron).
extension RunConformanceTests {
    /// A journal a killed run left is resumed by the next run before it stops the app itself.
    @Test(arguments: Executor.allCases)
    func aJournalLeftBehindIsResumedFirst(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        let quiesce = RunQuiesceTests.commands(h)
        let plan = h.plan(quiesce: quiesce)
        try FileManager.default.createDirectory(atPath: h.stateDir, withIntermediateDirectories: true)
        try QuiesceJournal(plan: plan.name, job: "daily", method: "commands", names: [], startCommands: quiesce.startCommands)
            .write(stateDir: h.stateDir)
        let run = try executor.run(h, plan)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("a killed run left the app stopped"), "\(run.stderr)")
        #expect(RunQuiesceTests.events(h) == ["start", "stop", "start"])
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.snapshots(plan).count == 1)
    }

    /// A run of `killer` is killed (its whole session, like systemd's cgroup kill) while the app is
    /// stopped, leaving the journal; `resumer --resume` starts the app, removes the journal, exits 0 and
    /// records no run; a second `--resume` has nothing to do.
    @Test(arguments: Executor.allCases, Executor.allCases)
    func resumeStartsWhatAKilledRunLeftStopped(killer: Executor, resumer: Executor) throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        var quiesce = RunQuiesceTests.commands(h)
        // The stop hangs, so the kill always lands while the app is stopped.
        quiesce.stopCommands[0] += "; sleep 60"
        let plan = h.plan(quiesce: quiesce)
        let pid = try #require(RunHarness.spawn("/usr/bin/setsid", try killer.commandLine(h, plan), stderr: h.root + "/killed.err"))
        var stopped = false
        for _ in 0..<1000 where !stopped {
            stopped = RunQuiesceTests.events(h).last == "stop"
            if !stopped { usleep(10_000) }
        }
        FaultKillTests.killSession(pid)
        _ = RunHarness.wait(pid)
        #expect(stopped)
        #expect(FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"), "the killed run left its journal")

        let line = try resumer.commandLine(h, plan) + ["--resume"]
        let resumed = RunHarness.run(line[0], Array(line.dropFirst()), scratch: h.root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(RunQuiesceTests.events(h) == ["stop", "start"])
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
        #expect(h.runsLog().isEmpty, "--resume records no run")
        #expect(h.snapshots(plan).isEmpty)

        let again = RunHarness.run(line[0], Array(line.dropFirst()), scratch: h.root)
        #expect(again.status == 0 && again.stderr.contains("resume: no quiesce journal; nothing to do"), "\(again.stderr)")
        #expect(RunQuiesceTests.events(h) == ["stop", "start"])
    }

    @Test(arguments: Executor.allCases)
    func jitterZeroRunsAndBadValuesAreUsageErrors(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        let line = try executor.commandLine(h, plan)
        let zero = RunHarness.run(line[0], Array(line.dropFirst()) + ["--jitter", "0"], scratch: h.root)
        #expect(zero.status == 0, "\(zero.stderr)")
        #expect(!zero.stderr.contains("jitter:"), "--jitter 0 does not sleep")
        for bad in [["--jitter"], ["--jitter", "x"], ["--jitter", "-1"], ["--jitter", "1.5"], ["--jitter", "1000000000"]] {
            let result = RunHarness.run(line[0], Array(line.dropFirst()) + bad, scratch: h.root)
            #expect(result.status == 64, "\(bad): \(result.stderr)")
        }
        #expect(h.runsLog().count == 1, "usage errors record no run")
    }

    /// The delay each run logs is really slept, before the lock. The plan's data dir is missing, so each
    /// run ends at the preflight; runs are repeated until one draws a delay above 0 (p = 1/3 each).
    @Test(arguments: Executor.allCases)
    func jitterSleepsBeforeTheLock(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        let line = try executor.commandLine(h, h.plan()) + ["--jitter", "2"]
        var slept = 0
        for _ in 0..<12 where slept == 0 {
            let started = Date()
            let result = RunHarness.run(line[0], Array(line.dropFirst()), scratch: h.root)
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.status == 1, "\(result.stderr)")
            let match = try #require(result.stderr.firstMatch(of: /jitter: sleeping (\d+)s\n(?s:.*)run \d{8}T\d{6}Z: start/),
                                     "the jitter comes before the run starts: \(result.stderr)")
            slept = try #require(Int(match.1))
            #expect((0...2).contains(slept))
            #expect(elapsed >= Double(slept), "logged \(slept)s, took \(elapsed)s")
        }
        #expect(slept > 0)
    }
}
