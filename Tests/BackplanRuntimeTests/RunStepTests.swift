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

    /// The copier shares the top folder's entries between its threads: every file is recorded once, the
    /// unchanged ones are links to the previous copy (same inode), the changed ones new copies with the
    /// new bytes, folders keep their mode.
    @Test func theCopierLinksUnchangedFilesAcrossItsThreads() throws {
        let root = NSTemporaryDirectory() + "copier-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = root + "/src"
        try RunHarness.bash("""
            mkdir -p \(Shell.quote(source)) && cd \(Shell.quote(source)) &&
            for i in $(seq 20); do echo "top $i" > f$i.txt; mkdir -p d$i/sub; chmod 750 d$i; for j in 1 2 3 4; do echo "$i $j" > d$i/g$j; done; echo deep > d$i/sub/h; done
            """)
        var first = CaptureInventory()
        try TreeCopier(linkDest: nil, cancellation: RunCancellation()).copyTree(source, to: root + "/a", recording: &first, as: "data/")
        #expect(first.files.count == 120 && first.times.copied == 120 && first.times.linked == 0)
        try RunHarness.bash("cd \(Shell.quote(source)) && echo more >> f3.txt && echo more >> d7/g2 && echo more >> d20/sub/h")
        var second = CaptureInventory()
        try TreeCopier(linkDest: root + "/a", cancellation: RunCancellation()).copyTree(source, to: root + "/b", recording: &second, as: "data/")
        #expect(second.files.count == 120 && second.times.linked == 117 && second.times.copied == 3)
        #expect(Set(second.files.filter { $0.value.linkedTo == nil }.keys) == ["data/f3.txt", "data/d7/g2", "data/d20/sub/h"])
        #expect(RunHarness.inode(root + "/a/d5/g1") == RunHarness.inode(root + "/b/d5/g1"))
        #expect(RunHarness.inode(root + "/a/d7/g2") != RunHarness.inode(root + "/b/d7/g2"))
        #expect(try String(contentsOfFile: root + "/b/d20/sub/h", encoding: .utf8) == "deep\nmore\n")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: root + "/b/d9")[.posixPermissions] as? Int)
        #expect(mode == 0o750)
        try RunHarness.bash("diff -r \(Shell.quote(source)) \(Shell.quote(root + "/b"))")
    }

    /// `--timings`: one `timing:` line before the last, naming each step that ran and, on a second run, the
    /// files the copier linked and copied; without it no such line.
    @Test(.enabled(if: RunHarness.binary != nil, "needs the built backplan binary"))
    func timingsLineThroughTheBinary() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let planFile = try h.writePlan(h.plan())
        let first = RunHarness.run(RunHarness.binary ?? "", ["run", planFile, "daily"])
        #expect(first.status == 0)
        #expect(!first.stderr.contains("timing:"))
        sleep(1)
        try RunHarness.bash("echo new > \(Shell.quote(h.dataDir + "/uploads/new.txt"))")
        let second = RunHarness.run(RunHarness.binary ?? "", ["run", planFile, "daily", "--timings"])
        #expect(second.status == 0)
        let lines = second.stderr.split(separator: "\n").map(String.init)
        let timing = try #require(lines.first { $0.contains("timing: ") })
        #expect(lines.firstIndex(of: timing) == lines.count - 2)
        for step in ["prepare", "capture", "manifest", "publish", "verify", "retention"] {
            #expect(timing.range(of: " \(step) [0-9]+\\.[0-9]{3} s", options: .regularExpression) != nil, "\(step) in \(timing)")
        }
        #expect(timing.range(of: "[1-9][0-9]* linked in [0-9.]+ s, [1-9][0-9]* copied in", options: .regularExpression) != nil, "\(timing)")
        #expect(timing.contains("syncfs ") && timing.contains("; total "))
    }
}
