@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport

/// A snapshot workspace whose job also publishes to a restic target `offsite` on a moto_server S3 API,
/// with distinctive test credentials, and restic wrapped in PATH by a recorder of its command lines.
struct ResticWorkspace {
    static let password = "restic-test-pass-Xy7Qk2Lm9Vb"
    /// What no output, file or command line may hold.
    static let secrets = [password, S3Service.accessKeyID, S3Service.secretAccessKey]

    var workspace: SnapshotWorkspace
    let s3: S3Service?
    let bucket: String
    var root: String { workspace.root }
    var shims: String { root + "/shims" }
    /// One line per restic call: its arguments (the recorder's log).
    var argvLog: String { root + "/restic-argv.log" }

    /// A restic target on `s3` (bucket `bucket`), else on a local folder repository `<root>/repo`;
    /// `resticOnly`: the job's only target (its sealed folder is a fresh copy in staging).
    init(s3: S3Service?, initialize: Bool = true, retention: RetentionPolicy? = nil, bucket: String = "owui",
         resticOnly: Bool = false, verify: VerifyLevel = .manifest) throws {
        self.s3 = s3
        self.bucket = bucket
        workspace = try SnapshotWorkspace(retention: retention)
        let secrets = root + "/secrets"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        let passwordFile = secrets + "/restic.pass"
        try (Self.password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        chmod(passwordFile, 0o600)
        let target = CompiledTarget(name: "offsite", kind: .restic(CompiledResticTarget(
            repository: s3?.resticRepository(bucket: bucket) ?? workspace.root + "/repo", passwordFile: passwordFile,
            envFile: try s3?.writeResticEnvFile(in: secrets), initialize: initialize)))
        workspace.plan.targets = (workspace.plan.targets + [target]).sorted { $0.name < $1.name }
        workspace.plan.jobs[0].targets = resticOnly ? ["offsite"] : ["local", "offsite"]
        workspace.plan.jobs[0].verify = verify
        try workspace.writePlan()
        try FileManager.default.createDirectory(atPath: shims, withIntermediateDirectories: true)
        // The recorder: logs restic's argv; with KILL_RESTIC_BACKUP set, a backup runs slowly and is killed
        // with SIGKILL after two seconds, in the middle of its upload.
        let shim = """
            #!/bin/bash
            printf '%s\\n' "$*" >>\(Shell.quote(argvLog))
            printf 'RESTIC_PASSWORD in the environment: %s\\n' "${RESTIC_PASSWORD:-none}" >>\(Shell.quote(argvLog))
            if [[ -n ${KILL_RESTIC_BACKUP:-} && " $* " == *" backup "* ]]; then
              /usr/bin/restic --limit-upload 256 "$@" & pid=$!
              sleep 2
              kill -9 "$pid"
              wait "$pid"
              exit 137
            fi
            exec /usr/bin/restic "$@"

            """
        try TestExecutable.install(shim, at: shims + "/restic")
    }

    var plan: CompiledPlan { workspace.plan }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = shims + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["NO_COLOR"] = "1"
        return environment.merging(extra) { $1 }
    }

    /// Runs the generated job script (restic through the recorder).
    func jobScript(_ extra: [String: String] = [:]) throws -> SnapshotWorkspace.Result {
        let script = root + "/daily.sh"
        try LibraryEmitter.install(JobScriptEmitter.render(plan, job: plan.jobs[0]), plan: plan, at: script)
        return SnapshotWorkspace.run("/bin/bash", [script], environment: environment(extra))
    }

    /// Runs `backplan SUBCOMMAND plan.json ARGS` (restic through the recorder).
    func backplan(_ subcommand: String, _ arguments: [String] = [], _ extra: [String: String] = [:]) -> SnapshotWorkspace.Result {
        SnapshotWorkspace.run(SnapshotWorkspace.binary, [subcommand, workspace.planPath] + arguments, environment: environment(extra))
    }

    /// Runs the generated restore.sh (restic through the recorder).
    func restoreScript(_ arguments: [String]) throws -> SnapshotWorkspace.Result {
        let script = root + "/restore.sh"
        try LibraryEmitter.install(RestoreScriptEmitter.render(plan), plan: plan, at: script)
        return SnapshotWorkspace.run("/bin/bash", [script] + arguments, environment: environment())
    }

    /// restic itself on the repository (test scaffolding: the password from its file, keys from the env file).
    func restic(_ arguments: [String]) throws -> String {
        let target = plan.target(named: "offsite")!
        var environment = ProcessInfo.processInfo.environment.merging(try target.envFile.map(S3Service.readEnvFile) ?? [:]) { $1 }
        environment["RESTIC_PASSWORD_FILE"] = target.restic?.passwordFile
        environment["RESTIC_REPOSITORY"] = target.restic?.repository
        let result = SnapshotWorkspace.run("/usr/bin/restic", arguments, environment: environment)
        try SnapshotWorkspace.check(result)
        return result.stdout
    }

    /// The backplan IDs of the restic snapshots tagged for this plan's job, as restic lists them.
    func resticIDs() throws -> [String] {
        try resticSnapshots().compactMap { ($0["tags"] as? [String])?.first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) } }.sorted()
    }

    /// `restic snapshots --json` of the restic snapshots tagged for this plan's job.
    func resticSnapshots() throws -> [[String: Any]] {
        let data = Data(try restic(["snapshots", "--json", "--tag", "plan=openwebui,job=daily"]).utf8)
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    /// The local snapshot IDs.
    var localIDs: [String] { SnapshotLayout(root: workspace.backups, plan: plan.name).completeSnapshots(job: "daily") }

    /// Every secret found in `texts`, the recorder's log, runs.jsonl, plan.json and the generated scripts.
    func leakedSecrets(in texts: [String]) throws -> [String] {
        var haystack = texts
        for file in [argvLog, workspace.stateDir + "/runs.jsonl", workspace.planPath, root + "/daily.sh", root + "/restore.sh"] {
            haystack.append((try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
        }
        return Self.secrets.filter { secret in haystack.contains { $0.contains(secret) } }
    }

    /// runs.jsonl's records, oldest first.
    func runsLog() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: workspace.stateDir + "/runs.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func remove() {
        workspace.remove()
    }
}
