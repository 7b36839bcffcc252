@testable import BackplanCore
import BackplanEmit
import Foundation

/// A temp folder for one `backplan run` test (a copy of BackplanEmitTests' JobScriptHarness): a writable copy of the fixture data dir, a state dir, a
/// backups folder, and helpers to render, write and run the script with real tools.
struct RunHarness {
    /// The repository's read-only Open WebUI 0.12.4 data dir (never written to).
    static let fixtureData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/openwebui-0.12.4/data").path

    let root: String

    /// `component` is put in the data dir, state dir and target paths (hostile tests put odd bytes there).
    init(component: String = "") throws {
        root = FileManager.default.temporaryDirectory.path + "/backplan-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        self.component = component
    }

    let component: String

    var dataDir: String { root + "/data\(component)" }
    var stateDir: String { root + "/state\(component)" }
    var backups: String { root + "/backups\(component)" }

    /// Copies the fixture data dir (cp -a, then makes it writable) and creates the backups folder.
    func copyFixture() throws {
        try Self.check(Self.run("/bin/cp", ["-a", "--", Self.fixtureData, dataDir]))
        try Self.check(Self.run("/bin/chmod", ["-R", "u+w", "--", dataDir]))
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
    }

    func remove() {
        _ = Self.run("/bin/chmod", ["-R", "u+rwx", "--", root])
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Plans

    static func source(_ name: String, _ kind: String, _ path: String, dataDir: String, exclude: [String] = []) -> CompiledSource {
        CompiledSource(name: name, kind: kind, path: path, absolutePath: dataDir + "/" + path, exclude: exclude)
    }

    static func localTarget(_ name: String, _ path: String) -> CompiledTarget {
        var target = CompiledTarget(name: name, type: "local")
        target.path = path
        return target
    }

    /// A plan over the fixture's database, uploads and vector_db into one local target `local`.
    func plan(name: String = "openwebui", job: String = "daily", quiesce: CompiledQuiesce = .none,
              retention: CompiledRetention? = nil, verify: String = "manifest",
              targets: [CompiledTarget]? = nil, compose: CompiledCompose? = nil) -> CompiledPlan {
        let targets = targets ?? [Self.localTarget("local", backups)]
        let sources = [
            Self.source("database", "sqlite", "webui.db", dataDir: dataDir),
            Self.source("uploads", "files", "uploads", dataDir: dataDir, exclude: ["*.part"]),
            Self.source("vectors", "chroma", "vector_db", dataDir: dataDir),
        ]
        let compiledJob = CompiledJob(
            name: job,
            schedule: CompiledSchedule(expression: "*-*-* 03:15", syntax: "calendar", onCalendar: ["*-*-* 03:15:00"], cron: "15 3 * * *"),
            sources: sources.map(\.name), targets: targets.map(\.name).sorted(), quiesce: quiesce, retention: retention,
            verify: verify, jitterSeconds: nil)
        return CompiledPlan(
            format: 1, name: name, source: "plans/\(name).yaml", dataDir: dataDir, stateDir: stateDir, compose: compose,
            sources: sources, targets: targets.sorted { $0.name < $1.name }, jobs: [compiledJob], notify: nil,
            install: InstallPaths(scriptDir: "/usr/local/lib/backplan/\(name)", cronFile: "/etc/cron.d/backplan-\(name)",
                                  unitDir: "/etc/systemd/system"))
    }

    /// Renders the plan's first job and writes it as `<root>/<job>.sh`; returns its path.
    func writeScript(_ plan: CompiledPlan) throws -> String {
        let path = root + "/\(plan.jobs[0].name).sh"
        try JobScriptEmitter.render(plan, job: plan.jobs[0]).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `<backups>/<plan>/<job>`.
    func jobDir(_ plan: CompiledPlan, target: String? = nil) -> String {
        "\(target ?? backups)/\(plan.name)/\(plan.jobs[0].name)"
    }

    /// Complete snapshot IDs in the job folder (named like an ID and holding SNAPSHOT.json), sorted.
    func snapshots(_ plan: CompiledPlan, target: String? = nil) -> [String] {
        let dir = jobDir(plan, target: target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { !$0.hasPrefix(".") && FileManager.default.fileExists(atPath: "\(dir)/\($0)/SNAPSHOT.json") }.sorted()
    }

    /// Every entry of the job folder (hidden ones included), sorted.
    func jobDirEntries(_ plan: CompiledPlan) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: jobDir(plan))) ?? []).sorted()
    }

    func runsLog() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: stateDir + "/runs.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    // MARK: Processes

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the script with bash; output goes through files, so background processes it leaves behind
    /// cannot keep the test waiting.
    func runScript(_ script: String, _ arguments: [String] = [], path: String? = nil) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        if let path { environment["PATH"] = path + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
        return Self.run("/bin/bash", [script] + arguments, scratch: root, environment: environment)
    }

    /// Runs `executable` and waits; stdout and stderr through temp files in `scratch` (or the temp dir).
    static func run(_ executable: String, _ arguments: [String], scratch: String? = nil,
                    environment: [String: String]? = nil) -> Result {
        let dir = scratch ?? FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString
        let outPath = "\(dir)/.out-\(id)", errPath = "\(dir)/.err-\(id)"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard let pid = spawn(executable, arguments, stdout: outPath, stderr: errPath, environment: environment) else {
            return Result(status: -1, stdout: "", stderr: "cannot start \(executable)")
        }
        let status = wait(pid)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Result(status: status, stdout: stdout, stderr: stderr)
    }

    /// Starts a process the way cron or systemd would: empty signal mask, default signal dispositions
    /// (Foundation's Process passes on the test runner's blocked signals, which bash cannot trap),
    /// stdin from /dev/null, stdout and stderr to the given files.
    static func spawn(_ executable: String, _ arguments: [String], stdout: String = "/dev/null", stderr: String = "/dev/null",
                      environment: [String: String]? = nil) -> pid_t? {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }.sorted()
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, argv, envp) == 0 else { return nil }
        return pid
    }

    /// Waits for `pid`; its exit status, or 128 + the signal that ended it.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs a bash command line (test scaffolding only) and returns its stdout without the final newline.
    @discardableResult
    static func bash(_ command: String) throws -> String {
        let result = run("/bin/bash", ["-c", command])
        try check(result)
        return result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
    }

    /// One value from sqlite3 (`-readonly` unless told).
    static func sqlite(_ database: String, _ sql: String) throws -> String {
        let result = run("/usr/bin/sqlite3", [database, sql])
        try check(result)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ result: Result) throws {
        if result.status != 0 {
            throw Failure(description: "status \(result.status): \(result.stderr)\(result.stdout)")
        }
    }

    /// A single-quoted bash word (test scaffolding; the emitter's own quoting is `Shell.quote`).
    static func q(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

import BackplanRuntime

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
