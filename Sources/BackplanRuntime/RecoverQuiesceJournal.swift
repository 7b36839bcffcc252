import BackplanCore
import Foundation

/// The quiesce journal `<state_dir>/quiesce` a killed run leaves behind, in the generated scripts'
/// format: one `KEY VALUE` line per entry (`format 1`, `plan P`, `job J`, `method compose|units|commands`,
/// `name N` per service or unit in stop order, `start C` per start command).
public struct RecoverJournal: Hashable, Sendable {
    public var plan: String?
    public var job: String?
    public var method: String?
    public var names: [String] = []
    public var starts: [String] = []

    /// Parses the journal text; unknown keys are ignored, like the script's `bp_resume`.
    public init(text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let key = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            let value = line.firstIndex(of: " ").map { String(line[line.index(after: $0)...]) } ?? String(line)
            switch key {
            case "plan": plan = value
            case "job": job = value
            case "method": method = value
            case "name": names.append(value)
            case "start": starts.append(value)
            default: break
            }
        }
    }
}

/// `backplan recover`: resumes a journaled quiesce exactly as the script's `bp_resume` does (compose
/// services and units started in reverse order; commands with `bash -c` in order), then removes the
/// journal. If a start fails the journal stays, so a later recover or run tries again.
public enum QuiesceRecovery {
    public enum Outcome: Equatable, Sendable {
        case nothingToDo
        case resumed(job: String?, method: String)
    }

    public static func recover(plan: CompiledPlan, log: (String) -> Void) throws(SnapshotStoreError) -> Outcome {
        let path = plan.stateDir + "/quiesce"
        guard FileManager.default.fileExists(atPath: path) else { return .nothingToDo }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SnapshotStoreError("cannot read \(path)")
        }
        let journal = RecoverJournal(text: text)
        if let name = journal.plan, name != plan.name {
            throw SnapshotStoreError("\(path) belongs to plan \(name), not \(plan.name); nothing was started")
        }
        let reversed = Array(journal.names.reversed())
        var failed = false
        switch journal.method {
        case "compose":
            guard let compose = plan.compose else {
                throw SnapshotStoreError("\(path) says compose, but plan \(plan.name) has no compose file; start the app by hand and delete \(path)")
            }
            log("quiesce: starting compose services: \(reversed.joined(separator: " "))")
            let words = compose.command + ["-f", compose.file] + (compose.project.map { ["-p", $0] } ?? [])
            failed = RestoreProcess.run(words + ["start"] + reversed) != 0
        case "units":
            log("quiesce: starting systemd units: \(reversed.joined(separator: " "))")
            failed = RestoreProcess.run(["systemctl", "start", "--"] + reversed) != 0
        case "commands":
            for (index, command) in journal.starts.enumerated() {
                log("quiesce: start command \(index + 1) of \(journal.starts.count)")
                if RestoreProcess.run(["bash", "-c", command]) != 0 { failed = true }
            }
        default:
            throw SnapshotStoreError("\(path) names no known method; start the app by hand and delete it")
        }
        guard !failed else {
            throw SnapshotStoreError("starting the app failed; \(path) is kept so that the next run or recover tries again")
        }
        guard unlink(path) == 0 else { throw SnapshotStoreError("the app was started but \(path) could not be removed") }
        let fd = open(plan.stateDir, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        return .resumed(job: journal.job, method: journal.method ?? "")
    }
}
