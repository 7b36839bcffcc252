@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// Retention on a local target, and the `.partial`/`.deleting` folders killed runs leave.
extension RunConformanceTests {
    /// Forged snapshots over two years: after a run, the job folder holds exactly what RetentionPlanner
    /// (checked against restic itself in RetentionResticOracleTests) keeps of them plus the new snapshot.
    @Test(arguments: Executor.allCases)
    func retentionKeepsWhatThePlannerKeeps(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let policy = RetentionPolicy(keepLast: 2, keepDaily: 5, keepWeekly: 4, keepMonthly: 6, keepYearly: 2)
        let plan = h.plan(retention: policy)
        let dir = h.jobDir(plan)
        var forged: [String] = []
        var rng = SystemRandomNumberGenerator()
        let start = 1_700_000_000 // 2023-11-14
        var t = start
        while t < start + 2 * 365 * 86_400 {
            t += Int.random(in: 3_600...(5 * 86_400), using: &rng)
            forged.append(SnapshotTime(secondsSinceEpoch: t)!.id)
        }
        forged = Array(Set(forged)).sorted()
        try RunHarness.bash(forged.map { "mkdir -p \(Shell.quote(dir + "/" + $0 + "/data")) && echo '{}' > \(Shell.quote(dir + "/" + $0 + "/SNAPSHOT.json"))" }
            .joined(separator: " && "))
        let result = try executor.run(h, plan)
        #expect(result.status == 0, "\(result.stderr)")
        let after = h.snapshots(plan)
        let newest = try #require(after.last)
        #expect(!forged.contains(newest))
        let expected = RetentionPlanner.plan(ids: forged + [newest], policy: policy).keptIDs.sorted()
        #expect(after == expected, "kept \(after.count) of \(forged.count + 1); the planner keeps \(expected.count)")
    }

    /// keep_last 3 keeps the newest three and this run's; `.partial` and `.deleting` folders left by killed
    /// runs are removed (a `.partial` holding SNAPSHOT.json too); a folder without SNAPSHOT.json is no
    /// snapshot, and retention leaves it alone.
    @Test(arguments: Executor.allCases)
    func retentionKeepsTheNewestAndRemovesLeftovers(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(retention: RetentionPolicy(keepLast: 3))
        let dir = h.jobDir(plan)
        let forged = ["20200101T000000Z", "20200102T000000Z", "20200103T000000Z", "20200104T000000Z"]
        for id in forged {
            try RunHarness.bash("mkdir -p \(Shell.quote(dir + "/" + id + "/data")) && echo '{}' > \(Shell.quote(dir + "/" + id + "/SNAPSHOT.json"))")
        }
        try RunHarness.bash("cd \(Shell.quote(dir)) && mkdir -p .20200105T000000Z.partial/data .20200106T000000Z.deleting 20200107T000000Z/data && echo '{}' > .20200105T000000Z.partial/SNAPSHOT.json")
        let result = try executor.run(h, plan)
        #expect(result.status == 0, "\(result.stderr)")
        let ids = h.snapshots(plan)
        try #require(ids.count == 3)
        #expect(Array(ids.prefix(2)) == ["20200103T000000Z", "20200104T000000Z"], "keep_last 3: the newest three stay")
        #expect(ids[2] > "2025", "this run's snapshot is kept")
        #expect(h.jobDirEntries(plan) == ["20200103T000000Z", "20200104T000000Z", "20200107T000000Z", ids[2]])
        #expect(result.stderr.contains("removing .20200105T000000Z.partial left by an earlier run"), "\(result.stderr)")
        #expect(result.stderr.contains("removing .20200106T000000Z.deleting left by an earlier run"), "\(result.stderr)")
        #expect(result.stderr.contains("retention: target local: removing snapshot 20200101T000000Z"), "\(result.stderr)")
    }

    /// Runs with keep_last 2 (verify deep) keep two and leave no `.deleting`; a dry run with keep_last 1
    /// says which it would remove and removes nothing.
    @Test(arguments: Executor.allCases)
    func retentionAcrossRunsAndItsDryRun(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(retention: RetentionPolicy(keepLast: 2), verify: .deep)
        for _ in 0..<3 {
            let run = try executor.run(h, plan)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let ids = h.snapshots(plan)
        #expect(ids.count == 2)
        #expect(h.jobDirEntries(plan) == ids, "no .deleting left")
        let dry = try executor.run(h, h.plan(retention: RetentionPolicy(keepLast: 1)), arguments: ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: retention would remove snapshot \(ids[0]) from target local"), "\(dry.stderr)")
        #expect(dry.records.isEmpty, "a dry run records no run")
        #expect(h.snapshots(plan) == ids, "a dry run removes nothing")
    }
}
