@testable import BackplanCore
@testable import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Smaller steps of `backplan run` in-process: verify's withdrawal, exclude patterns, the CLI's JSON lines
/// (the contract's checks for both executors are in RunConformanceTests).
@Suite struct RunStepTests {
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
