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
}
