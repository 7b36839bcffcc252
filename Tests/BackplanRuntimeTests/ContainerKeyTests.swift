@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// A key generated inside a container's layer, as Open WebUI's image does when `WEBUI_SECRET_KEY` is not
/// set (its start script writes `/app/backend/.webui_secret_key` once, then reads it): a real container
/// under podman, driven by docker-compose. Both executors capture it with `exec -T … cat` before the stop;
/// after the container is re-created (a new key generated), both restores put the old key back into it
/// and restart it, and the app then runs with the key of the backup.
@Suite(.serialized) struct ContainerKeyTests {
    final class World {
        let root: TemporaryFolder
        let podman: PodmanService
        let project: String
        var app: String { root.path + "/app" }

        init() throws {
            root = try TemporaryFolder("backplan-ckey")
            podman = try PodmanService()
            project = podman.newProject(prefix: "bpkey")
            let image = try podman.busyboxImage()
            try FileManager.default.createDirectory(atPath: app + "/events", withIntermediateDirectories: true)
            try JobScriptHarness.check(JobScriptHarness.run("/bin/cp", ["-a", JobScriptHarness.fixtureData, app + "/data"]))
            try JobScriptHarness.check(JobScriptHarness.run("/bin/chmod", ["-R", "u+w", app + "/data"]))
            // Like start.sh: generate the key into the container layer when it is missing, log the key the
            // app starts with (its hash, as the app would use it), then run.
            try """
                services:
                  open-webui:
                    image: \(image)
                    init: true
                    volumes:
                      - ./data:/app/backend/data
                      - ./events:/events
                    command: ["sh", "-c", "mkdir -p /app/backend; K=/app/backend/.webui_secret_key; test -s $$K || head -c 12 /dev/urandom | base64 > $$K; echo \\"start $$(sha256sum $$K | cut -c1-16)\\" >> /events/log; trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done"]

                """.write(toFile: app + "/docker-compose.yaml", atomically: true, encoding: .utf8)
            try compose(["up", "-d"])
            try waitForStarts(1)
        }

