import BackplanRuntime
import Foundation
import Testing

/// `backplan status` after a real run of the generated job script.
@Suite struct StatusCommandTests {
    @Test func showsTheLastRunAndTheNextOne() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let before = workspace.backplan("status")
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.hasPrefix("daily: never run; next run "))

        let id = try workspace.runJobScript()
        let result = workspace.backplan("status")
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix("daily: last run 20"))
        #expect(line.contains(" ok (exit 0, downtime "))
        #expect(line.range(of: #"; next run \d{4}-\d\d-\d\dT\d\d:\d\d:00Z$"#, options: .regularExpression) != nil)
        let entry = try #require(StatusReport.jobs(plan: workspace.plan).first?.lastRun)
        #expect(entry.id == id)
        #expect((entry.bytes ?? 0) > 0)
        #expect(line.contains("\(entry.bytes ?? 0) bytes"))
    }

    /// A labelled run shows its label; after a plain run the job's last labelled snapshot is still named;
    /// a label in runs.jsonl that is no label name is shown as `?`.
    @Test func showsTheLabelOfTheLastRunAndTheLastLabelledSnapshot() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let labelled = workspace.backplan("run", ["daily", "--label", "pre-upgrade"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let id = try #require(StatusReport.jobs(plan: workspace.plan).first?.lastRun?.id)
        let first = workspace.backplan("status").stdout
        #expect(first.contains(" bytes, label pre-upgrade); next run "), "\(first)")
        #expect(!first.contains("last labelled snapshot"), "\(first)")

        try workspace.runJobScript()
        let second = workspace.backplan("status").stdout
        #expect(!second.contains("bytes, label"), "\(second)")
        #expect(second.contains("; last labelled snapshot \(id) (label pre-upgrade); next run "), "\(second)")

        let log = workspace.stateDir + "/runs.jsonl"
        let forged = #"{"exit":0,"id":"20300101T000000Z","job":"daily","label":"\u001b[31mx","plan":"openwebui","status":"ok"}"# + "\n"
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(forged.utf8))
        handle.closeFile()
        let third = workspace.backplan("status").stdout
        #expect(third.contains(", label ?); next run ") && !third.contains("\u{1b}"), "\(third)")
    }
}

