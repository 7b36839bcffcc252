@testable import BackplanCore
import BackplanEmit
import Foundation

/// A temp folder for one job-script test: a writable copy of the fixture data dir, a state dir, a
/// backups folder, and helpers to render, write and run the script with real tools.
public struct JobScriptHarness {
    /// The repository's read-only Open WebUI 0.12.4 data dir (never written to).
    public static let fixtureData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/openwebui-0.12.4/data").path

    /// The repository's root folder.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    public let root: String

    /// `component` is put in the data dir, state dir and target paths (hostile tests put odd bytes there).
    public init(component: String = "") throws {
        root = FileManager.default.temporaryDirectory.path + "/backplan-jobscript-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        self.component = component
    }

    public let component: String

    public var dataDir: String { root + "/data\(component)" }
    public var stateDir: String { root + "/state\(component)" }
    public var backups: String { root + "/backups\(component)" }

    /// Copies the fixture data dir (cp -a, then makes it writable) and creates the backups folder.
    public func copyFixture() throws {
        try Self.check(Self.run("/bin/cp", ["-a", "--", Self.fixtureData, dataDir]))
        try Self.check(Self.run("/bin/chmod", ["-R", "u+w", "--", dataDir]))
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
    }

    public func remove() {
        _ = Self.run("/bin/chmod", ["-R", "u+rwx", "--", root])
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Plans

    public static func source(_ name: String, _ kind: SourceKind, _ path: String, dataDir: String, exclude: [String] = []) -> CompiledSource {
        CompiledSource(name: name, kind: kind, path: path, absolutePath: dataDir + "/" + path, exclude: exclude)
    }

    public static func localTarget(_ name: String, _ path: String) -> CompiledTarget {
        CompiledTarget(name: name, kind: .local(path: path))
    }

    /// A plan over the fixture's database, uploads and vector_db into one local target `local`.
    public func plan(name: String = "openwebui", job: String = "daily", quiesce: CompiledQuiesce = .none,
              retention: RetentionPolicy? = nil, verify: VerifyLevel = .manifest,
              targets: [CompiledTarget]? = nil, compose: CompiledCompose? = nil) -> CompiledPlan {
        let targets = targets ?? [Self.localTarget("local", backups)]
        let sources = [
            Self.source("database", .sqlite, "webui.db", dataDir: dataDir),
            Self.source("uploads", .files, "uploads", dataDir: dataDir, exclude: ["*.part"]),
            Self.source("vectors", .chroma, "vector_db", dataDir: dataDir),
        ]
        let compiledJob = CompiledJob(
            name: job,
            schedule: CompiledSchedule(expression: "*-*-* 03:15", syntax: .calendar, onCalendar: ["*-*-* 03:15:00"], cron: "15 3 * * *"),
            sources: sources.map(\.name), targets: targets.map(\.name).sorted(), quiesce: quiesce, retention: retention,
            verify: verify, jitterSeconds: nil)
        return CompiledPlan(
            format: 1, name: name, source: "plans/\(name).yaml", dataDir: dataDir, stateDir: stateDir, compose: compose,
            sources: sources, targets: targets.sorted { $0.name < $1.name }, jobs: [compiledJob], notify: nil,
            install: InstallPaths(scriptDir: "/usr/local/lib/backplan/\(name)", cronFile: "/etc/cron.d/backplan-\(name)",
                                  unitDir: "/etc/systemd/system"))
    }

    /// Writes every generated file of `plan` (what `backplan compile` writes) under `dir`; returns `dir`.
    @discardableResult
    public static func writeGenerated(_ plan: CompiledPlan, into dir: String) throws -> String {
        for file in PlanEmitter.files(for: plan) {
            let path = dir + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
            if file.executable { chmod(path, 0o755) }
        }
        return dir
    }

    /// Renders the plan's first job and writes it as `<root>/<job>.sh`; returns its path.
    public func writeScript(_ plan: CompiledPlan) throws -> String {
        let path = root + "/\(plan.jobs[0].name).sh"
        try LibraryEmitter.install(JobScriptEmitter.render(plan, job: plan.jobs[0]), plan: plan, at: path)
        return path
    }

    /// `<backups>/<plan>/<job>`.
    public func jobDir(_ plan: CompiledPlan, target: String? = nil) -> String {
        "\(target ?? backups)/\(plan.name)/\(plan.jobs[0].name)"
    }

    /// Complete snapshot IDs in the job folder (named like an ID and holding SNAPSHOT.json), sorted.
    public func snapshots(_ plan: CompiledPlan, target: String? = nil) -> [String] {
        let dir = jobDir(plan, target: target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { !$0.hasPrefix(".") && FileManager.default.fileExists(atPath: "\(dir)/\($0)/SNAPSHOT.json") }.sorted()
    }

    /// Every entry of the job folder (hidden ones included), sorted.
    public func jobDirEntries(_ plan: CompiledPlan) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: jobDir(plan))) ?? []).sorted()
    }

    public func runsLog() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: stateDir + "/runs.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    // MARK: Processes

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs the script with bash; output goes through files, so background processes it leaves behind
    /// cannot keep the test waiting.
    public func runScript(_ script: String, _ arguments: [String] = [], path: String? = nil) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        if let path { environment["PATH"] = path + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
        return Self.run("/bin/bash", [script] + arguments, scratch: root, environment: environment)
    }

    /// Runs `executable` and waits, as cron would start it (TestSupport's CleanProcess).
    public static func run(_ executable: String, _ arguments: [String], scratch: String? = nil,
                    environment: [String: String]? = nil) -> Result {
        let r = CleanProcess.run(executable, arguments, scratch: scratch, environment: environment)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    public static func spawn(_ executable: String, _ arguments: [String], stdout: String = "/dev/null", stderr: String = "/dev/null",
                      environment: [String: String]? = nil) -> pid_t? {
        CleanProcess.spawn(executable, arguments, stdout: stdout, stderr: stderr, environment: environment)
    }

    public static func wait(_ pid: pid_t) -> Int32 { CleanProcess.wait(pid) }

    /// Runs a bash command line (test scaffolding only) and returns its stdout without the final newline.
    @discardableResult
    public static func bash(_ command: String) throws -> String {
        let result = run("/bin/bash", ["-c", command])
        try check(result)
        return result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
    }

    /// One value from sqlite3 (`-readonly` unless told).
    public static func sqlite(_ database: String, _ sql: String) throws -> String {
        let result = run("/usr/bin/sqlite3", [database, sql])
        try check(result)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func check(_ result: Result) throws {
        if result.status != 0 {
            throw Failure(description: "status \(result.status): \(result.stderr)\(result.stdout)")
        }
    }
}
