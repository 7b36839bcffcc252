import ArgumentParser
import BackplanCore
import BackplanRuntime
import Foundation

/// `backplan run PLAN JOB`: runs a job of a compiled plan once, like its generated script.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job of a compiled plan once (the same contract as generated/<plan>/<job>.sh).",
        discussion: """
            PLAN is a path to plan.json or a plan name (generated/<name>/plan.json). Every target type \
            (local, rclone, restic, rsync push); a target that fails leaves the others published. Logs one line per step on standard error (JSON lines on \
            standard output with --json). On a terminal, a progress line per source (files and bytes, \
            against the previous snapshot's counts) is redrawn during the capture; errors and warnings are \
            coloured unless NO_COLOR is set. --resume only starts the app a killed run left stopped (the \
            quiesce journal) and exits; --jitter sleeps a random 0..SECONDS before taking the lock; \
            --timings adds a line with each step's time before the last one. \
            --label NAME (a-z, 0-9 and -, up to 63) labels the snapshot (SNAPSHOT.json, runs.jsonl, a restic tag): \
            retention never removes it and it takes no slot of the keep rules; remove it with \
            backplan prune PLAN --remove ID (docs/restore.md, the upgrade recipe). \
            With a notify webhook in the plan, the run's runs.jsonl line is POSTed to it with curl when \
            the outcome is listed; a failed notification is a warning and never changes the exit status. \
            Exit status: 0 every target done, 1 nothing published, 3 some targets failed, 64 usage error.
            """
    )

    @Argument(help: "plan.json, or the name of a compiled plan under generated/.")
    var plan: String

    @Argument(help: "The job to run.")
    var job: String

    @Flag(help: "Print the steps; change nothing.")
    var dryRun = false

    @Flag(help: "JSON lines (one object per step) on standard output instead of log lines.")
    var json = false

    @Flag(help: "Resume a journaled quiesce (start the app a killed run left stopped) and exit.")
    var resume = false

    @Flag(help: "Log each step's time (prepare, capture, manifest, publish, verify, retention) before the last line.")
    var timings = false

    @Option(help: ArgumentHelp("Sleep a random 0..SECONDS before taking the lock (cron).", valueName: "seconds"))
    var jitter: Int?

    @Option(help: ArgumentHelp("Label the snapshot (e.g. pre-upgrade): retention keeps it until prune --remove ID.", valueName: "name"))
    var label: String?

    @Option(help: ArgumentHelp("The folder of generated files.", valueName: "dir"))
    var generated = "generated"

    func validate() throws {
        // The script's `^[0-9]{1,9}$`.
        if let jitter, !(0...999_999_999).contains(jitter) {
            throw ValidationError("--jitter takes a whole number of seconds from 0 to 999999999")
        }
        // The script's `[[ $2 =~ $BP_LABEL_RE ]]`.
        if let label, !SnapshotLabel.isValid(label) {
            throw ValidationError("--label takes a name of 1 to 63 characters: lower-case letters, digits and '-', not starting with '-' (e.g. pre-upgrade)")
        }
        if label != nil && resume { throw ValidationError("--label does not go with --resume (which takes no snapshot)") }
    }

    func run() throws {
        let path = plan.hasSuffix(".json") || plan.contains("/") ? plan : "\(generated)/\(plan)/plan.json"
        guard let compiled = CompiledPlanOptions.load(path: path) else { throw ExitCode.failure }
        let log = RunLog(plan: compiled.name, job: job, output: json ? .json : .text,
                         terminal: Terminal.runTerminal())
        let cancellation = RunCancellation()
        if !dryRun { RunSignals.install(cancellation, log: log) }
        let executor: RunExecutor
        do { executor = try RunExecutor(plan: compiled, job: job, log: log, cancellation: cancellation) } catch {
            FileHandle.standardError.write(Data("backplan: \(error)\n".utf8))
            throw ExitCode(RunContract.Exit.usage.rawValue)
        }
        executor.timings = timings
        executor.label = label
        let status = dryRun ? executor.dryRun() : resume ? executor.resumeOnly() : executor.run(jitter: jitter ?? 0)
        if status != 0 { throw ExitCode(status) }
    }
}
