@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// Labelled snapshots on a local target (docs/run-contract.md, "Labelled snapshots"): `--label NAME` is
/// recorded, retention never removes a labelled snapshot nor one whose label cannot be read, and a
/// labelled snapshot takes no slot of the keep rules.
extension RunConformanceTests {
    /// Forged snapshots: two unlabelled, one labelled and four whose label cannot be read (not JSON, a
    /// JSON array, a label that is no label name, a label that is a number). keep_last 1 removes the
    /// unlabelled ones and keeps every other; then a labelled run and an unlabelled one: the labelled
    /// snapshot takes no slot, so keep_last 1 still keeps the newest unlabelled one beside it.
    @Test(arguments: Executor.allCases)
    func labelledSnapshotsSurviveRetentionAndTakeNoSlot(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan(retention: RetentionPolicy(keepLast: 1))
        let dir = h.jobDir(plan)
        let records = [
            "20200101T000000Z": #"{"id":"20200101T000000Z"}"#,
            "20200102T000000Z": #"{"label":"pre-upgrade","id":"20200102T000000Z"}"#,
            "20200103T000000Z": "not json at all",
            "20200104T000000Z": #"["label"]"#,
            "20200105T000000Z": #"{"label":"../../etc\u001b[31m"}"#,
            "20200106T000000Z": #"{"label":7}"#,
            "20200107T000000Z": "{}",
        ]
        for (id, record) in records {
            try FileManager.default.createDirectory(atPath: dir + "/" + id + "/data", withIntermediateDirectories: true)
            try record.write(toFile: dir + "/" + id + "/SNAPSHOT.json", atomically: true, encoding: .utf8)
        }
        let first = try executor.run(h, plan)
        #expect(first.status == 0, "\(first.stderr)")
        let kept = ["20200102T000000Z", "20200103T000000Z", "20200104T000000Z", "20200105T000000Z", "20200106T000000Z"]
        let run1 = try #require(h.snapshots(plan).last)
        #expect(h.snapshots(plan) == kept + [run1], "\(first.stderr)")
        #expect(first.stderr.contains("retention: target local: keeping snapshot 20200102T000000Z (label pre-upgrade)"), "\(first.stderr)")
        for id in kept.dropFirst() {
            #expect(first.stderr.contains("retention: warning: target local: snapshot \(id) is kept: its label cannot be read"), "\(first.stderr)")
        }
        #expect(!first.stderr.contains("../../etc") && !first.stderr.contains("\u{1b}"), "a forged label is never printed")
        #expect(first.stderr.contains("retention: target local: 6 snapshots kept, 2 removed"), "\(first.stderr)")

        let labelled = try executor.run(h, plan, arguments: ["--label", "before-upgrade"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let run2 = try #require(h.snapshots(plan).last)
        #expect(labelled.stderr.contains("run \(run2): start (label before-upgrade)"), "\(labelled.stderr)")
        #expect(labelled.record?["label"] as? String == "before-upgrade")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + run2 + "/SNAPSHOT.json"))) as? [String: Any])
        #expect(json["label"] as? String == "before-upgrade")
        // No slot: the newest unlabelled snapshot (run1) is what keep_last 1 keeps.
        #expect(h.snapshots(plan) == kept + [run1, run2], "\(labelled.stderr)")

        let plain = try executor.run(h, plan)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.record?["label"] == nil, "an unlabelled run records no label")
        let run3 = try #require(h.snapshots(plan).last)
        #expect(h.snapshots(plan) == kept + [run2, run3], "\(plain.stderr)")
        #expect(plain.stderr.contains("keeping snapshot \(run2) (label before-upgrade)"), "\(plain.stderr)")
        let record3 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + run3 + "/SNAPSHOT.json"))) as? [String: Any])
        #expect(record3["label"] == nil)

        // The dry run says the same and removes nothing.
        let dry = try executor.run(h, plan, arguments: ["--dry-run", "--label", "x1"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: would label the snapshot x1"), "\(dry.stderr)")
        #expect(dry.stderr.contains("keeping snapshot \(run2) (label before-upgrade)"), "\(dry.stderr)")
        #expect(h.snapshots(plan) == kept + [run2, run3])
    }

    /// A label that is not a label name, a missing one, or one with --resume: exit 64, nothing done.
    @Test(arguments: Executor.allCases)
    func aBadLabelExits64(_ executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let plan = h.plan()
        for arguments in [["--label", "Pre_Upgrade"], ["--label", ""], ["--label", "-x"], ["--label", String(repeating: "a", count: 64)],
                          ["--label"], ["--label", "ok", "--resume"]] {
            let run = try executor.run(h, plan, arguments: arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.records.isEmpty, "\(arguments)")
            #expect(h.snapshots(plan).isEmpty, "\(arguments)")
        }
        let ok = try executor.run(h, plan, arguments: ["--label", String(repeating: "a", count: 63)])
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}
