@testable import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Retention, leftovers of killed runs, targets of other types, dry runs.
@Suite struct JobScriptRetentionTests {
    typealias H = JobScriptHarness

    /// Forged snapshots over two years: after a run, the job folder holds exactly what RetentionPlanner
    /// (checked against restic itself in RetentionResticOracleTests) keeps of them plus the new snapshot.
    @Test func retentionKeepsWhatThePlannerKeeps() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let policy = RetentionPolicy(keepLast: 2, keepDaily: 5, keepWeekly: 4, keepMonthly: 6, keepYearly: 2)
        let plan = h.plan(retention: policy)
        let dir = h.jobDir(plan)
        var forged: [String] = []
        var rng = SystemRandomNumberGenerator()
        let start = 1_700_000_000 // 2023-11-14
        var t = start
        while t < start + 2 * 365 * 86_400 {
            t += Int.random(in: 3_600...(5 * 86_400), using: &rng)
            forged.append(SnapshotTime(secondsSinceEpoch: t)!.id)
        }
        forged = Array(Set(forged)).sorted()
        try H.bash(forged.map { "mkdir -p \(Shell.quote(dir + "/" + $0 + "/data")) && echo '{}' > \(Shell.quote(dir + "/" + $0 + "/SNAPSHOT.json"))" }
            .joined(separator: " && "))
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        let after = h.snapshots(plan)
        let newest = try #require(after.last)
        #expect(!forged.contains(newest))
        let expected = RetentionPlanner.plan(ids: forged + [newest], policy: policy).keptIDs.sorted()
        #expect(after == expected, "kept \(after.count) of \(forged.count + 1); the planner keeps \(expected.count)")
    }

    @Test func retentionKeepsTheNewestAndRemovesLeftovers() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(retention: RetentionPolicy(keepLast: 3))
        let dir = h.jobDir(plan)
        let forged = ["20200101T000000Z", "20200102T000000Z", "20200103T000000Z", "20200104T000000Z"]
        for id in forged {
            try H.bash("mkdir -p \(Shell.quote(dir + "/" + id + "/data")) && echo '{}' > \(Shell.quote(dir + "/" + id + "/SNAPSHOT.json"))")
        }
        // Left by killed runs: never listed, removed by the next run. A folder without SNAPSHOT.json is
        // not a snapshot: retention leaves it alone.
        try H.bash("cd \(Shell.quote(dir)) && mkdir -p .20200105T000000Z.partial/data .20200106T000000Z.deleting 20200107T000000Z/data && echo '{}' > .20200105T000000Z.partial/SNAPSHOT.json")
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 3)
        #expect(Array(ids.prefix(2)) == ["20200103T000000Z", "20200104T000000Z"], "keep_last 3: the newest three stay")
        #expect(ids[2] > "2025", "this run's snapshot is kept")
        #expect(h.jobDirEntries(plan) == ["20200103T000000Z", "20200104T000000Z", "20200107T000000Z", ids[2]])
        #expect(result.stderr.contains("removing .20200105T000000Z.partial left by an earlier run"))
        #expect(result.stderr.contains("retention: target local: removing snapshot 20200101T000000Z"))
    }

    @Test func anUnreachableRemoteTargetFailsThatTargetOnly() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        // rclone with no such remote in any config: its preflight fails at once, without a network.
        let remote = CompiledTarget(name: "b2", kind: .rclone(CompiledRcloneTarget(
            remote: "nosuchremote:bucket", configFile: h.root + "/empty-rclone.conf")))
        FileManager.default.createFile(atPath: h.root + "/empty-rclone.conf", contents: Data())
        let mixed = h.plan(targets: [H.localTarget("local", h.backups), remote, H.localTarget("usb", h.root + "/usb")])
        let result = try h.runScript(try h.writeScript(mixed))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("target b2: preflight: "), "\(result.stderr)")
        #expect(h.snapshots(mixed).count == 1 && h.snapshots(mixed, target: h.root + "/usb").count == 1)
        let run = try #require(h.runsLog().last)
        #expect(run["status"] as? String == "partial" && run["exit"] as? Int == 3)
        let targets = (run["targets"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["status"] ?? "")" }
        #expect(targets == ["b2:failed", "local:ok", "usb:ok"])

        // Only unreachable targets: the run fails in preflight, before anything is stopped or captured.
        let restic = CompiledTarget(name: "s3", kind: .restic(CompiledResticTarget(
            repository: h.root + "/no-such-repository", passwordFile: h.root + "/no-such-password")))
        let remoteOnly = h.plan(job: "offsite", targets: [remote, restic])
        let failed = try h.runScript(try h.writeScript(remoteOnly))
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("preflight: no target can be reached"), "\(failed.stderr)")
        #expect(!failed.stderr.contains("capture into"))
        #expect(h.runsLog().last?["status"] as? String == "failed")
        #expect(try H.bash("ls -A \(Shell.quote(h.stateDir))") == "lock\nruns.jsonl", "nothing staged")
    }

    @Test func dryRunChangesNothing() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(quiesce: CompiledQuiesce(method: .commands, names: [], stopCommands: ["touch \(Shell.quote(h.root + "/stopped"))"],
                                                   startCommands: ["true"], maxDowntimeSeconds: nil))
        let script = try h.writeScript(plan)
        // Everything below the test folder but the folder itself (the harness writes its output files there).
        let listing = "cd \(Shell.quote(h.root)) && find . -mindepth 1 -printf '%p %s %T@\\n' | sort"
        let before = try H.bash(listing)
        let result = try h.runScript(script, ["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("dry run: would capture database (sqlite)"))
        #expect(try H.bash(listing) == before)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir))
    }

    @Test func secondRunWaitsForTheLock() throws {
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        try FileManager.default.createDirectory(atPath: h.stateDir, withIntermediateDirectories: true)
        let holder = try #require(H.spawn("/usr/bin/flock", [h.stateDir + "/lock", "sleep", "1.5"]))
        usleep(300_000)
        let result = try h.runScript(try h.writeScript(plan))
        _ = H.wait(holder)
        #expect(result.status == 0)
        #expect(result.stderr.contains("holds \(h.stateDir)/lock; waiting for it"))
    }
}
