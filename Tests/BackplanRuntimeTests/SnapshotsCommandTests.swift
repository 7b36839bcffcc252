import BackplanCore
import BackplanRuntime
import Foundation
import Testing

/// `backplan snapshots` over snapshots made by the real generated bash job script.
@Suite struct SnapshotsCommandTests {
    @Test func listsBashSnapshotsButNeverPartialOnes() throws {
        // Port 1: nothing listens, listing it fails at once.
        let rsyncTarget = CompiledTarget(name: "offsite", kind: .rsync(CompiledRsyncTarget(host: "127.0.0.1", port: 1,
                                                                                             path: "/srv/backups")))
        let workspace = try SnapshotWorkspace(extraTargets: [rsyncTarget])
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        // A run in progress (or killed): its partial folder even holds a SNAPSHOT.json.
        let partial = "\(workspace.jobDir)/.20300101T000000Z.partial"
        try SnapshotWorkspace.check(SnapshotWorkspace.run("/bin/cp", ["-a", "\(workspace.jobDir)/\(id)", partial]))

        let text = workspace.backplan("snapshots", ["--target", "local"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("local daily \(id) ") == true)
        #expect(lines.first?.contains(" bash ") == true)
        #expect(!text.stdout.contains("20300101T000000Z"))

        let json = workspace.backplan("snapshots", ["--target", "local", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 1)
        #expect(rows?.first?["id"] as? String == id)
        #expect(rows?.first?["executor"] as? String == "bash")
        #expect((rows?.first?["bytes"] as? Int ?? 0) > 0)

        // Every target: the unreachable one (nothing listens on its port) fails the listing, naming it.
        let unreachable = workspace.backplan("snapshots")
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("target offsite: listing /srv/backups/openwebui/daily failed"), "\(unreachable.stderr)")
    }

    @Test func unknownTargetAndBadSnapshotIDAreClearFailures() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let unknown = workspace.backplan("snapshots", ["--target", "nas"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("plan openwebui has no target 'nas' (its targets: local)"))
        let badID = workspace.backplan("verify", ["--target", "local", "--snapshot", "yesterday"])
        #expect(badID.status == 1)
        #expect(badID.stderr.contains("'yesterday' is not a snapshot ID (YYYYMMDDTHHMMSSZ) nor latest"))
        let none = workspace.backplan("restore", ["--target", "local", "--snapshot", "20261127T031500Z", "--to", workspace.root + "/r"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("holds no snapshot"))
    }
}
