@testable import BackplanCore
@testable import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Smaller steps of `backplan run`: retention, verify, dry run, excludes, the CLI's JSON lines.
@Suite struct RunStepTests {
    @Test func retentionKeepsTheNewestAndRemovesTheRest() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(retention: RetentionPolicy(keepLast: 2), verify: .deep)
        for _ in 0..<3 { #expect(try h.runtime(plan).status == 0) }
        let ids = h.snapshots(plan)
        #expect(ids.count == 2)
        #expect(h.jobDirEntries(plan) == ids, "no .deleting left")
        let log = RunLog(plan: plan.name, job: "daily", output: .silent)
        #expect(try RunExecutor(plan: h.plan(retention: RetentionPolicy(keepLast: 1)), job: "daily", log: log).dryRun() == 0)
        #expect(log.lines.contains { $0.contains("dry run: retention would remove snapshot \(ids[0])") })
        #expect(h.snapshots(plan) == ids, "a dry run removes nothing")
    }

    @Test(arguments: [VerifyLevel.manifest, .deep])
    func aSnapshotFailingVerificationIsWithdrawn(verify: VerifyLevel) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(verify: verify)
        #expect(try h.runtime(plan).status == 0)
        let id = h.snapshots(plan)[0]
        let snapshot = h.jobDir(plan) + "/" + id
        try RunHarness.bash("echo corrupt >> \(Shell.quote(snapshot + "/data/uploads/efaf13b5-a79d-4e22-a4dd-03adad6667f1_harness-notes-1795750891-30198.txt"))")
        let publisher = RunPublisher(plan: plan, job: plan.jobs[0], id: id, log: RunLog(plan: plan.name, job: "daily", output: .silent),
                                     cancellation: RunCancellation())
        #expect(throws: RunError.self) { try publisher.verify(plan.targets[0], snapshot: snapshot, carried: [:]) }
        #expect(h.jobDirEntries(plan).isEmpty, "withdrawn: renamed away and removed")
    }

    /// `manifest` skips a carried-over file only while it is still the previous snapshot's inode: a file
    /// replaced after the capture is read again, and its new content fails.
    @Test func aReplacedCarriedFileIsReadAgainAndFails() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        #expect(try h.runtime(plan).status == 0)
        sleep(1)
        #expect(try h.runtime(plan).status == 0)
        let ids = h.snapshots(plan)
        let (previous, snapshot) = (h.jobDir(plan) + "/" + ids[0], h.jobDir(plan) + "/" + ids[1])
        let path = "data/vector_db/2fb5abeb-bcab-4f45-a8d8-7e71ffa36f49/header.bin"
        let identity = try #require(FileIdentity.of(previous + "/" + path))
        #expect(FileIdentity.of(snapshot + "/" + path) == identity, "linked by the second run")
        let carried = [path: RunManifest.CarriedFile(sha256: try FileHash.sha256(previous + "/" + path), identity: identity)]
        let publisher = RunPublisher(plan: plan, job: plan.jobs[0], id: ids[1], log: RunLog(plan: plan.name, job: "daily", output: .silent),
                                     cancellation: RunCancellation())
        try publisher.verify(plan.targets[0], snapshot: snapshot, carried: carried)
        try RunHarness.bash("cd \(Shell.quote(snapshot)) && cp \(path) x && echo corrupt >> x && mv x \(path)")
        #expect(throws: RunError.self) { try publisher.verify(plan.targets[0], snapshot: snapshot, carried: carried) }
        #expect(h.snapshots(plan) == [ids[0]], "withdrawn")
    }

    @Test func dryRunTouchesNothing() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let log = RunLog(plan: "openwebui", job: "daily", output: .silent)
        #expect(try RunExecutor(plan: h.plan(), job: "daily", log: log).dryRun() == 0)
        #expect(!FileManager.default.fileExists(atPath: h.stateDir))
        #expect(h.jobDirEntries(h.plan()).isEmpty)
        #expect(log.lines.contains { $0.contains("would capture database (sqlite)") })
    }

    @Test func secondRunLinksUnchangedFilesAndCarriesHashes() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        #expect(try h.runtime(plan).status == 0)
        sleep(1)
        try RunHarness.bash("echo new > \(Shell.quote(h.dataDir + "/uploads/new.txt"))")
        let (status, log) = try h.runtime(plan)
        #expect(status == 0)
        let ids = h.snapshots(plan)
        let (a, b) = (h.jobDir(plan) + "/" + ids[0], h.jobDir(plan) + "/" + ids[1])
        let header = "/data/vector_db/2fb5abeb-bcab-4f45-a8d8-7e71ffa36f49/header.bin"
        #expect(RunHarness.inode(a + header) == RunHarness.inode(b + header))
        #expect(log.contains { $0.contains("manifest:") && $0.contains("carried over") && !$0.contains(" 0 carried") })
        try RunHarness.bash("cd \(Shell.quote(b)) && sha256sum -c --quiet --strict MANIFEST.sha256")
    }

    @Test func furtherLocalTargetsGetALinkedCopy() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let second = h.root + "/second"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        let plan = h.plan(targets: [RunHarness.localTarget("local", h.backups), RunHarness.localTarget("usb", second)])
        #expect(try h.runtime(plan).status == 0)
        sleep(1)
        #expect(try h.runtime(plan).status == 0)
        let ids = h.snapshots(plan, target: second)
        #expect(ids == h.snapshots(plan) && ids.count == 2)
        let upload = "/data/uploads/efaf13b5-a79d-4e22-a4dd-03adad6667f1_harness-notes-1795750891-30198.txt"
        let dir = h.jobDir(plan, target: second)
        #expect(RunHarness.inode(dir + "/" + ids[0] + upload) == RunHarness.inode(dir + "/" + ids[1] + upload))
        #expect(RunHarness.inode(dir + "/" + ids[1] + upload) != RunHarness.inode(h.jobDir(plan) + "/" + ids[1] + upload))
        try RunHarness.bash("cd \(Shell.quote(dir + "/" + ids[1])) && sha256sum -c --quiet --strict MANIFEST.sha256")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasPrefix(".") })
    }

    @Test func waitsForTheLockAndSaysSo() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try FileManager.default.createDirectory(atPath: h.stateDir, withIntermediateDirectories: true)
        let held = h.root + "/held"
        let holder = try #require(RunHarness.spawn("/usr/bin/flock", [h.stateDir + "/lock", "-c", "touch \(Shell.quote(held)); sleep 1"]))
        while !FileManager.default.fileExists(atPath: held) { usleep(10_000) }
        let (status, log) = try h.runtime(h.plan())
        _ = RunHarness.wait(holder)
        #expect(status == 0)
        #expect(log.first?.contains("holds \(h.stateDir)/lock; waiting for it") == true)
    }

    @Test(arguments: [
        ("*.part", "a/b/c.part", false, true), ("*.part", "c.partx", false, false), ("cache", "x/cache", true, true),
        ("/chroma.sqlite3", "chroma.sqlite3", false, true), ("/chroma.sqlite3", "d/chroma.sqlite3", false, false),
        ("tmp/", "a/tmp", false, false), ("tmp/", "a/tmp", true, true), ("b/*.tmp", "a/b/x.tmp", false, true),
        ("a/**/z", "a/b/c/z", false, true),
    ])
    func excludeSemantics(pattern: String, path: String, isDirectory: Bool, excluded: Bool) {
        #expect(TreeCopierExclude([pattern]).excludes(path, isDirectory: isDirectory) == excluded)
    }

    @Test(.enabled(if: RunHarness.binary != nil, "needs the built backplan binary"))
    func jsonLinesThroughTheBinary() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let planFile = try h.writePlan(h.plan())
        let pid = try #require(RunHarness.spawn(RunHarness.binary ?? "", ["run", planFile, "daily", "--json"],
                                                stdout: h.root + "/out.jsonl", stderr: h.root + "/err"))
        #expect(RunHarness.wait(pid) == 0)
        let lines = try String(contentsOfFile: h.root + "/out.jsonl", encoding: .utf8).split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(objects.count == lines.count && objects.count > 5)
        #expect(Set(objects.compactMap { $0["step"] }).isSuperset(of: ["start", "preflight", "capture", "manifest", "publish", "end"]))
        let bad = RunHarness.run(RunHarness.binary ?? "", ["run", planFile, "nojob"])
        #expect(bad.status == 64)
    }
}
