@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// Labelled snapshots on remote targets, in both executors (docs/run-contract.md, "Labelled snapshots"):
/// on rclone the labels come from the SNAPSHOT.json files (fetched in one copy), on restic from the
/// `label=` tags. keep_last 1 over a labelled run and two plain ones keeps the labelled one and the newest;
/// a label that cannot be read keeps its snapshot with a warning; `prune --remove ID` removes it.
extension RcloneTargetTests {
    @Test(arguments: Executor.allCases)
    func labelledSnapshotsSurviveRetentionOnRclone(_ executor: Executor) throws {
        let w = try Workspace(retention: RetentionPolicy(keepLast: 1))
        let labelled = try executor.run(w.harness, w.plan, arguments: ["--label", "pre-upgrade"], environment: w.environment)
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let id = try #require(w.remoteIDs.first)
        // A forged remote snapshot whose SNAPSHOT.json is no JSON: its label cannot be read.
        let forged = "20200101T000000Z"
        let put = RunHarness.run("/bin/bash", ["-c", "printf 'not json' | env -u AWS_CA_BUNDLE rclone rcat offsite:backplan-test/openwebui/daily/\(forged)/SNAPSHOT.json"],
                                 environment: w.rcloneEnvironment)
        #expect(put.status == 0, "\(put.stderr)")
        for _ in 0..<2 {
            let run = try executor.run(w.harness, w.plan, environment: w.environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("retention: target offsite: keeping snapshot \(id) (label pre-upgrade)"), "\(run.stderr)")
            #expect(run.stderr.contains("retention: warning: target offsite: snapshot \(forged) is kept: its label cannot be read"), "\(run.stderr)")
        }
        let local = w.harness.snapshots(w.plan)
        #expect(local.count == 2 && local[0] == id, "\(local)")
        #expect(w.remoteIDs == [forged] + local, "the labelled, the forged and the newest stay on rclone")

        let listed = try w.backplan(["snapshots", w.planPath, "--target", "offsite"])
        #expect(listed.stdout.contains("offsite daily \(id) ") && listed.stdout.contains("label=pre-upgrade"), "\(listed.stdout)")
        let list = try w.restoreScript(["list", "offsite"])
        #expect(list.stdout.contains("daily \(id) ") && list.stdout.contains(" label=pre-upgrade"), "\(list.stdout)\(list.stderr)")

        let dry = try w.backplan(["prune", w.planPath, "--remove", id, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout == "would remove snapshot \(id) of job daily from target local (label pre-upgrade)\n"
            + "would remove snapshot \(id) of job daily from target offsite (label pre-upgrade)\n", "\(dry.stdout)")
        #expect(w.remoteIDs.contains(id))
        let removed = try w.backplan(["prune", w.planPath, "--remove", id])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("removed snapshot \(id) of job daily from target offsite (label pre-upgrade)"), "\(removed.stdout)")
        #expect(w.remoteIDs == [forged, local[1]])
        #expect(w.harness.snapshots(w.plan) == [local[1]])
        let forgedGone = try w.backplan(["prune", w.planPath, "--remove", forged, "--target", "offsite"])
        #expect(forgedGone.status == 0, "\(forgedGone.stderr)")
        #expect(w.remoteIDs == [local[1]])
        try w.expectNoSecrets()
    }
}

extension RcloneTargetTests.Workspace {
    /// The environment of a direct rclone call with the test's credentials (no backplan).
    var rcloneEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AWS_CA_BUNDLE")
        for (key, value) in (try? S3Service.readEnvFile(envFile)) ?? [:] { env[key] = value }
        env["RCLONE_CONFIG_OFFSITE_ENDPOINT"] = s3.endpoint
        return env
    }
}

extension ResticTargetTests {
    /// One run of the job by `executor` with `arguments` (restic through the workspace's recorder).
    func run(_ executor: Executor, _ w: ResticWorkspace, _ arguments: [String] = []) throws -> SnapshotWorkspace.Result {
        switch executor {
        case .runtime: return w.backplan("run", ["daily"] + arguments)
        case .bash:
            let script = w.root + "/daily.sh"
            try LibraryEmitter.install(JobScriptEmitter.render(w.plan, job: w.plan.jobs[0]), plan: w.plan, at: script)
            return SnapshotWorkspace.run("/bin/bash", [script] + arguments, environment: w.environment())
        }
    }

    @Test(arguments: Executor.allCases)
    func labelledSnapshotsSurviveRetentionOnRestic(_ executor: Executor) throws {
        try withWorkspace(retention: RetentionPolicy(keepLast: 1)) { w in
            let labelled = try run(executor, w, ["--label", "pre-upgrade"])
            #expect(labelled.status == 0, "\(labelled.stderr)")
            let id = try #require(w.localIDs.first)
            let snapshot = try #require(try w.resticSnapshots().first)
            #expect(snapshot["tags"] as? [String] == ["backplan", "plan=openwebui", "job=daily", "id=\(id)", "label=pre-upgrade"])
            // A second plain snapshot, then its tag forged to a label that is no label name.
            let plain = try run(executor, w)
            #expect(plain.status == 0, "\(plain.stderr)")
            let second = try #require(w.localIDs.last)
            let resticID = try #require(try w.resticSnapshots().first { ($0["tags"] as? [String])?.contains("id=\(second)") == true }?["id"] as? String)
            _ = try w.restic(["tag", "--add", "label=Not_A_Label", resticID])
            let third = try run(executor, w)
            #expect(third.status == 0, "\(third.stderr)")
            #expect(third.stderr.contains("retention: target offsite: keeping snapshot \(id) (label pre-upgrade)"), "\(third.stderr)")
            #expect(third.stderr.contains("retention: warning: target offsite: snapshot \(second) is kept: its label cannot be read"), "\(third.stderr)")
            let newest = try #require(w.localIDs.last)
            #expect(w.localIDs == [id, newest], "locally the plain second snapshot goes, the labelled one stays")
            #expect(try w.resticIDs() == [id, second, newest], "on restic the forged label keeps the second too")

            let listed = w.backplan("snapshots", ["--target", "offsite"])
            #expect(listed.stdout.contains("offsite daily \(id) ") && listed.stdout.contains("label=pre-upgrade"), "\(listed.stdout)")
            let list = try w.restoreScript(["list", "offsite"])
            #expect(list.stdout.contains("daily \(id) ") && list.stdout.contains(" label=pre-upgrade"), "\(list.stdout)\(list.stderr)")

            let removed = w.backplan("prune", ["--remove", id, "--target", "offsite"])
            #expect(removed.status == 0, "\(removed.stderr)")
            #expect(removed.stdout == "removed snapshot \(id) of job daily from target offsite (label pre-upgrade)\n", "\(removed.stdout)")
            #expect(try w.resticIDs() == [second, newest])
            #expect(w.localIDs == [id, newest], "--target offsite leaves the local copy")
            let again = w.backplan("prune", ["--remove", id, "--target", "offsite"])
            #expect(again.status == 1 && again.stderr.contains("no target holds a complete snapshot \(id)"), "\(again.stderr)")
        }
    }
}

