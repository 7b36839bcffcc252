import ArgumentParser
import BackplanRuntime
import Foundation

/// `backplan status PLAN`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last run of each job (from runs.jsonl) and its next scheduled run.")

    @OptionGroup var options: CompiledPlanOptions

    func run() throws {
        guard let plan = options.load() else { throw ExitCode.failure }
        for job in StatusReport.jobs(plan: plan) { CommandOutput.print(job.line) }
        if let notice = StatusReport.journalNotice(plan: plan) { CommandOutput.print(notice) }
    }
}
