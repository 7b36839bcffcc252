import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport

/// The job-script harness (TestSupport) serves `backplan run` tests too: the same fixture copy, plans
/// and clean-signal-mask process runner, so both executors are tested on identical ground.
typealias RunHarness = JobScriptHarness

extension RunHarness {
    /// Runs the job in-process with `backplan run`'s library; its exit status and log lines.
    func runtime(_ plan: CompiledPlan, job: String? = nil) throws -> (status: Int32, log: [String]) {
        let log = RunLog(plan: plan.name, job: job ?? plan.jobs[0].name, output: .silent)
        let status = try RunExecutor(plan: plan, job: job ?? plan.jobs[0].name, log: log).run()
        return (status, log.lines)
    }

    /// Writes the plan as `<root>/plan.json` (what `backplan run PLAN` reads); returns its path.
    func writePlan(_ plan: CompiledPlan) throws -> String {
        let path = root + "/plan.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(plan).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The built `backplan` binary beside the test bundle (or BACKPLAN_BIN); nil when it is not there.
    static var binary: String? {
        if let explicit = ProcessInfo.processInfo.environment["BACKPLAN_BIN"] { return explicit }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("backplan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Inode of a file.
    static func inode(_ path: String) -> UInt64 {
        var st = stat()
        return lstat(path, &st) == 0 ? UInt64(st.st_ino) : 0
    }
}
