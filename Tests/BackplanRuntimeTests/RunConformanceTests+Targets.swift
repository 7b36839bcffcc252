@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The layout a target holds, on each type whose folders can be read on this machine's disk: a local
/// target, and an rsync target over a private sshd (SSHService). rclone and restic keep objects, not
/// folders; their suites list, verify and restore what either executor uploaded.
extension RunConformanceTests {
    enum TargetKind: String, CaseIterable, CustomStringConvertible, Sendable {
        case local, rsync
        var description: String { rawValue }
    }

    /// A fixture copy and a plan whose only target is of `kind`, whose folder is `root`.
    struct TargetWorld {
        let harness: RunHarness
        let plan: CompiledPlan
        let root: String
        let target: String
        private let rsync: RsyncWorkspace?
        var jobDir: String { "\(root)/\(plan.name)/\(plan.jobs[0].name)" }

        init(_ kind: TargetKind) throws {
            switch kind {
            case .local:
                harness = try RunHarness()
                try harness.copyFixture()
                plan = harness.plan()
                root = harness.backups
                target = "local"
                rsync = nil
            case .rsync:
                let w = try RsyncWorkspace(local: false)
                (harness, plan, root, target, rsync) = (w.harness, w.plan, w.nasRoot, "nas", w)
            }
        }

        func remove() {
            if let rsync { rsync.remove() } else { harness.remove() }
        }

        /// Every entry of the job folder on the target, hidden ones included, sorted.
        var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: jobDir)) ?? []).sorted() }
    }

    /// On each target type: the snapshot is a folder named by its ID holding SNAPSHOT.json (the contract's
    /// keys, this executor's name) and a MANIFEST.sha256 that `sha256sum -c` accepts; what a killed run
    /// left there (`.ID.partial`, even holding SNAPSHOT.json, and `.ID.deleting`) is never a snapshot and
    /// is removed by the next run, whose unchanged files are hard links to the previous snapshot's.
    @Test(arguments: Executor.allCases, TargetKind.allCases)
    func aTargetHoldsTheContractsLayout(_ executor: Executor, _ kind: TargetKind) throws {
        let world = try TargetWorld(kind)
        defer { world.remove() }
        let h = world.harness
        let first = try executor.run(h, world.plan)
        #expect(first.status == 0, "\(first.stderr)")
        #expect((first.record?["targets"] as? [[String: Any]])?.map { "\($0["name"] ?? ""):\($0["status"] ?? "")" } == ["\(world.target):ok"])
        let id = try #require(world.entries.first)
        #expect(world.entries == [id] && id.wholeMatch(of: /\d{8}T\d{6}Z/) != nil, "\(world.entries)")
        #expect(first.record?["id"] as? String == id)
        let snapshot = world.jobDir + "/" + id
        #expect(h.manifestChecks(snapshot))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/SNAPSHOT.json"))) as? [String: Any])
        #expect(json.keys.sorted() == Self.snapshotKeys)
        #expect(json["executor"] as? String == executor.recordedName && json["id"] as? String == id)

        // What killed runs leave on the target.
        try RunHarness.bash("cd \(Shell.quote(world.jobDir)) && cp -a \(id) .20300101T000000Z.partial && mkdir .20200101T000000Z.deleting")
        #expect(SnapshotLayout(root: world.root, plan: world.plan.name).completeSnapshots(job: "daily") == [id], "a .partial is never listed")
        let second = try executor.run(h, world.plan)
        #expect(second.status == 0, "\(second.stderr)")
        let ids = world.entries
        #expect(ids.count == 2 && ids[0] == id, "the leftovers are gone: \(ids)")
        #expect(RunHarness.inode(snapshot + "/data/" + Self.upload) == RunHarness.inode(world.jobDir + "/" + ids[1] + "/data/" + Self.upload),
                "an unchanged file is a hard link to the previous snapshot's")
        #expect(h.manifestChecks(world.jobDir + "/" + ids[1]))
    }
}
