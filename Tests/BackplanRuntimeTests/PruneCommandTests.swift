@testable import BackplanCore
import BackplanRuntime
import Foundation
import Testing

/// `backplan prune` on forged snapshot IDs beside one real bash snapshot.
@Suite struct PruneCommandTests {
    static let forged = [
        "20261101T031500Z", "20261108T031500Z", "20261115T031500Z", "20261120T031500Z", "20261121T031500Z",
        "20261122T031500Z", "20261122T150000Z", "20261123T031500Z", "20261124T031500Z",
    ]

    /// Copies the real snapshot to each forged ID (its SNAPSHOT.json makes it complete).
    func forge(_ workspace: SnapshotWorkspace, from id: String) throws {
        for forged in Self.forged {
            try SnapshotWorkspace.check(SnapshotWorkspace.run("/bin/cp", ["-a", "\(workspace.jobDir)/\(id)", "\(workspace.jobDir)/\(forged)"]))
        }
    }

    @Test func dryRunPrintsThePlannersDecisionThenPruneRemovesIt() throws {
        let retention = RetentionPolicy(keepLast: 2, keepDaily: 3, keepWeekly: 3)
        let workspace = try SnapshotWorkspace(retention: retention)
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        try forge(workspace, from: id)
        let all = (Self.forged + [id]).sorted()
        let decision = RetentionPlanner.plan(ids: all, policy: retention)
        #expect(!decision.removed.isEmpty)

        let dry = workspace.backplan("prune", ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        var expected = ["target local job daily: \(decision.kept.count) kept, \(decision.removed.count) to remove"]
        expected += decision.kept.map { "  keep   \($0.id) (kept by \($0.rules.map(\.rawValue).joined(separator: ", ")))" }
        expected += decision.removed.map { "  would remove \($0)" }
        #expect(dry.stdout == expected.joined(separator: "\n") + "\n")
        #expect(dry.stdout.contains("  keep   \(id) (kept by last, daily, weekly)"))
        #expect(SnapshotLayout(root: workspace.backups, plan: "openwebui").completeSnapshots(job: "daily") == all)

        let real = workspace.backplan("prune", ["--target", "local"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.contains("\(decision.removed.count) removed"))
        let left = try FileManager.default.contentsOfDirectory(atPath: workspace.jobDir).sorted()
        #expect(left == decision.keptIDs.sorted())
    }

    @Test func noRetentionKeepsEverything() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try forge(workspace, from: try workspace.runJobScript())
        let result = workspace.backplan("prune")
        #expect(result.status == 0)
        #expect(result.stdout.contains("0 removed"))
        #expect(result.stdout.contains("(kept by no retention rule)"))
    }

    /// A labelled forged snapshot and one whose SNAPSHOT.json is no JSON are kept by `prune` and take no slot;
    /// `--remove ID` removes exactly one snapshot (dry run first), and refuses an ID that is not a complete
    /// snapshot; `--job` goes only with `--remove`.
    @Test func labelledSnapshotsAreKeptAndRemoveTakesOneByName() throws {
        let retention = RetentionPolicy(keepLast: 2)
        let workspace = try SnapshotWorkspace(retention: retention)
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        try forge(workspace, from: id)
        let (labelled, unreadable) = ("20261108T031500Z", "20261115T031500Z")
        let record = "\(workspace.jobDir)/\(labelled)/SNAPSHOT.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any])
        json["label"] = "pre-upgrade"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: record))
        try "{".write(toFile: "\(workspace.jobDir)/\(unreadable)/SNAPSHOT.json", atomically: true, encoding: .utf8)

        let all = (Self.forged + [id]).sorted()
        let rest = all.filter { $0 != labelled && $0 != unreadable }
        let decision = RetentionPlanner.plan(ids: rest, policy: retention)
        let dry = workspace.backplan("prune", ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        var expected = ["target local job daily: \(decision.kept.count + 2) kept, \(decision.removed.count) to remove",
                        "  keep   \(unreadable) (its label cannot be read: SNAPSHOT.json is not a JSON object; remove it with --remove \(unreadable))",
                        "  keep   \(labelled) (label pre-upgrade; remove it with --remove \(labelled))"]
        expected += decision.kept.map { "  keep   \($0.id) (kept by \($0.rules.map(\.rawValue).joined(separator: ", ")))" }
        expected += decision.removed.map { "  would remove \($0)" }
        #expect(dry.stdout == expected.joined(separator: "\n") + "\n")
        let listed = workspace.backplan("snapshots")
        #expect(listed.stdout.contains("local daily \(labelled) ") && listed.stdout.contains(" label=pre-upgrade\n"), "\(listed.stdout)")

        let pruned = workspace.backplan("prune")
        #expect(pruned.status == 0, "\(pruned.stderr)")
        let layout = SnapshotLayout(root: workspace.backups, plan: "openwebui")
        #expect(layout.completeSnapshots(job: "daily") == ([labelled, unreadable] + decision.keptIDs).sorted())

        let dryRemove = workspace.backplan("prune", ["--remove", labelled, "--dry-run"])
        #expect(dryRemove.status == 0 && dryRemove.stdout == "would remove snapshot \(labelled) of job daily from target local (label pre-upgrade)\n",
                "\(dryRemove.stdout)\(dryRemove.stderr)")
        #expect(layout.completeSnapshots(job: "daily").contains(labelled))
        let remove = workspace.backplan("prune", ["--remove", labelled, "--job", "daily"])
        #expect(remove.status == 0 && remove.stdout == "removed snapshot \(labelled) of job daily from target local (label pre-upgrade)\n",
                "\(remove.stdout)\(remove.stderr)")
        #expect(layout.completeSnapshots(job: "daily") == ([unreadable] + decision.keptIDs).sorted())
        #expect(!FileManager.default.fileExists(atPath: "\(workspace.jobDir)/.\(labelled).deleting"))
        let removeUnreadable = workspace.backplan("prune", ["--remove", unreadable])
        #expect(removeUnreadable.status == 0, "\(removeUnreadable.stderr)")
        #expect(layout.completeSnapshots(job: "daily") == decision.keptIDs.sorted())

        // Refused: removed already, a snapshot still being written, no ID at all, another job; --job alone.
        try FileManager.default.createDirectory(atPath: "\(workspace.jobDir)/.20261125T031500Z.partial", withIntermediateDirectories: true)
        try "{}".write(toFile: "\(workspace.jobDir)/.20261125T031500Z.partial/SNAPSHOT.json", atomically: true, encoding: .utf8)
        for (arguments, message) in [(["--remove", labelled], "no target holds a complete snapshot \(labelled)"),
                                     (["--remove", "20261125T031500Z"], "no target holds a complete snapshot 20261125T031500Z"),
                                     (["--remove", "latest"], "'latest' is not a snapshot ID"),
                                     (["--remove", id, "--job", "weekly"], "has no job 'weekly'")] {
            let refused = workspace.backplan("prune", arguments)
            #expect(refused.status == 1 && refused.stderr.contains(message) && refused.stdout.isEmpty, "\(arguments): \(refused.stderr)")
        }
        let jobAlone = workspace.backplan("prune", ["--job", "daily"])
        #expect(jobAlone.status == 64, "\(jobAlone.stderr)")
        #expect(layout.completeSnapshots(job: "daily") == decision.keptIDs.sorted())
    }
}
