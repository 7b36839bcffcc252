import ArgumentParser
import BackplanCore
import BackplanRuntime
import Foundation

/// The PLAN argument of the snapshot commands: a path to `plan.json` (or its folder), or a plan name
/// read from `generated/<name>/plan.json`.
struct CompiledPlanOptions: ParsableArguments {
    @Argument(help: "A compiled plan: a path to plan.json, or a plan name (generated/<name>/plan.json).")
    var plan: String

    /// The compiled plan, or nil after printing why it cannot be read.
    func load() -> CompiledPlan? { Self.load(path: Self.path(of: plan)) }

    /// The compiled plan at `path`, read as untrusted input (`CompiledPlanReader`), or nil after printing
    /// one line naming the file, the field and what to do.
    static func load(path: String) -> CompiledPlan? {
        guard let data = FileManager.default.contents(atPath: path) else {
            CommandOutput.error("cannot read \(path): run 'backplan compile' first, or name plan.json by its path")
            return nil
        }
        switch CompiledPlanReader.read(data) {
        case .success(let plan):
            return plan
        case .failure(let problem):
            CommandOutput.error("\(path) is not a plan.json this backplan wrote: \(problem); compile the plan again with 'backplan compile', and do not edit plan.json")
            return nil
        }
    }

    /// Where `argument` points: a `.json` path or folder as is, a bare name under `generated/`.
    static func path(of argument: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            return argument + "/plan.json"
        }
        if argument.contains("/") || argument.hasSuffix(".json") { return argument }
        return "generated/\(argument)/plan.json"
    }
}

/// Printing for the snapshot commands: results on stdout, progress and errors on stderr.
///
/// Every line goes through `TerminalText.escapeLines`: names and fields read back from a target
/// (SNAPSHOT.json, folder names) reach the terminal as visible escapes, never as control sequences.
enum CommandOutput {
    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escapeLines(line) + "\n").utf8))
    }

    /// JSON with control characters and bidirectional controls escaped (`TerminalText.escapeJSON`).
    static func printJSON(_ json: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escapeJSON(json) + "\n").utf8))
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data("backplan: \(TerminalText.escapeLines(line))\n".utf8))
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data("error: \(TerminalText.escapeLines(line))\n".utf8))
    }

    /// Runs `body`, printing a `RunError` and exiting 1 when it throws one.
    static func run(_ body: () throws(RunError) -> Void) throws {
        do {
            try body()
        } catch {
            CommandOutput.error(error.description)
            throw ExitCode.failure
        }
    }

    /// The plan's lock, with its notices on stderr.
    static func lock(_ plan: CompiledPlan) -> SnapshotStoreLock {
        SnapshotStoreLock(stateDir: plan.stateDir, notice: log)
    }
}
