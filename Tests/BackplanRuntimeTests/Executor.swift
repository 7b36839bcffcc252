@testable import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// The two executors of the run contract (docs/run-contract.md), started as processes the way cron and
/// systemd start them: the generated job script (`bash JOB.sh`, the plan's `lib/backplan.sh` beside it)
/// and the built binary (`backplan run plan.json JOB`). A test that holds both to the contract takes
/// its executor from here, `@Test(arguments: Executor.allCases)`; `RunConformanceTests` is the suite of
/// those checks.
enum Executor: String, CaseIterable, CustomStringConvertible, Sendable {
    case bash, runtime

    var description: String { rawValue }

    /// What the executor writes as `"executor"` in SNAPSHOT.json and runs.jsonl.
    var recordedName: String { rawValue }

    /// The other executor (for cross-executor checks).
    var other: Executor { self == .bash ? .runtime : .bash }

    /// Writes what this executor reads into `folder` (`<job>.sh` with `lib/backplan.sh`, or `plan.json`)
    /// and returns the command line running job `job` (the plan's first by default).
    func commandLine(_ plan: CompiledPlan, job: String? = nil, in folder: String) throws -> [String] {
        let name = job ?? plan.jobs[0].name
        switch self {
        case .bash:
            let compiledJob = try #require(plan.jobs.first { $0.name == name }, "the plan has no job \(name)")
            let script = folder + "/\(name).sh"
            try LibraryEmitter.install(JobScriptEmitter.render(plan, job: compiledJob), plan: plan, at: script)
            return ["/bin/bash", script]
        case .runtime:
            let binary = try #require(RunHarness.binary, "the built backplan binary is missing (swift build first)")
            let path = folder + "/plan.json"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(plan).write(to: URL(fileURLWithPath: path))
            return [binary, "run", path, name]
        }
    }

    /// Runs the job to its end with `arguments` after the command line, its output through files in
    /// `folder`; `user` (e.g. 65534) runs it under `setpriv` without root's rights.
    func run(_ plan: CompiledPlan, job: String? = nil, in folder: String, arguments: [String] = [],
             environment: [String: String]? = nil, user: Int? = nil) throws -> ExecutorRun {
        var line = try commandLine(plan, job: job, in: folder) + arguments
        if let user {
            // What commandLine just wrote (script, plan.json) belongs to the user too: an in-process runtime
            // test elsewhere may hold the process umask at 077 (RunExecutor.run), so modes alone cannot be trusted.
            _ = RunHarness.run("/bin/chown", ["-R", "\(user):\(user)", "--", folder])
            line = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] + line
        }
        let before = ExecutorRun.runsLines(stateDir: plan.stateDir).count
        let result = RunHarness.run(line[0], Array(line.dropFirst()), scratch: folder, environment: environment)
        let appended = ExecutorRun.runsLines(stateDir: plan.stateDir).dropFirst(before)
        return ExecutorRun(status: result.status, stdout: result.stdout, stderr: result.stderr,
                           records: appended.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
    }

    /// The command line running the plan's first job in the harness's folder.
    func commandLine(_ h: RunHarness, _ plan: CompiledPlan) throws -> [String] {
        try commandLine(plan, in: h.root)
    }

    /// Runs the plan's first job in the harness's folder.
    func run(_ h: RunHarness, _ plan: CompiledPlan, arguments: [String] = [], environment: [String: String]? = nil,
             user: Int? = nil) throws -> ExecutorRun {
        try run(plan, in: h.root, arguments: arguments, environment: environment, user: user)
    }
}

/// One run of an executor: its exit status, its output, and the records it appended to runs.jsonl.
struct ExecutorRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The lines this run appended to `<state_dir>/runs.jsonl`, decoded: one for a run that took the lock,
    /// none for a usage error, `--dry-run` or `--resume`.
    var records: [[String: Any]]

    /// The run's record, if it wrote one.
    var record: [String: Any]? { records.last }

    /// The lines of runs.jsonl as they are now.
    static func runsLines(stateDir: String) -> [String] {
        let text = (try? String(contentsOfFile: stateDir + "/runs.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }
}
