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
}
