@testable import BackplanCore
import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// The restic target against a real S3 API (moto_server on 127.0.0.1), in both executors: full cycle,
/// cross-executor restores, the init policy, a wrong password, a killed backup, and secret redaction.
@Suite(.serialized) struct ResticTargetTests {
    /// Runs `body` with a fresh workspace on a fresh moto_server, both removed afterwards.
    func withWorkspace(initialize: Bool = true, retention: RetentionPolicy? = nil,
                       _ body: (ResticWorkspace) throws -> Void) throws {
        let s3 = try S3Service()
        defer { s3.stop() }
        let workspace = try ResticWorkspace(s3: s3, initialize: initialize, retention: retention)
        defer { workspace.remove() }
        try body(workspace)
    }

    /// The restored folder's data matches the local snapshot of the same ID byte for byte, and its
    /// database dumps like the source's.
    func expectSameAsLocal(_ restored: String, _ w: ResticWorkspace, id: String) throws {
        let local = w.workspace.jobDir + "/" + id + "/data"
        #expect(try SnapshotWorkspace.tree(restored) == SnapshotWorkspace.tree(local))
        #expect(try SnapshotWorkspace.sqlite(restored + "/webui.db", ".dump") == SnapshotWorkspace.sqlite(w.workspace.dataDir + "/webui.db", ".dump"))
    }

    @Test func fullCycleInBothExecutorsWithCrossExecutorRestores() throws {
        var keepTwo = RetentionPolicy()
        keepTwo.keepLast = 2
        try withWorkspace(retention: keepTwo) { w in
            var outputs: [String] = []
            // 1: the bash script creates the repository (init: true) and uploads; 2: backplan run; 3: bash again.
            let first = try w.jobScript()
            outputs += [first.stdout, first.stderr]
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.contains("did not exist; created it (init: true)"))
            let second = w.backplan("run", ["daily"])
            outputs += [second.stdout, second.stderr]
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("against parent"), "\(second.stderr)")
            let third = try w.jobScript()
            outputs += [third.stdout, third.stderr]
            #expect(third.status == 0, "\(third.stderr)")
            // Hard-linked files of the local snapshot are not read again: restic counts them unmodified.
            let unmodified = third.stderr.split(separator: "\n").first { $0.contains("unmodified files") } ?? ""
            #expect(unmodified.contains(" 0 new,") && !unmodified.contains(" 0 unmodified"), "\(unmodified)")

            let ids = w.localIDs
            #expect(ids.count == 2)
            // restic's cache lives in the state dir (a systemd service has no HOME).
            let cache = (try? FileManager.default.contentsOfDirectory(atPath: w.workspace.stateDir + "/restic-cache")) ?? []
            #expect(cache.contains { $0.count == 64 }, "\(cache)")
            #expect(try w.resticIDs() == ids, "retention keeps the same two snapshots on restic as locally")
            let (runtimeID, bashID) = (ids[0], ids[1])
            // Each restic snapshot: fixed host, the snapshot's start time, the four tags.
            for snapshot in try w.resticSnapshots() {
                let tags = snapshot["tags"] as? [String] ?? []
                let id = String(tags.first { $0.hasPrefix("id=") }?.dropFirst(3) ?? "")
                #expect(snapshot["hostname"] as? String == "backplan")
                #expect(snapshot["time"] as? String == RunClock.iso(id: id), "\(snapshot)")
                #expect(tags == ["backplan", "plan=openwebui", "job=daily", "id=\(id)"])
            }

