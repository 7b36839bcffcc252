@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// A temp folder for one snapshot-command test: a writable copy of the fixture data dir, a state dir,
/// a backups folder, the compiled plan written as `plan.json`, and helpers to run the real generated
/// job script, restore.sh and the built `backplan` binary (all started with a clean signal mask).
/// The process helpers are copied from BackplanEmitTests' JobScriptHarness (internal to that target).
struct SnapshotWorkspace {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// The repository's read-only Open WebUI 0.12.4 data dir (never written to).
    static let fixtureData = repository + "/fixtures/openwebui-0.12.4/data"

    /// The `backplan` binary built beside the test bundle (or BACKPLAN_BIN).
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["BACKPLAN_BIN"] { return explicit }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("backplan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository + "/.build-snap/debug/backplan"
    }()

    let root: String
    var plan: CompiledPlan

    var dataDir: String { root + "/data" }
    var stateDir: String { root + "/state" }
    var backups: String { root + "/backups" }
    var planPath: String { root + "/generated/\(plan.name)/plan.json" }
    var jobDir: String { "\(backups)/\(plan.name)/\(plan.jobs[0].name)" }

    /// Copies the fixture and writes a plan over it (database, uploads, vector_db → local target `local`).
    init(retention: RetentionPolicy? = nil, quiesce: CompiledQuiesce = .none, extraTargets: [CompiledTarget] = []) throws {
        root = FileManager.default.temporaryDirectory.path + "/backplan-snap-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/generated/openwebui", withIntermediateDirectories: true)
        try Self.check(Self.run("/bin/cp", ["-a", "--", Self.fixtureData, root + "/data"]))
        try Self.check(Self.run("/bin/chmod", ["-R", "u+w", "--", root + "/data"]))
        try FileManager.default.createDirectory(atPath: root + "/backups", withIntermediateDirectories: true)
        let local = CompiledTarget(name: "local", kind: .local(path: root + "/backups"))
        let targets = ([local] + extraTargets).sorted { $0.name < $1.name }
        let sources = [
            Self.source("database", .sqlite, "webui.db", root + "/data"),
            Self.source("uploads", .files, "uploads", root + "/data"),
            Self.source("vectors", .chroma, "vector_db", root + "/data"),
        ]
        let job = CompiledJob(
            name: "daily",
            schedule: CompiledSchedule(expression: "*-*-* 03:15", syntax: .calendar, onCalendar: ["*-*-* 03:15:00"], cron: "15 3 * * *"),
            sources: sources.map(\.name), targets: [local.name], quiesce: quiesce, retention: retention,
            verify: .manifest, jitterSeconds: nil)
        plan = CompiledPlan(
            format: 1, name: "openwebui", source: "plans/openwebui.yaml", dataDir: root + "/data", stateDir: root + "/state",
            compose: nil, sources: sources, targets: targets, jobs: [job], notify: nil,
            install: InstallPaths(scriptDir: "/usr/local/lib/backplan/openwebui", cronFile: "/etc/cron.d/backplan-openwebui",
                                  unitDir: "/etc/systemd/system"))
        try writePlan()
    }

    static func source(_ name: String, _ kind: SourceKind, _ path: String, _ dataDir: String) -> CompiledSource {
        CompiledSource(name: name, kind: kind, path: path, absolutePath: dataDir + "/" + path, exclude: [])
    }

    func writePlan() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(plan).write(to: URL(fileURLWithPath: planPath))
    }

    func remove() {
        _ = Self.run("/bin/chmod", ["-R", "u+rwx", "--", root])
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs the real generated job script once; returns the new snapshot's ID.
    @discardableResult
    func runJobScript() throws -> String {
        let script = root + "/daily.sh"
        try LibraryEmitter.install(JobScriptEmitter.render(plan, job: plan.jobs[0]), plan: plan, at: script)
        let before = Set(SnapshotLayout(root: backups, plan: plan.name).completeSnapshots(job: "daily"))
        try Self.check(Self.run("/bin/bash", [script]))
        let after = SnapshotLayout(root: backups, plan: plan.name).completeSnapshots(job: "daily")
        guard let id = after.first(where: { !before.contains($0) }) else { throw Failure(description: "the job script made no snapshot") }
        return id
    }

    /// Runs the generated restore.sh with `arguments`.
    func restoreScript(_ arguments: [String]) throws -> Result {
        let script = root + "/restore.sh"
        try LibraryEmitter.install(RestoreScriptEmitter.render(plan), plan: plan, at: script)
        return Self.run("/bin/bash", [script] + arguments)
    }

    /// Runs `backplan SUBCOMMAND plan.json ARGS`.
    func backplan(_ subcommand: String, _ arguments: [String] = []) -> Result {
        Self.run(Self.binary, [subcommand, planPath] + arguments, environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 })
    }

    /// Every file and folder under `folder`: relative path, kind, and for files their SHA-256 (sorted).
    static func tree(_ folder: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var lines: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var info = stat()
            lstat(folder + "/" + path, &info)
            let kind = info.st_mode & S_IFMT
            lines.append(kind == S_IFREG ? "\(path) \(try FileHash.sha256(folder + "/" + path))" : "\(path) \(kind == S_IFDIR ? "dir" : "other")")
        }
        return lines.sorted()
    }

    /// One value from sqlite3, opened read-only (the source's WAL is read, never checkpointed).
    static func sqlite(_ database: String, _ sql: String) throws -> String {
        let result = run("/usr/bin/sqlite3", ["-readonly", database, sql])
        try check(result)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Flips one byte of `file` at `offset`.
    static func flipByte(_ file: String, at offset: UInt64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let byte = try handle.read(upToCount: 1)?.first ?? 0
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte ^ 0xff]))
    }

    // MARK: Processes (copied from JobScriptHarness)

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ result: Result) throws {
        if result.status != 0 { throw Failure(description: "status \(result.status): \(result.stderr)\(result.stdout)") }
    }

    /// Runs `executable` as cron would start it (TestSupport's CleanProcess).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) -> Result {
        let r = CleanProcess.run(executable, arguments, environment: environment)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }
}