        func compose(_ arguments: [String]) throws {
            try JobScriptHarness.check(JobScriptHarness.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project] + arguments,
                                                            environment: podman.environment))
        }

        /// The key in the running container.
        func containerKey() throws -> String {
            let r = JobScriptHarness.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project,
                                                          "exec", "-T", "open-webui", "cat", "/app/backend/.webui_secret_key"],
                                         environment: podman.environment)
            try JobScriptHarness.check(r)
            return r.stdout
        }

        /// The app's starts so far: "start <key hash>" lines.
        var starts: [String] {
            ((try? String(contentsOfFile: app + "/events/log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func waitForStarts(_ count: Int) throws {
            let deadline = Date().addingTimeInterval(30)
            while starts.count < count, Date() < deadline { usleep(100_000) }
            try #require(starts.count >= count, "the app started \(starts.count) times, not \(count)")
        }

        func stop() {
            _ = JobScriptHarness.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project, "down", "-t", "1"],
                                     environment: podman.environment)
            podman.stop()
        }

        func compile() throws -> CompiledPlan {
            let yaml = """
                version: 1
                name: ckey
                deployment:
                  compose: {file: \(app)/docker-compose.yaml, service: open-webui, project: \(project), command: docker-compose}
                  data_dir: \(app)/data
                  state_dir: \(root.path)/state
                sources:
                  database: {path: webui.db, kind: sqlite}
                  vectors: {path: vector_db, kind: chroma}
                  uploads: {path: uploads, kind: files}
                  secret-key: {kind: key, service: open-webui, path: /app/backend/.webui_secret_key}
                  env-file: {path: \(app)/secrets.env, kind: key}
                ignore: [cache]
                targets: {local: {type: local, path: \(root.path)/backups}}
                jobs:
                  nightly:
                    schedule: "*-*-* 03:15"
                    targets: [local]
                    quiesce: {stop: [open-webui], max_downtime: 60s}

                """
            let (decoded, found) = PlanFrontEnd.process(Array(yaml.utf8), file: "plans/ckey.yaml")
            let plan = try #require(decoded, "\(found.map(\.message))")
            let compiled = try #require(PlanLowering.lower(plan, deployment: nil, file: "plans/ckey.yaml").0)
            let dir = root.path + "/generated/ckey"
            try JobScriptHarness.writeGenerated(compiled, into: dir)
            return compiled
        }

        func run(_ executable: String, _ arguments: [String]) -> CleanProcess.Result {
            CleanProcess.run(executable, arguments, scratch: root.path, environment: podman.environment.merging(["NO_COLOR": "1"]) { $1 })
        }

        func backplan(_ arguments: [String]) throws -> CleanProcess.Result {
            run(try #require(RunHarness.binary, "the backplan binary is built with the tests"), arguments)
        }
    }

    @Test func aGeneratedKeyIsCapturedFromTheContainerAndPutBackAfterItWasRecreated() throws {
        let world = try World()
        defer { world.stop() }
        try "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY=backed-up\n".write(toFile: world.app + "/secrets.env", atomically: true, encoding: .utf8)
        _ = try world.compile()
        let generated = world.root.path + "/generated/ckey"
        let original = try world.containerKey()
        #expect(original.count >= 16)
        let layout = SnapshotLayout(root: world.root.path + "/backups", plan: "ckey")

        for (name, line) in [("bash", ["/bin/bash", generated + "/nightly.sh"]),
                             ("runtime", [try #require(RunHarness.binary), "run", generated + "/plan.json", "nightly"])] {
            let before = world.starts.count
            let r = world.run(line[0], Array(line.dropFirst()))
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stderr.contains("capture: key secret-key from /app/backend/.webui_secret_key in the container of service open-webui (\(original.utf8.count) bytes, mode 0600)"),
                    "\(name): \(r.stderr)")
            #expect(!r.stderr.contains(original.trimmingCharacters(in: .whitespacesAndNewlines)), "\(name) printed the key")
            let id = try #require(layout.completeSnapshots(job: "nightly").last)
            let copy = layout.snapshotDirectory(job: "nightly", id: id) + "/keys/secret-key"
            #expect(try String(contentsOfFile: copy, encoding: .utf8) == original, "\(name)")
            var info = stat()
            #expect(lstat(copy, &info) == 0 && info.st_mode & 0o777 == 0o600)
            // Stopped and started once; the app kept its key.
            try world.waitForStarts(before + 1)
            #expect(world.starts.last == world.starts.first, "\(name): \(world.starts)")
            sleep(1) // the next run's ID is a new second
        }
        let runs = try String(contentsOfFile: world.root.path + "/state/runs.jsonl", encoding: .utf8)
        #expect(!runs.contains(original.trimmingCharacters(in: .whitespacesAndNewlines)))

        for tool in ["restore.sh", "backplan"] {
            // A re-created container generates a new key: everyone would be logged out.
            let count = world.starts.count
            try world.compose(["down", "-t", "1"])
            try world.compose(["up", "-d"])
            try world.waitForStarts(count + 1)
            #expect(try world.containerKey() != original, "\(tool)")
            try "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY=rotated\n".write(toFile: world.app + "/secrets.env", atomically: true, encoding: .utf8)
            let before = world.starts.count
            let r = tool == "backplan"
                ? try world.backplan(["restore", generated + "/plan.json", "--target", "local", "--in-place"])
                : world.run("/bin/bash", [generated + "/restore.sh", "restore", "local", "--in-place"])
            #expect(r.status == 0, "\(tool): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("key secret-key: put back in the container of service open-webui at /app/backend/.webui_secret_key (restarted)"),
                    "\(tool): \(r.stdout)")
            #expect(try world.containerKey() == original, "\(tool)")
            // The env file is put back too; compose reads it only when it creates the container, and says so.
            #expect(try String(contentsOfFile: world.app + "/secrets.env", encoding: .utf8) == "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY=backed-up\n")
            #expect(r.stdout.contains("key env-file: compose reads it when it creates the container: run 'docker-compose -f \(world.app)/docker-compose.yaml -p \(world.project) up -d open-webui' so that the app uses it"),
                    "\(tool): \(r.stdout)")
            // Started after the data was restored, then restarted with the restored key.
            try world.waitForStarts(before + 2)
            #expect(world.starts.last == world.starts.first, "\(tool): \(world.starts)")
            #expect(!r.stdout.contains(original.trimmingCharacters(in: .whitespacesAndNewlines)) && !r.stderr.contains(original.trimmingCharacters(in: .whitespacesAndNewlines)))
            sleep(1)
        }
    }
}
