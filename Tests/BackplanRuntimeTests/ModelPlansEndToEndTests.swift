import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Issue 5's "done when": the guide's two model plans (the committed `plans/model-plan-1.yaml` and
/// `plans/model-plan-2.yaml`) run end to end on this machine from both executors, against a real S3 API
/// (moto_server), a real sshd and a real container stopped by docker-compose (podman). Only what names
/// the machine is rewritten: the compose file and data dir, `/etc/backplan/` (credential files written by
/// the test), the NAS's address, user and folder, the restic repository URL. Every job runs once with its
/// generated script and once with `backplan run`; then every target's snapshots are listed, verified and
/// restored by `backplan restore` and by restore.sh, and compared with the source; and no credential shows
/// up in any output.
@Suite(.serialized) struct ModelPlansEndToEndTests {
    final class World {
        let root: TemporaryFolder
        let podman: PodmanService
        let s3: S3Service
        let ssh: SSHService
        let project: String
        var app: String { root.path + "/app" }
        var etc: String { root.path + "/etc" }
        var nas: String { root.path + "/nas" }
        let resticPassword = "restic-pass-Xq7Lm2Rt9Vw4"
        /// What the tools would print if a secret leaked.
        var secrets: [String] {
            [S3Service.accessKeyID, S3Service.secretAccessKey, resticPassword]
                + [(try? String(contentsOfFile: ssh.clientKey, encoding: .utf8)) ?? ""].flatMap { key in
                    key.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 20 }.map(String.init)
                }
        }

        init() throws {
            root = try TemporaryFolder("backplan-model")
            podman = try PodmanService()
            project = podman.newProject(prefix: "bpmodel")
            s3 = try S3Service()
            ssh = try SSHService()
            let image = try podman.busyboxImage()
            try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: nas, withIntermediateDirectories: true)
            try JobScriptHarness.check(JobScriptHarness.run("/bin/cp", ["-a", JobScriptHarness.fixtureData, app + "/data"]))
            try JobScriptHarness.check(JobScriptHarness.run("/bin/chmod", ["-R", "u+w", app + "/data"]))
            // The app: a container that writes into the data dir while it runs (not into webui.db).
            try """
                services:
                  open-webui:
                    image: \(image)
                    init: true
                    volumes:
                      - ./data:/app/backend/data
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do date >> /app/backend/data/uploads/live.log; sleep 0.2 & wait $$!; done"]

                """.write(toFile: app + "/docker-compose.yaml", atomically: true, encoding: .utf8)
            try JobScriptHarness.check(JobScriptHarness.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project, "up", "-d"],
                                                            environment: podman.environment))
            // The credential files the plans name under /etc/backplan/.
            try s3.writeRcloneConfig(remote: "b2", in: etc)
            try s3.writeResticEnvFile(in: etc)
            try FileManager.default.moveItem(atPath: etc + "/restic.env", toPath: etc + "/s3.env")
            try (resticPassword + "\n").write(toFile: etc + "/restic.pass", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: ssh.clientKey, toPath: etc + "/nas_ed25519")
            try FileManager.default.copyItem(atPath: ssh.knownHosts, toPath: etc + "/known_hosts")
            for file in ["restic.pass", "nas_ed25519", "known_hosts"] { chmod(etc + "/" + file, 0o600) }
            try "http://127.0.0.1:9/hook\n".write(toFile: etc + "/webhook.url", atomically: true, encoding: .utf8)
        }

        func stop() {
            _ = JobScriptHarness.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project, "down", "-t", "1"],
                                     environment: podman.environment)
            podman.stop()
            s3.stop()
            ssh.stop()
        }

        /// The environment of every run: the container engine's, the trap rclone must be shielded from
        /// (RECIPES.md), the webhook variable of model plan 2.
        var environment: [String: String] {
            podman.environment.merging(S3Service.caBundleTrap) { $1 }.merging(["NO_COLOR": "1", "BACKPLAN_WEBHOOK_URL": "http://127.0.0.1:9/hook"]) { $1 }
        }

        /// The committed plan with only the machine's names rewritten.
        func plan(_ name: String) throws -> String {
            var text = try String(contentsOfFile: JobScriptHarness.repository + "/plans/\(name).yaml", encoding: .utf8)
            let replacements: [(String, String)] = [
                ("    file: /opt/open-webui/docker-compose.yaml\n", "    file: \(app)/docker-compose.yaml\n"),
                ("    service: open-webui\n",
                 "    service: open-webui\n    project: \(project)\n    command: docker-compose\n  data_dir: \(app)/data\n"),
                ("  state_dir: /var/lib/backplan/model-plan-2\n", ""),
                ("deployment:\n", "deployment:\n  state_dir: \(root.path)/state/\(name)\n"),
                ("    host: nas.lan\n", "    host: 127.0.0.1\n"),
                ("    user: backup\n", "    user: \(ssh.user)\n"),
                ("    port: 22\n", ""),
                // Model plan 1 trusts the host keys root already knows; a test must not write root's
                // ~/.ssh/known_hosts, so it names the test's known_hosts file (as model plan 2 does).
                ("    ssh_key: /etc/backplan/nas_ed25519\n    known_hosts: /etc/backplan/known_hosts\n", "    ssh_key: /etc/backplan/nas_ed25519\n"),
                ("    ssh_key: /etc/backplan/nas_ed25519\n", "    ssh_key: /etc/backplan/nas_ed25519\n    known_hosts: /etc/backplan/known_hosts\n"),
                ("    path: /volume1/backups/openwebui\n", "    path: \(nas)/\(name)\n    port: \(ssh.port)\n"),
                ("s3:https://s3.eu-central-1.amazonaws.com/example-owui-backups/restic", s3.resticRepository(bucket: "owui")),
            ]
            for (old, new) in replacements + [("/etc/backplan/", etc + "/")] { text = text.replacingOccurrences(of: old, with: new) }
            // The NAS folder exists, as a mounted volume would (an rsync target never creates its `path`).
            try FileManager.default.createDirectory(atPath: "\(nas)/\(name)", withIntermediateDirectories: true)
            return text
        }

        /// Compiles the rewritten plan into `<root>/generated/<name>/` (as `backplan compile` does).
        func compile(_ name: String) throws -> CompiledPlan {
            let yaml = try plan(name)
            let (decoded, found) = PlanFrontEnd.process(Array(yaml.utf8), file: "plans/\(name).yaml")
            let plan = try #require(decoded, "\(found.map(\.message))")
            let validation = PlanValidator.validate(plan, deployment: nil, file: "plans/\(name).yaml")
            #expect(!validation.hasErrors, "\(validation.filter { $0.severity == .error }.map(\.message))")
            let compiled = try #require(PlanLowering.lower(plan, deployment: nil, file: "plans/\(name).yaml").0)
            let dir = root.path + "/generated/\(name)"
            try JobScriptHarness.writeGenerated(compiled, into: dir)
            return compiled
        }

        func run(_ executable: String, _ arguments: [String]) -> CleanProcess.Result {
            CleanProcess.run(executable, arguments, scratch: root.path, environment: environment)
        }

        func backplan(_ arguments: [String]) throws -> CleanProcess.Result {
            run(try #require(RunHarness.binary, "the backplan binary is built with the tests"), arguments)
        }
    }

    /// `sqlite3 .dump` of a database, for comparing copies.
    static func dump(_ database: String) throws -> String {
        try JobScriptHarness.bash("sqlite3 -readonly \(Shell.quote(database)) .dump")
    }

    /// Restored data dir against the source: the database by rows, the uploads and vectors by bytes
    /// (leaving out what the running container appends to, and what the plan excludes).
    static func expectSameData(_ restored: String, as source: String, _ what: String) throws {
        for database in ["webui.db", "vector_db/chroma.sqlite3"] {
            #expect(try dump(restored + "/" + database) == dump(source + "/" + database), "\(what): \(database)")
        }
        let compare = JobScriptHarness.run("/bin/bash", ["-c", """
            diff -r --exclude=live.log --exclude='*.part' \(Shell.quote(source + "/uploads")) \(Shell.quote(restored + "/uploads")) && \
            diff -r --exclude='chroma.sqlite3*' \(Shell.quote(source + "/vector_db")) \(Shell.quote(restored + "/vector_db"))
            """])
        #expect(compare.status == 0, "\(what): \(compare.stdout)\(compare.stderr)")
    }

    @Test(arguments: ["model-plan-1", "model-plan-2"])
    func theModelPlanRunsEndToEndWithBothExecutors(name: String) throws {
        let world = try World()
        defer { world.stop() }
        let plan = try world.compile(name)
        let generated = world.root.path + "/generated/\(name)"
        // restic never creates a repository silently: the operator runs `restic init` once (docs/remote-restic.md).
        if let restic = plan.targets.compactMap(\.restic).first {
            let env = try S3Service.readEnvFile(world.etc + "/s3.env")
            let initialize = CleanProcess.run("/usr/bin/env", ["restic", "-r", restic.repository, "--password-file", world.etc + "/restic.pass", "init"],
                                              scratch: world.root.path, environment: world.environment.merging(env) { $1 })
            #expect(initialize.status == 0, "\(initialize.stderr)")
        }
        var outputs: [String] = []
        for job in plan.jobs {
            let script = world.run("/bin/bash", [generated + "/\(job.name).sh"])
            outputs += [script.stdout, script.stderr]
            #expect(script.status == 0, "\(name) \(job.name).sh: \(script.stderr)")
            sleep(1)
            let runtime = try world.backplan(["run", generated + "/plan.json", job.name])
            outputs += [runtime.stdout, runtime.stderr]
            #expect(runtime.status == 0, "\(name) backplan run \(job.name): \(runtime.stderr)")
        }
        let runs = (try? String(contentsOfFile: world.root.path + "/state/\(name)/runs.jsonl", encoding: .utf8)) ?? ""
        outputs.append(runs)
        #expect(runs.split(separator: "\n").count == plan.jobs.count * 2)
        #expect(!runs.contains("\"status\":\"failed\"") && !runs.contains("\"status\":\"partial\""), "\(runs)")
        // The second run of each job removed the first run's snapshot on its targets.
        #expect(outputs.filter { $0.contains("1 snapshots kept, 1 removed") }.count == plan.jobs.count, "every second run applied its retention")

        for target in plan.targets {
            let jobs = plan.jobs.filter { $0.targets.contains(target.name) }
            // Listed by both tools: one snapshot per job. Each job ran twice (script, then runtime) in the same
            // day and week, and every retention of the model plans keeps one snapshot per day, week or month.
            let listed = try world.backplan(["snapshots", generated + "/plan.json", "--target", target.name])
            outputs += [listed.stdout, listed.stderr]
            #expect(listed.status == 0 && listed.stdout.split(separator: "\n").count == jobs.count, "\(target.name): \(listed.stdout)\(listed.stderr)")
            let scriptList = world.run("/bin/bash", [generated + "/restore.sh", "list", target.name])
            outputs += [scriptList.stdout, scriptList.stderr]
            #expect(scriptList.status == 0 && scriptList.stdout.split(separator: "\n").count == jobs.count, "\(target.name): \(scriptList.stdout)\(scriptList.stderr)")
            let verified = try world.backplan(["verify", generated + "/plan.json", "--target", target.name])
            outputs += [verified.stdout, verified.stderr]
            #expect(verified.status == 0, "\(target.name): \(verified.stderr)")
            // Restored by each tool into an empty folder, then compared with the source.
            let byBackplan = world.root.path + "/restored-\(target.name)-backplan", byScript = world.root.path + "/restored-\(target.name)-script"
            let restore = try world.backplan(["restore", generated + "/plan.json", "--target", target.name, "--to", byBackplan])
            outputs += [restore.stdout, restore.stderr]
            #expect(restore.status == 0, "\(target.name): \(restore.stderr)")
            let scriptRestore = world.run("/bin/bash", [generated + "/restore.sh", "restore", target.name, byScript])
            outputs += [scriptRestore.stdout, scriptRestore.stderr]
            #expect(scriptRestore.status == 0, "\(target.name): \(scriptRestore.stderr)")
            try Self.expectSameData(byBackplan, as: world.app + "/data", "\(name) \(target.name) backplan restore")
            try Self.expectSameData(byScript, as: world.app + "/data", "\(name) \(target.name) restore.sh")
        }

        // No credential in any output, in runs.jsonl, or in the generated files.
        let generatedText = try JobScriptHarness.bash("cat \(Shell.quote(generated))/*.sh \(Shell.quote(generated))/plan.json")
        for secret in world.secrets where !secret.isEmpty {
            #expect(!outputs.contains { $0.contains(secret) }, "a credential leaked into an output")
            #expect(!generatedText.contains(secret), "a credential leaked into generated/")
        }
    }
}