            // Listing in both executors.
            let listed = w.backplan("snapshots", ["--target", "offsite"])
            outputs += [listed.stdout, listed.stderr]
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(ids.allSatisfy { listed.stdout.contains($0) }, "\(listed.stdout)")
            let list = try w.restoreScript(["list", "offsite"])
            outputs += [list.stdout, list.stderr]
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
                == ids.map { "daily \($0)" }, "\(list.stdout)\(list.stderr)")
            #expect(!list.stdout.contains("?"), "SNAPSHOT.json read through restic dump: \(list.stdout)")

            // Verify (deep: restic check --read-data and the restored copy against its manifest).
            let verify = w.backplan("verify", ["--target", "offsite", "--deep"])
            outputs += [verify.stdout, verify.stderr]
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

            // Cross-executor restores into empty folders: backplan restore of what bash uploaded, and
            // restore.sh of what backplan run uploaded.
            let byRuntime = w.root + "/restored-by-runtime", byScript = w.root + "/restored-by-script"
            let restore = w.backplan("restore", ["--target", "offsite", "--snapshot", bashID, "--to", byRuntime])
            outputs += [restore.stdout, restore.stderr]
            #expect(restore.status == 0, "\(restore.stderr)")
            try expectSameAsLocal(byRuntime, w, id: bashID)
            let restoreSh = try w.restoreScript(["restore", "offsite", "daily", runtimeID, byScript])
            outputs += [restoreSh.stdout, restoreSh.stderr]
            #expect(restoreSh.status == 0, "\(restoreSh.stderr)")
            try expectSameAsLocal(byScript, w, id: runtimeID)

            // backplan prune with keep_last 1 on the target: restic forget + prune remove the older one.
            var pruned = w
            pruned.workspace.plan.jobs[0].retention?.keepLast = 1
            try pruned.workspace.writePlan()
            let prune = pruned.backplan("prune", ["--target", "offsite"])
            outputs += [prune.stdout, prune.stderr]
            #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
            #expect(try w.resticIDs() == [bashID])
            #expect(try w.restic(["check"]).contains("no errors"))

            // Secrets: no output, log, generated file or restic command line holds one; the password is a file.
            #expect(try w.leakedSecrets(in: outputs).isEmpty)
            let argv = try String(contentsOfFile: w.argvLog, encoding: .utf8)
            #expect(argv.contains("--password-file="))
            let environments = argv.split(separator: "\n").filter { $0.hasPrefix("RESTIC_PASSWORD in the environment: ") }
            #expect(!environments.isEmpty && environments.allSatisfy { $0.hasSuffix(": none") })
        }
    }

    func s3Endpoint(_ w: ResticWorkspace) -> String { w.s3?.endpoint ?? "" }

    /// A local-folder repository as the job's only target: the sealed folder is a fresh copy in staging,
    /// so restic reads every file again but adds only what changed; restores match the source.
    @Test func aLocalFolderRepositoryAsTheOnlyTargetWithDeepVerify() throws {
        let w = try ResticWorkspace(s3: nil, resticOnly: true, verify: .deep)
        defer { w.remove() }
        let bash = try w.jobScript()
        #expect(bash.status == 0, "\(bash.stderr)")
        #expect(FileManager.default.fileExists(atPath: w.root + "/repo/config"))
        let runtime = w.backplan("run", ["daily"])
        #expect(runtime.status == 0, "\(runtime.stderr)")
        for result in [bash, runtime] { #expect(result.stderr.contains("target offsite: verified (deep)"), "\(result.stderr)") }
        #expect(runtime.stderr.contains("restored copy matches MANIFEST.sha256"), "\(runtime.stderr)")
        #expect(runtime.stderr.contains("against parent") && runtime.stderr.contains(" 0 new,"), "\(runtime.stderr)")
        #expect(w.localIDs.isEmpty, "no local target: nothing published locally")
        let ids = try w.resticIDs()
        #expect(ids.count == 2)
        let list = try w.restoreScript(["list", "offsite"])
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stdout)\(list.stderr)")
        for (index, id) in ids.enumerated() {
            let into = w.root + "/restored-\(index)"
            let result = index == 0 ? w.backplan("restore", ["--target", "offsite", "--snapshot", id, "--to", into])
                                    : try w.restoreScript(["restore", "offsite", "daily", id, into])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try SnapshotWorkspace.tree(into + "/uploads") == SnapshotWorkspace.tree(w.workspace.dataDir + "/uploads"))
            #expect(try SnapshotWorkspace.sqlite(into + "/webui.db", ".dump") == SnapshotWorkspace.sqlite(w.workspace.dataDir + "/webui.db", ".dump"))
        }
        #expect(try w.leakedSecrets(in: [bash.stderr, runtime.stderr, list.stdout, list.stderr]).isEmpty)
    }

    /// A damaged pack file: deep verification (restic check --read-data) fails, the run exits 3 naming the
    /// target, and this run's snapshot is withdrawn (never listed), in both executors.
    @Test func aCorruptedRepositoryFailsDeepVerificationAndTheSnapshotIsWithdrawn() throws {
        let w = try ResticWorkspace(s3: nil, verify: .deep)
        defer { w.remove() }
        let first = try w.jobScript()
        #expect(first.status == 0, "\(first.stderr)")
        let packs = try JobScriptHarness.bash("find \(Shell.quote(w.root + "/repo/data")) -type f | sort")
        for pack in packs.split(separator: "\n") {
            chmod(String(pack), 0o644)
            try SnapshotWorkspace.flipByte(String(pack), at: 100)
        }
        let bash = try w.jobScript()
        let runtime = w.backplan("run", ["daily"])
        for (result, index) in [(bash, 1), (runtime, 2)] {
            #expect(result.status == 3, "\(result.stderr)")
            let target = (w.runsLog()[index]["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "offsite" }
            let error = (target?["error"] as? String) ?? ""
            #expect(error.contains("verification"), "\(target ?? [:])")
        }
        #expect(try w.resticIDs() == [w.localIDs[0]], "only the first run's snapshot stays listed: \(bash.stderr)\(runtime.stderr)")
    }

    @Test func initFalseOnAMissingRepositoryFailsClearlyAndCreatesNothing() throws {
        try withWorkspace(initialize: false) { w in
            let bash = try w.jobScript()
            let runtime = w.backplan("run", ["daily"])
            for (result, runs) in [(bash, 0), (runtime, 1)] {
                #expect(result.status == 3, "\(result.stderr)")
                let record = w.runsLog()[runs]
                let target = (record["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "offsite" }
                let error = target?["error"] as? String ?? ""
                #expect(target?["status"] as? String == "failed")
                #expect(error.contains("does not exist") && error.contains("init: true") && error.contains("restic"), "\(error)")
            }
            #expect(w.localIDs.count == 2, "the local snapshots stay published")
            // Listing a missing repository fails with the fix, in both executors.
            let list = try w.restoreScript(["list", "offsite"])
            #expect(list.status == 1 && list.stderr.contains("does not exist") && list.stderr.contains("init: true"), "\(list.stderr)")
            let snapshots = w.backplan("snapshots", ["--target", "offsite"])
            #expect(snapshots.status == 1 && snapshots.stderr.contains("does not exist"), "\(snapshots.stderr)")
            // Nothing was created: no bucket, so restic still finds no repository.
            let curl = CleanProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", s3Endpoint(w) + "/" + w.bucket])
            #expect(curl.stdout == "404", "\(curl.stdout)")
            #expect(try w.leakedSecrets(in: [bash.stdout, bash.stderr, runtime.stdout, runtime.stderr]).isEmpty)
        }
    }

    @Test func aWrongPasswordIsAClearErrorAndNeverInitializes() throws {
        try withWorkspace(initialize: true) { w in
            // The repository exists with another password.
            let other = w.root + "/other.pass"
            try "another-password-123\n".write(toFile: other, atomically: true, encoding: .utf8)
            var env = ProcessInfo.processInfo.environment.merging(try S3Service.readEnvFile(w.plan.target(named: "offsite")!.envFile!)) { $1 }
            env["RESTIC_PASSWORD_FILE"] = other
            try SnapshotWorkspace.check(SnapshotWorkspace.run("/usr/bin/restic", ["-r", w.plan.target(named: "offsite")!.restic!.repository, "init"], environment: env))
            let bash = try w.jobScript()
            let runtime = w.backplan("run", ["daily"])
            for (result, runs) in [(bash, 0), (runtime, 1)] {
                #expect(result.status == 3, "\(result.stderr)")
                let target = (w.runsLog()[runs]["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "offsite" }
                let error = (target?["error"] as? String) ?? ""
                #expect(error.contains("wrong password"), "\(target ?? [:])")
            }
            let list = try w.restoreScript(["list", "offsite"])
            #expect(list.status == 1 && list.stderr.contains("wrong password"), "\(list.stderr)")
            let check = SnapshotWorkspace.run("/usr/bin/restic", ["-r", w.plan.target(named: "offsite")!.restic!.repository, "snapshots", "--json"], environment: env)
            #expect(check.status == 0 && check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(check.stdout)\(check.stderr)")
        }
    }

    @Test func aBackupKilledMidUploadIsNeverListedAndTheNextRunsSucceed() throws {
        var keepOne = RetentionPolicy()
        keepOne.keepLast = 1
        try withWorkspace(retention: keepOne) { w in
            // Enough data that the slowed upload is cut in the middle.
            _ = try JobScriptHarness.bash("head -c 4000000 /dev/urandom >\(Shell.quote(w.workspace.dataDir + "/uploads/big.bin"))")
            let killed = try w.jobScript(["KILL_RESTIC_BACKUP": "1"])
            #expect(killed.status == 3, "\(killed.stderr)")
            #expect(try w.resticIDs().isEmpty, "an interrupted restic backup lists no snapshot")
            #expect(try w.restic(["list", "packs"]).split(separator: "\n").count > 0, "the killed backup had uploaded data")
            let killedRuntime = w.backplan("run", ["daily"], ["KILL_RESTIC_BACKUP": "1"])
            #expect(killedRuntime.status == 3, "\(killedRuntime.stderr)")
            #expect(try w.resticIDs().isEmpty)

            let next = w.backplan("run", ["daily"])
            #expect(next.status == 0, "\(next.stderr)")
            let after = try w.jobScript()
            #expect(after.status == 0, "\(after.stderr)")
            // Retention (keep_last 1) ran restic forget and prune despite the killed backups' stale locks.
            #expect(try w.resticIDs() == [w.localIDs.last!])
            #expect(try w.restic(["check"]).contains("no errors"))
        }
    }
}
