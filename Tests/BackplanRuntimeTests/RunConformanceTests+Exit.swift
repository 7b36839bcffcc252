@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// Exit statuses: 1 when nothing was published, 3 when some targets failed, 64 for bad arguments.
extension RunConformanceTests {
    /// A source that fails the preflight: exit 1, a message naming it, nothing captured, the run recorded.
    @Test(arguments: Executor.allCases)
    func aFailedPreflightExits1BeforeAnything(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("printf 'not a db' > \(Shell.quote(h.dataDir + "/webui.db"))")
        let plan = h.plan()
        let run = try executor.run(h, plan)
        #expect(run.status == 1)
        #expect(run.stderr.contains("preflight: source database"), "\(run.stderr)")
        #expect(h.snapshots(plan).isEmpty)
        #expect(h.jobDirEntries(plan).isEmpty)
        let record = try #require(run.record)
        #expect(record["status"] as? String == "failed" && record["exit"] as? Int == 1)
        #expect(record["executor"] as? String == executor.recordedName)
        #expect((record["error"] as? String)?.contains("database") == true, "\(record)")
        #expect((record["targets"] as? [[String: Any]])?.first?["error"] as? String == "not attempted: the run failed before publishing")
    }

    /// A target that cannot be reached fails that target only (exit 3, `partial`); with only such targets
    /// the run fails in preflight (exit 1), before anything is stopped or captured.
    @Test(arguments: Executor.allCases)
    func anUnreachableRemoteTargetFailsThatTargetOnly(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        // rclone with no such remote in any config: its preflight fails at once, without a network.
        let remote = CompiledTarget(name: "b2", kind: .rclone(CompiledRcloneTarget(
            remote: "nosuchremote:bucket", configFile: h.root + "/empty-rclone.conf")))
        FileManager.default.createFile(atPath: h.root + "/empty-rclone.conf", contents: Data())
        let mixed = h.plan(targets: [RunHarness.localTarget("local", h.backups), remote, RunHarness.localTarget("usb", h.root + "/usb")])
        let result = try executor.run(h, mixed)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("target b2: preflight: "), "\(result.stderr)")
        #expect(h.snapshots(mixed).count == 1 && h.snapshots(mixed, target: h.root + "/usb").count == 1)
        let run = try #require(result.record)
        #expect(run["status"] as? String == "partial" && run["exit"] as? Int == 3)
        let targets = (run["targets"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["status"] ?? "")" }
        #expect(targets == ["b2:failed", "local:ok", "usb:ok"])

        // A restic repository that is not there, with a password file that is not there either: the same.
        let restic = CompiledTarget(name: "offsite", kind: .restic(CompiledResticTarget(repository: "/nowhere", passwordFile: h.root + "/no-password")))
        let withRestic = h.plan(targets: [RunHarness.localTarget("local", h.backups), restic])
        let resticRun = try executor.run(h, withRestic)
        #expect(resticRun.status == 3, "\(resticRun.stderr)")
        let resticTargets = resticRun.record?["targets"] as? [[String: Any]] ?? []
        #expect(resticTargets.map { $0["status"] as? String } == ["ok", "failed"])

        // Only unreachable targets: the run fails in preflight, before anything is stopped or captured.
        let unreachable = CompiledTarget(name: "s3", kind: .restic(CompiledResticTarget(
            repository: h.root + "/no-such-repository", passwordFile: h.root + "/no-such-password")))
        let remoteOnly = h.plan(job: "offsite", targets: [remote, unreachable])
        let failed = try executor.run(h, remoteOnly)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("no target can be reached"), "\(failed.stderr)")
        if executor == .bash { #expect(failed.stderr.contains("preflight: no target can be reached"), "\(failed.stderr)") }
        #expect(!failed.stderr.contains("capture into"))
        #expect(failed.record?["status"] as? String == "failed")
        #expect(try RunHarness.bash("ls -A \(Shell.quote(h.stateDir))") == "lock\nruns.jsonl", "nothing staged")
    }

    /// `--help` prints the usage (exit 0); an unknown argument or a bad `--jitter` exits 64 and creates nothing.
    @Test(arguments: Executor.allCases)
    func helpAndBadArguments(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        let plan = h.plan()
        let help = try executor.run(h, plan, arguments: ["--help"])
        #expect(help.status == 0 && help.stdout.contains("--dry-run"), "\(help.stdout)\(help.stderr)")
        let bad = try executor.run(h, plan, arguments: ["--bogus"])
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains(executor == .bash ? "unknown argument" : "Unknown option '--bogus'"), "\(bad.stderr)")
        let jitter = try executor.run(h, plan, arguments: ["--jitter", "x"])
        #expect(jitter.status == 64, "\(jitter.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.stateDir), "bad arguments create nothing")
    }
}
