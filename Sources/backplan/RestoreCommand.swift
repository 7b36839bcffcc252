import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan restore PLAN --target T [--snapshot ID|latest] [--job J] (--to DIR | --in-place)`.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a snapshot into a folder (or over the data dir with --in-place), verified before it is put in place.")

    @OptionGroup var options: CompiledPlanOptions

    @Option(help: "The target holding the snapshot.")
    var target: String

    @Option(help: ArgumentHelp("The snapshot: an ID or latest.", valueName: "id"))
    var snapshot = "latest"

    @Option(help: "The job whose snapshot to restore (needed when several jobs hold the ID).")
    var job: String?

    @Option(help: ArgumentHelp("The folder to restore into (it becomes the data dir).", valueName: "dir"))
    var to: String?

    @Flag(help: "Replace the contents of a non-empty DIR.")
    var force = false

    @Flag(help: "Point file.path in webui.db at <DIR>/uploads/.")
    var rewritePaths = false

    @Flag(help: "Restore over the plan's data dir: stop the app, move the data dir aside, restore, start.")
    var inPlace = false

    @Flag(help: "With --in-place: the app was stopped by hand; neither stop nor start it.")
    var appStopped = false

    @Flag(help: "Restore even into an app older than the one that wrote the snapshot (its migrations only go forward).")
    var allowDowngrade = false

    func validate() throws {
        guard (to != nil) != inPlace else { throw ValidationError("give exactly one of --to DIR and --in-place") }
        if appStopped && !inPlace { throw ValidationError("--app-stopped goes with --in-place") }
    }

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        let store = SnapshotStore(plan: plan)
        try CommandOutput.run { () throws(RunError) in
            let chosenTarget = try store.targets(target)[0]
            _ = try store.jobs(job)
            let lock = CommandOutput.lock(plan)
            defer { lock.release() }
            let chosen = try store.resolve(target: chosenTarget, job: job, selector: snapshot)
            let restorer = SnapshotRestorer(plan: plan, log: CommandOutput.log)
            // A remote snapshot is downloaded beside where it goes (one file system), then restored from there.
            let near = ((to ?? plan.dataDir) as NSString).deletingLastPathComponent
            let lines = try store.withLocalCopy(chosen, near: near.isEmpty ? "." : near, log: CommandOutput.log) { (local) throws(RunError) in
                try restorer.checkApp(local, allowDowngrade: allowDowngrade)
                if let to {
                    return try restorer.restore(local, to: to, force: force, rewritePaths: rewritePaths)
                } else {
                    return try restorer.restoreInPlace(local, appStopped: appStopped, rewritePaths: rewritePaths)
                }
            }
            lines.forEach(CommandOutput.print)
        }
    }
}