extension RsyncTargetTests {
    /// On an rsync target the labels come from the NAS's SNAPSHOT.json files, fetched in one rsync without
    /// links: a forged snapshot whose SNAPSHOT.json is a symbolic link (listed, since `[ -f ]` follows it)
    /// is not fetched, so its label cannot be read and it is kept.
    @Test(arguments: Executor.allCases)
    func labelledSnapshotsSurviveRetentionOnRsync(_ executor: Executor) throws {
        let w = try RsyncWorkspace(retention: RetentionPolicy(keepLast: 1))
        defer { w.remove() }
        let labelled = try executor.run(w.harness, w.plan, arguments: ["--label", "pre-upgrade"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let id = try #require(w.nasSnapshots.first)
        let linked = "20200101T000000Z"
        try FileManager.default.createDirectory(atPath: w.nasJob + "/" + linked + "/data", withIntermediateDirectories: true)
        try "{}".write(toFile: w.harness.root + "/plain.json", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: w.nasJob + "/" + linked + "/SNAPSHOT.json", withDestinationPath: w.harness.root + "/plain.json")
        for _ in 0..<2 {
            let run = try executor.run(w.harness, w.plan)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("retention: target nas: keeping snapshot \(id) (label pre-upgrade)"), "\(run.stderr)")
            #expect(run.stderr.contains("retention: warning: target nas: snapshot \(linked) is kept: its label cannot be read"), "\(run.stderr)")
        }
        let local = w.harness.snapshots(w.plan)
        #expect(local.count == 2 && local[0] == id, "\(local)")
        #expect(w.nasSnapshots == [linked] + local)
    }
}

extension RsyncPullTests {
    /// The NAS's pull script keeps a pulled labelled snapshot and one whose label cannot be read out of its
    /// retention (keep_last 1 keeps the newest plain one beside them), with sqlite3 and, in the last round,
    /// without it on PATH (the NAS may have none).
    @Test func theNASKeepsLabelledSnapshotsWithAndWithoutSQLite() throws {
        var p = try Pull()
        defer { p.remove() }
        p.plan.jobs[0].retention = RetentionPolicy(keepLast: 1)
        let labelled = try p.harness.runScript(try p.harness.writeScript(p.plan), ["--label", "pre-upgrade"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let first = try p.pull()
        #expect(first.status == 0, "\(first.stderr)")
        let id = try #require(p.nasEntries.first)
        let forged = "20200101T000000Z"
        try FileManager.default.createDirectory(atPath: p.nasJob + "/" + forged + "/data", withIntermediateDirectories: true)
        // Cut short: no JSON for sqlite3, and a `label` that is no "label":"NAME" member for the fallback.
        try #"{"label":7"#.write(toFile: p.nasJob + "/" + forged + "/SNAPSHOT.json", atomically: true, encoding: .utf8)
        // Every tool but sqlite3, for the last round.
        let farm = p.harness.root + "/no-sqlite"
        try FileManager.default.createDirectory(atPath: farm, withIntermediateDirectories: true)
        for dir in ["/usr/local/bin", "/usr/bin", "/bin"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name != "sqlite3" {
                try? FileManager.default.createSymbolicLink(atPath: farm + "/" + name, withDestinationPath: dir + "/" + name)
            }
        }
        #expect(RunHarness.run("/bin/bash", ["-c", "command -v sqlite3"], environment: ["PATH": farm]).status != 0, "no sqlite3 in \(farm)")
        for round in 0..<2 {
            #expect(try p.harness.runScript(try p.harness.writeScript(p.plan)).status == 0)
            let script = try p.generate() + "/pull-nas.sh"
            var environment = ProcessInfo.processInfo.environment
            if round == 1 { environment["PATH"] = farm }
            let pulled = RunHarness.run("/bin/bash", [script], scratch: p.harness.root, environment: environment)
            #expect(pulled.status == 0, "\(pulled.stderr)")
            #expect(pulled.stderr.contains("retention: job daily: keeping snapshot \(id) (label pre-upgrade)"), "\(pulled.stderr)")
            #expect(pulled.stderr.contains("retention: warning: job daily: snapshot \(forged) is kept: its label cannot be read"),
                    "round \(round): \(pulled.stderr)")
        }
        let newest = try #require(p.harness.snapshots(p.plan).last)
        #expect(p.nasEntries == [forged, id, newest])
    }
}
