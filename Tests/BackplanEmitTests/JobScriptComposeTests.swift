import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Quiesce by compose with a real container: podman serves the Docker API, docker-compose drives it
/// (RECIPES.md). The container writes into the data dir all the time it runs, and records each start
/// and stop in a folder outside the data dir. The generated script must stop it exactly once and start it
/// exactly once per run: when the run succeeds, when the capture fails, and when max_downtime expires.
@Suite(.serialized) struct JobScriptComposeTests {
    final class Deployment {
        let podman: PodmanService
        let dir: TempDir
        let project: String
        var app: String { dir.path + "/app" }

        init() throws {
            podman = try PodmanService()
            project = podman.newProject()
            dir = try TempDir()
            let image = try podman.busyboxImage()
            try FileManager.default.createDirectory(atPath: app + "/events", withIntermediateDirectories: true)
            let copy = try runTool("/bin/cp", ["-a", FixturePlans.repository + "/fixtures/openwebui-0.12.4/data", app + "/data"])
            #expect(copy.status == 0)
            _ = try runTool("/bin/chmod", ["-R", "u+w", app + "/data"])
            try dir.write("app/docker-compose.yaml", """
                services:
                  open-webui:
                    image: \(image)
                    init: true
                    volumes:
                      - ./data:/app/backend/data
                      - ./events:/events
                    command: ["sh", "-c", "echo start >> /events/log; trap 'echo stop >> /events/log; exit 0' TERM; while true; do date >> /app/backend/data/uploads/live.log; sleep 0.1 & wait $$!; done"]

                """)
            try compose(["up", "-d"])
            try waitForEvents(["start"])
        }

        @discardableResult
        func compose(_ arguments: [String]) throws -> String {
            let r = try runTool("docker-compose", ["-f", app + "/docker-compose.yaml", "-p", project] + arguments,
                                environment: podman.environment)
            guard r.status == 0 else { throw PodmanService.Failure(description: "docker-compose \(arguments): \(r.stderr)") }
            return r.stdout
        }

        var events: [String] {
            ((try? String(contentsOfFile: app + "/events/log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func waitForEvents(_ expected: [String]) throws {
            let deadline = Date().addingTimeInterval(20)
            while events != expected, Date() < deadline { usleep(100_000) }
            #expect(events == expected)
        }

        var running: Bool {
            let r = try? runTool("docker", ["inspect", "-f", "{{.State.Running}}", "\(project)_open-webui_1"], environment: podman.environment)
            return r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
        }

        /// Compiles a plan for this deployment and runs its job script with the service's environment.
        func run(maxDowntime: String = "60s", extraSources: String = "") throws -> (status: Int32, stderr: String, plan: CompiledPlan) {
            let plan = try FixturePlans.compile(yaml: """
                version: 1
                name: compose-test
                deployment:
                  compose: {file: \(app)/docker-compose.yaml, service: open-webui, project: \(project), command: docker-compose}
                  data_dir: \(app)/data
                  state_dir: \(dir.path)/state
                sources:
                  database: {path: webui.db, kind: sqlite}
                  vectors: {path: vector_db, kind: chroma}
                  uploads: {path: uploads, kind: files}
                \(extraSources)
                ignore: [cache]
                targets: {local: {type: local, path: \(dir.path)/backups}}
                jobs:
                  nightly:
                    schedule: "*-*-* 03:15"
                    quiesce: {stop: [open-webui], max_downtime: \(maxDowntime)}
                    targets: [local]
                    retention: {keep_last: 5}

                """, file: "plans/compose-test.yaml")
            try LibraryEmitter.install(JobScriptEmitter.render(plan, job: try #require(plan.jobs.first)), plan: plan, at: dir.path + "/nightly.sh")
            // Started as cron or systemd would: a clean signal mask (Foundation's Process passes on the
            // test runner's blocked signals, which bash can neither trap nor wait through).
            let r = JobScriptHarness.run("/bin/bash", [dir.path + "/nightly.sh"], scratch: dir.path, environment: podman.environment)
            return (r.status, r.stderr, plan)
        }

        func snapshots() -> [String] {
            let folder = dir.path + "/backups/compose-test/nightly"
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        }

        func tearDown() {
            _ = try? compose(["down"])
            podman.stop()
        }
    }

    @Test func aRunStopsAndStartsTheContainerOnce() throws {
        let d = try Deployment()
        defer { d.tearDown() }
        let r = try d.run()
        #expect(r.status == 0, "\(r.stderr)")
        try d.waitForEvents(["start", "stop", "start"])
        #expect(d.running)
        let snapshots = d.snapshots()
        try #require(snapshots.count == 1 && !snapshots[0].hasPrefix("."), "\(snapshots)")
        // Captured while stopped: the container's log file ends with a whole line.
        let live = try String(contentsOfFile: "\(d.dir.path)/backups/compose-test/nightly/\(snapshots[0])/data/uploads/live.log", encoding: .utf8)
        #expect(live.hasSuffix("\n"))
        #expect(!FileManager.default.fileExists(atPath: d.dir.path + "/state/quiesce"))
    }

    @Test func aFailedCaptureStillStartsTheContainerOnce() throws {
        let d = try Deployment()
        defer { d.tearDown() }
        // A file with a SQLite header and garbage after it passes preflight and fails the capture.
        var bytes = Array("SQLite format 3\0".utf8)
        bytes += [UInt8](repeating: 0xA5, count: 8192)
        try Data(bytes).write(to: URL(fileURLWithPath: d.app + "/data/broken.db"))
        let r = try d.run(extraSources: "  broken: {path: broken.db, kind: sqlite}")
        #expect(r.status == 1)
        try d.waitForEvents(["start", "stop", "start"])
        #expect(d.running)
        #expect(d.snapshots().filter { !$0.hasPrefix(".") }.isEmpty, "a failed run published \(d.snapshots())")
        #expect(!FileManager.default.fileExists(atPath: d.dir.path + "/state/quiesce"))
    }

    @Test func maxDowntimeAbortsTheCaptureAndStartsTheContainerOnce() throws {
        let d = try Deployment()
        defer { d.tearDown() }
        // A rollback-journal database held in an exclusive transaction: the online backup waits for
        // its busy timeout, far past the 2 s max_downtime.
        let locked = d.app + "/data/locked.db"
        _ = try runTool("sqlite3", [locked, "PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES (1);"])
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/bash")
        holder.arguments = ["-c", "(echo 'BEGIN EXCLUSIVE; INSERT INTO t VALUES (2);'; sleep 30) | sqlite3 '\(locked)'"]
        try holder.run()
        defer { holder.terminate() }
        usleep(500_000)
        let started = Date()
        let r = try d.run(maxDowntime: "2s", extraSources: "  locked: {path: locked.db, kind: sqlite}")
        #expect(r.status == 1)
        #expect(Date().timeIntervalSince(started) < 25, "the watchdog did not cut the capture short")
        #expect(r.stderr.contains("max_downtime"), "\(r.stderr)")
        try d.waitForEvents(["start", "stop", "start"])
        #expect(d.running)
        #expect(d.snapshots().filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
