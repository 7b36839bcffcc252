import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan prune PLAN [--target T] [--dry-run]`, and `backplan prune PLAN --remove ID [--target T] [--job J]`.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Apply each job's retention to its complete snapshots on each target, or remove one snapshot by ID.",
        discussion: """
            Prints every kept snapshot with the rules keeping it, and every removed one. A labelled snapshot \
            (backplan run PLAN JOB --label NAME) is always kept and takes no slot of the keep rules. \
            --remove ID removes exactly that complete snapshot (labelled or not) from every target holding it \
            (or --target's), renamed to .ID.deleting and then deleted (a remote target through its tool), and \
            prints what it removed; an ID no target holds as a complete snapshot is refused. Takes the plan's lock.
            """)

    @OptionGroup var options: CompiledPlanOptions

    @Option(help: "Only this target.")
    var target: String?

    @Option(help: ArgumentHelp("Remove this snapshot (an ID, YYYYMMDDTHHMMSSZ), labelled or not, instead of applying retention.", valueName: "id"))
    var remove: String?

    @Option(help: ArgumentHelp("With --remove: the job whose snapshot it is (needed when two jobs hold the ID).", valueName: "job"))
    var job: String?

    @Flag(help: "Print what would be removed; remove nothing.")
    var dryRun = false

    func validate() throws {
        if job != nil && remove == nil { throw ValidationError("--job goes with --remove ID") }
    }

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        let store = SnapshotStore(plan: plan)
        var failed = false
        try CommandOutput.run { () throws(RunError) in
            let targets = try store.targets(target)
            if let job { _ = try store.jobs(job) }
            let lock = CommandOutput.lock(plan)
            defer { lock.release() }
            if let remove {
                let result = try SnapshotPruner.remove(id: remove, job: job, store: store, targets: targets, dryRun: dryRun)
                result.lines.forEach(CommandOutput.print)
                result.failures.forEach { CommandOutput.log("error: \($0)") }
                if !result.failures.isEmpty { failed = true }
                return
            }
            for step in SnapshotPruner.prune(store: store, targets: targets, dryRun: dryRun) {
                step.lines(dryRun: dryRun).forEach(CommandOutput.print)
                if !step.failures.isEmpty { failed = true }
            }
        }
        if failed { throw ExitCode.failure }
    }
}
