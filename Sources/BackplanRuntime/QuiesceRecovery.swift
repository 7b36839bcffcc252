import BackplanCore
import Foundation

/// `backplan recover`: resumes a journaled quiesce exactly as the script's `bp_resume` does (compose
/// services and units started in reverse order; commands with `bash -c` in order), then removes the
/// journal. If a start fails the journal stays, so a later recover or run tries again.
public enum QuiesceRecovery {
    public enum Outcome: Equatable, Sendable {
        case nothingToDo
        case resumed(job: String?, method: String)
    }

    public static func recover(plan: CompiledPlan, log: (String) -> Void) throws(RunError) -> Outcome {
        let path = QuiesceJournal.path(stateDir: plan.stateDir)
        guard FileManager.default.fileExists(atPath: path) else { return .nothingToDo }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RunError("cannot read \(path)")
        }
        let journal = QuiesceJournal.parse(text)
        if !journal.plan.isEmpty, journal.plan != plan.name {
            throw RunError("\(path) belongs to plan \(journal.plan), not \(plan.name); nothing was started")
        }
        var problem: String?
        guard journal.start(plan: plan, log: log, error: { problem = $0 }) else {
            throw RunError(problem.map { "\($0); start the app by hand and delete \(path)" }
                ?? "starting the app failed; \(path) is kept so that the next run or recover tries again")
        }
        guard unlink(path) == 0 else { throw RunError("the app was started but \(path) could not be removed") }
        let fd = open(plan.stateDir, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        return .resumed(job: journal.job.isEmpty ? nil : journal.job, method: journal.method)
    }
}
