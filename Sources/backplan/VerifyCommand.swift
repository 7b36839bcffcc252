import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan verify PLAN [--target T] [--job J] [--snapshot ID|latest] [--deep]`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a snapshot against its MANIFEST.sha256 and PRAGMA integrity_check, then the app's own data.",
        discussion: """
            The app check (docs/app-consistency.md) reads the snapshot's webui.db: every upload it lists must be in \
            uploads/ with its size, every knowledge base with files must have its vectors. Its problems are warnings \
            unless --strict.
            Exit status: 0 when every snapshot checked passes, 1 otherwise (the summary names the bad files).
            """)

    @OptionGroup var options: CompiledPlanOptions

    @Option(help: "Only this target (default: every target).")
    var target: String?

    @Option(help: "Only this job's snapshots.")
    var job: String?

    @Option(help: ArgumentHelp("The snapshot: an ID or latest.", valueName: "id"))
    var snapshot = "latest"

    @Flag(help: "Restore into a temporary folder and check the restored copy there.")
    var deep = false

    @Flag(help: "Fail also when the app's own data disagrees (an upload webui.db lists is missing, a knowledge base has no vectors).")
    var strict = false

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        let store = SnapshotStore(plan: plan)
        var failed = false
        try CommandOutput.run { () throws(RunError) in
            let targets = try store.targets(target)
            _ = try store.jobs(job)
            let lock = CommandOutput.lock(plan)
            defer { lock.release() }
            for target in targets {
                let chosen = try store.resolve(target: target, job: job, selector: snapshot)
                CommandOutput.log("verifying snapshot \(chosen.job)/\(chosen.id) on target \(target.name)\(deep ? " (deep: restored copy)" : "")")
                let (report, app) = try store.withLocalCopy(chosen, log: CommandOutput.log) { (local) throws(RunError) in
                    let report = deep ? try SnapshotVerifier.verifyRestored(local, log: CommandOutput.log) : SnapshotVerifier.verify(local.directory)
                    return (report, report.passed ? AppVerifier.check(local.directory, record: chosen.record, plan: plan) : nil)
                }
                for problem in report.problems { CommandOutput.log("\(chosen.job)/\(chosen.id): \(problem)") }
                CommandOutput.print("target \(target.name) snapshot \(chosen.job)/\(chosen.id): \(report.summary)")
                if !report.passed { failed = true }
                switch app {
                case nil:
                    break
                case .failure(let failure)?:
                    CommandOutput.log("\(chosen.job)/\(chosen.id): warning: the app's data could not be read: \(failure.reason)")
                    if strict { failed = true }
                case .success(let consistency)?:
                    for problem in consistency.problems { CommandOutput.log("\(chosen.job)/\(chosen.id): warning: \(problem.sentence)") }
                    CommandOutput.print("target \(target.name) snapshot \(chosen.job)/\(chosen.id): \(AppVerifier.summary(consistency))")
                    if strict && !consistency.problems.isEmpty { failed = true }
                }
            }
        }
        if failed { throw ExitCode.failure }
    }
}
