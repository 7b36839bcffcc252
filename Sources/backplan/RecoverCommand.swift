import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan recover PLAN`.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Start the app again after a run was killed while it was stopped (resumes <state_dir>/quiesce).",
        discussion: "Idempotent: without a journal there is nothing to do (exit 0).")

    @OptionGroup var options: CompiledPlanOptions

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        try CommandOutput.run { () throws(RunError) in
            let lock = CommandOutput.lock(plan)
            defer { lock.release() }
            switch try QuiesceRecovery.recover(plan: plan, log: CommandOutput.log) {
            case .nothingToDo:
                CommandOutput.print("nothing to recover: no quiesce journal in \(plan.stateDir)")
            case .resumed(let job, let method):
                CommandOutput.print("recovered: the app was started again (\(method)\(job.map { ", journaled by job \($0)" } ?? "")); the journal is removed")
            }
        }
    }
}
