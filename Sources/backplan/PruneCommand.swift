import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan prune PLAN [--target T] [--dry-run]`.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Apply each job's retention to its complete snapshots on each target.",
        discussion: "Prints every kept snapshot with the rules keeping it, and every removed one. Takes the plan's lock.")

    @OptionGroup var options: CompiledPlanOptions

    @Option(help: "Only this target.")
    var target: String?

    @Flag(help: "Print what would be removed; remove nothing.")
    var dryRun = false

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        let store = SnapshotStore(plan: plan)
        var failed = false
        try CommandOutput.run { () throws(RunError) in
            let targets = try store.targets(target)
            let lock = CommandOutput.lock(plan)
            defer { lock.release() }
            for step in SnapshotPruner.prune(store: store, targets: targets, dryRun: dryRun) {
                step.lines(dryRun: dryRun).forEach(CommandOutput.print)
                if !step.failures.isEmpty { failed = true }
            }
        }
        if failed { throw ExitCode.failure }
    }
}
