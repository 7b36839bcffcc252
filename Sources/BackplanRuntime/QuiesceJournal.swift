import BackplanCore
import Foundation

/// The quiesce journal `<state_dir>/quiesce`, in the bash script's format (docs/run-contract.md): one
/// `KEY VALUE` line per entry: `format 1`, `plan P`, `job J`, `method M`, then `name N` (stop order) or
/// `start C` (in order). Either executor resumes the other's journal.
public struct QuiesceJournal: Hashable, Sendable {
    public var plan: String
    public var job: String
    public var method: String
    public var names: [String]
    public var startCommands: [String]

    public init(plan: String, job: String, method: String, names: [String], startCommands: [String]) {
        self.plan = plan
        self.job = job
        self.method = method
        self.names = names
        self.startCommands = startCommands
    }

    public static func path(stateDir: String) -> String { stateDir + "/" + RunContract.quiesceJournal }

    public var text: String {
        var lines = ["format 1", "plan \(plan)", "job \(job)", "method \(method)"]
        lines += names.map { "name \($0)" } + startCommands.map { "start \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a journal; unknown keys are ignored, like the bash reader.
    public static func parse(_ text: String) -> QuiesceJournal {
        var journal = QuiesceJournal(plan: "", job: "", method: "", names: [], startCommands: [])
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let key = line.prefix { $0 != " " }
            let value = line.count > key.count ? String(line.dropFirst(key.count + 1)) : String(line)
            switch key {
            case "plan": journal.plan = value
            case "job": journal.job = value
            case "method": journal.method = value
            case "name": journal.names.append(value)
            case "start": journal.startCommands.append(value)
            default: break
            }
        }
        return journal
    }

    public static func read(stateDir: String) -> QuiesceJournal? {
        guard let text = try? String(contentsOfFile: path(stateDir: stateDir), encoding: .utf8) else { return nil }
        return parse(text)
    }

    /// Writes `quiesce.new`, fsyncs it, renames it over `quiesce` and fsyncs the folder.
    public func write(stateDir: String) throws {
        let final = Self.path(stateDir: stateDir), temp = final + ".new"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunError("cannot write \(temp): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temp, final) == 0 else {
            throw RunError("cannot write \(final): \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(stateDir)
    }

    /// Removes the journal and fsyncs the folder.
    public static func remove(stateDir: String) {
        unlink(path(stateDir: stateDir))
        syncDirectory(stateDir)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

extension QuiesceJournal {
    /// Starts the app as the journal says, the way the script's `bp_resume` does: compose services,
    /// containers and units in reverse stop order, start commands with `bash -c` in order. False when any start failed.
    public func start(plan: CompiledPlan, log: (String) -> Void, error: (String) -> Void) -> Bool {
        let reversed = Array(names.reversed())
        // The journal is read back from the disk: a method this version does not know is refused.
        switch QuiesceMethod(rawValue: method) {
        case .compose:
            guard plan.compose != nil else {
                error("quiesce: the journal says compose, but plan \(plan.name) has no compose file")
                return false
            }
            log("quiesce: starting compose services: \(reversed.joined(separator: " "))")
            return ChildProcess.run(Self.composeCommand(plan, "start", reversed)) == 0
        case .containers:
            guard plan.container != nil else {
                error("quiesce: the journal says containers, but plan \(plan.name) names no container")
                return false
            }
            log("quiesce: starting containers: \(reversed.joined(separator: " "))")
            return ChildProcess.run(Self.engineCommand(plan, "start", reversed)) == 0
        case .units:
            log("quiesce: starting systemd units: \(reversed.joined(separator: " "))")
            return ChildProcess.run(["systemctl", "start", "--"] + reversed) == 0
        case .commands:
            var ok = true
            for (index, command) in startCommands.enumerated() {
                log("quiesce: start command \(index + 1) of \(startCommands.count)")
                if ChildProcess.run(["bash", "-c", command]) != 0 { ok = false }
            }
            return ok
        case .some(.none), nil:
            error("quiesce: \(Self.path(stateDir: plan.stateDir)) names no known method")
            return false
        }
    }

    /// The plan's container engine: `ENGINE VERB NAME…` (`docker stop open-webui`). No `--`: the plan
    /// decoder and the plan.json reader admit only container names, which never read as options.
    static func engineCommand(_ plan: CompiledPlan, _ verb: String, _ names: [String]) -> [String] {
        guard let container = plan.container else { return ["false"] }
        return container.command + [verb] + names
    }

    /// The plan's compose command on its file and project. No `--` before the services: docker-compose
    /// 1.29 refuses it for `start`, and the plan decoder admits only compose service names.
    static func composeCommand(_ plan: CompiledPlan, _ verb: String, _ services: [String]) -> [String] {
        guard let compose = plan.compose else { return ["false"] }
        var words = compose.command + ["-f", compose.file]
        if let project = compose.project { words += ["-p", project] }
        return words + [verb] + services
    }
}
