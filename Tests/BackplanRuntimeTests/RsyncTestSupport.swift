@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// One rsync-target test: a copy of the fixture, a private sshd (SSHService) on 127.0.0.1, a "NAS" folder
/// whose path holds a space and a quote, and a plan with a local target and an rsync target `nas`.
struct RsyncWorkspace {
    let harness: RunHarness
    let sshd: SSHService
    var plan: CompiledPlan

    /// The rsync target's path: as on a NAS, a folder that must exist (by default with a space and a quote).
    let nasRoot: String
    var nasJob: String { "\(nasRoot)/\(plan.name)/\(plan.jobs[0].name)" }
    var localJob: String { harness.jobDir(plan) }

    init(retention: RetentionPolicy? = nil, verify: VerifyLevel = .manifest, local: Bool = true, sshd: SSHService? = nil,
         remotePath: String? = nil) throws {
        harness = try RunHarness()
        try harness.copyFixture()
        self.sshd = try sshd ?? SSHService()
        nasRoot = remotePath ?? harness.root + "/nas it's"
        let nas = CompiledTarget(name: "nas", kind: .rsync(CompiledRsyncTarget(
            host: self.sshd.host, user: self.sshd.user, port: self.sshd.port, path: nasRoot,
            sshKey: self.sshd.clientKey, knownHosts: self.sshd.knownHosts)))
        try FileManager.default.createDirectory(atPath: nasRoot, withIntermediateDirectories: true)
        let targets = (local ? [RunHarness.localTarget("local", harness.backups)] : []) + [nas]
        plan = harness.plan(retention: retention, verify: verify, targets: targets)
    }

    func remove() {
        sshd.stop()
        harness.remove()
    }

    /// Complete snapshot IDs on the NAS (folders holding SNAPSHOT.json), sorted.
    var nasSnapshots: [String] { harness.snapshots(plan, target: nasRoot) }

    /// Every entry of the NAS job folder, hidden ones included.
    var nasEntries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: nasJob)) ?? []).sorted() }

    /// Runs the generated job script (waiting a second between runs so IDs differ).
    func runScript(path: String? = nil) throws -> RunHarness.Result {
        let script = try harness.writeScript(plan)
        return try harness.runScript(script, path: path)
    }

    /// Runs `backplan run` in-process.
    func runRuntime() throws -> (status: Int32, log: [String]) { try harness.runtime(plan) }

    /// Writes generated/<plan>/plan.json and restore.sh under the harness; returns the plan.json path.
    func writeGenerated() throws -> (plan: String, restore: String) {
        let dir = harness.root + "/generated/\(plan.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(plan).write(to: URL(fileURLWithPath: dir + "/plan.json"))
        try LibraryEmitter.install(RestoreScriptEmitter.render(plan), plan: plan, at: dir + "/restore.sh")
        return (dir + "/plan.json", dir + "/restore.sh")
    }

    /// `backplan SUBCOMMAND plan.json ARGS` with the built binary.
    func backplan(_ subcommand: String, _ arguments: [String] = []) throws -> RunHarness.Result {
        let binary = try #require(RunHarness.binary, "the backplan binary is not built")
        let plan = try writeGenerated().plan
        return RunHarness.run(binary, [subcommand, plan] + arguments,
                              environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 })
    }

    /// `restore.sh ARGS`.
    func restoreScript(_ arguments: [String]) throws -> RunHarness.Result {
        RunHarness.run("/bin/bash", [try writeGenerated().restore] + arguments)
    }

    /// The restored folder holds the data dir's database (same `.dump`) and uploads (same bytes).
    func expectRestored(_ dir: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try Comparison(dataDir: harness.dataDir).expectRestored(dir, sourceLocation: sourceLocation)
    }

    /// A restored folder against the data dir it came from.
    struct Comparison {
        var dataDir: String

        func expectRestored(_ dir: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
            let dump = { (db: String) throws -> String in try RunHarness.bash("sqlite3 -readonly \(Shell.quote(db)) .dump") }
            #expect(try dump(dir + "/webui.db") == dump(dataDir + "/webui.db"), sourceLocation: sourceLocation)
            let diff = RunHarness.run("/usr/bin/diff", ["-r", "--", dataDir + "/uploads", dir + "/uploads"])
            #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)", sourceLocation: sourceLocation)
            #expect(FileManager.default.fileExists(atPath: dir + "/vector_db/chroma.sqlite3"), sourceLocation: sourceLocation)
        }
    }


    /// Inode of a file.
    static func inode(_ path: String) -> UInt64 { RunHarness.inode(path) }

    /// A regular file under data/uploads of snapshot folder `snapshot` (the first, by name).
    static func anUpload(in snapshot: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: snapshot + "/data/uploads").sorted()
        return snapshot + "/data/uploads/" + (try #require(names.first))
    }
}
