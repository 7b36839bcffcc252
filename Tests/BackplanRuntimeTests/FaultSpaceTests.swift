@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// A local target on a tmpfs that fills up during the capture, for both executors.
@Suite(.serialized) struct FaultSpaceTests {
    static func isSpaceError(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("no space left") || lower.contains("disk is full") || lower.contains("disk full")
    }

    /// The whole capture (~1 MB of fixture plus a 2 MB upload) does not fit in 1 MiB: exit 1, an error
    /// about the space, nothing listed, the `.partial` removed by the failed run itself, the failure
    /// recorded.
    @Test(arguments: Executor.allCases)
    func aFullTargetFailsCleanly(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("head -c 2000000 /dev/urandom > \(Shell.quote(h.dataDir + "/uploads/big.bin"))")
        let target = try h.mountTmpfs("small", size: "1m")
        defer { h.unmount(target) }
        let plan = h.plan(targets: [RunHarness.localTarget("local", target)])

        let result = try executor.run(h, plan)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(Self.isSpaceError(result.stderr), "the error says the target is full: \(result.stderr)")
        #expect(h.snapshots(plan, target: target).isEmpty)
        #expect(h.leftovers(plan, target: target).isEmpty, "the failed run removes its .partial")
        let record = try #require(h.runsLog().last)
        #expect(record["status"] as? String == "failed")
        #expect(record["exit"] as? Int == 1)
        // The recorded error is the capture's own (the failing upload or folder), not just an exit status.
        #expect((record["error"] as? String ?? "").contains("/uploads"), "runs.jsonl: \(record)")
    }

    /// A first snapshot (database and uploads, ~0.7 MB) fits in 2 MiB; a 1.5 MB upload then makes the
    /// second run not fit. The first snapshot stays listed and intact; the next run after making room
    /// succeeds.
    @Test(arguments: Executor.allCases)
    func aFullTargetLeavesTheEarlierSnapshotIntact(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let target = try h.mountTmpfs("small", size: "2m")
        defer { h.unmount(target) }
        let plan = RunHarness.only(h.plan(targets: [RunHarness.localTarget("local", target)]), sources: ["database", "uploads"])

        let first = try executor.run(h, plan)
        #expect(first.status == 0, "\(first.stderr)")
        let snapshots = h.snapshots(plan, target: target)
        try #require(snapshots.count == 1)
        let firstDir = h.jobDir(plan, target: target) + "/" + snapshots[0]

        sleep(1)
        try RunHarness.bash("head -c 1500000 /dev/urandom > \(Shell.quote(h.dataDir + "/uploads/grown.bin"))")
        let second = try executor.run(h, plan)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(Self.isSpaceError(second.stderr), "\(second.stderr)")
        #expect(h.snapshots(plan, target: target) == snapshots)
        #expect(h.leftovers(plan, target: target).isEmpty)
        #expect(h.manifestChecks(firstDir), "the first snapshot still verifies")
        #expect(h.runsLog().map { $0["status"] as? String } == ["ok", "failed"])

        try FileManager.default.removeItem(atPath: h.dataDir + "/uploads/grown.bin")
        let third = try executor.run(h, plan)
        #expect(third.status == 0, "with room again the next run succeeds: \(third.stderr)")
        #expect(h.snapshots(plan, target: target).count == 2)
    }
}
