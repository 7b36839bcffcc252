@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// The plan's lock, and the dry run that never takes it.
extension RunConformanceTests {
    /// A run while another holds `<state_dir>/lock` says so first, waits for it, then runs.
    @Test(arguments: Executor.allCases)
    func aSecondRunWaitsForTheLockAndSaysSo(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try FileManager.default.createDirectory(atPath: h.stateDir, withIntermediateDirectories: true)
        let held = h.root + "/held"
        let holder = try #require(RunHarness.spawn("/usr/bin/flock", [h.stateDir + "/lock", "-c", "touch \(Shell.quote(held)); sleep 1.5"]))
        while !FileManager.default.fileExists(atPath: held) { usleep(10_000) }
        let taken = Date()
        let run = try executor.run(h, h.plan())
        let waited = Date().timeIntervalSince(taken)
        _ = RunHarness.wait(holder)
        #expect(run.status == 0, "\(run.stderr)")
        let first = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("holds \(h.stateDir)/lock; waiting for it"), "\(run.stderr)")
        #expect(waited >= 1.2, "the run waited for the holder (\(waited) s)")
        #expect(run.record?["status"] as? String == "ok")
    }

    /// `--dry-run` runs the preflight and says what it would do; nothing under the test folder changes,
    /// not even the state dir (no lock is taken) or the quiesce (the app is never stopped).
    @Test(arguments: Executor.allCases)
    func aDryRunChangesNothing(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(quiesce: CompiledQuiesce(method: .commands, names: [], stopCommands: ["touch \(Shell.quote(h.root + "/stopped"))"],
                                                   startCommands: ["true"], maxDowntimeSeconds: nil))
        let line = try executor.commandLine(h, plan) + ["--dry-run"]
        // Everything below the test folder but the folder itself (the harness writes its output files there).
        let listing = "cd \(Shell.quote(h.root)) && find . -mindepth 1 -printf '%p %s %T@\\n' | sort"
        let before = try RunHarness.bash(listing)
        let result = RunHarness.run(line[0], Array(line.dropFirst()), scratch: h.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("dry run: would capture database (sqlite)"), "\(result.stderr)")
        #expect(try RunHarness.bash(listing) == before)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir))
        #expect(h.jobDirEntries(plan).isEmpty)
    }
}
