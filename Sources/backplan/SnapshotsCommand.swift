import ArgumentParser
import BackplanCore
import BackplanRuntime
import Foundation

/// `backplan snapshots PLAN [--target T] [--json]`.
struct SnapshotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots",
        abstract: "List the complete snapshots of a plan on its targets, oldest first.",
        discussion: "One line each: TARGET JOB ID STARTED EXECUTOR BYTES, then label=NAME for a labelled snapshot (run --label).")

    @OptionGroup var options: CompiledPlanOptions

    @Option(help: "Only this target.")
    var target: String?

    @Flag(help: "One JSON array instead of text.")
    var json = false

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        let store = SnapshotStore(plan: plan)
        var all: [StoredSnapshot] = []
        try CommandOutput.run { () throws(RunError) in
            for target in try store.targets(target) { all += try store.snapshots(on: target) }
        }
        if json {
            let rows = all.map { SnapshotRow(target: $0.target, job: $0.job, id: $0.id, started: $0.record?.started,
                                             executor: $0.record?.executor, bytes: $0.bytes, path: $0.directory,
                                             label: $0.displayLabel) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            CommandOutput.printJSON(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        if all.isEmpty { CommandOutput.log("no complete snapshot of plan \(plan.name)") }
        for snapshot in all {
            // Each field escaped on its own: a line break read from a target must not print a line of its own.
            var fields = [snapshot.target, snapshot.job, snapshot.id, snapshot.record?.started ?? "?",
                          snapshot.record?.executor ?? "?", String(snapshot.bytes)]
            if let label = snapshot.displayLabel { fields.append("label=" + label) }
            CommandOutput.print(fields.map(TerminalText.escape).joined(separator: " "))
        }
    }

    /// One element of `--json`.
    struct SnapshotRow: Encodable {
        var target: String
        var job: String
        var id: String
        var started: String?
        var executor: String?
        var bytes: Int64
        var path: String
        var label: String?
    }
}
