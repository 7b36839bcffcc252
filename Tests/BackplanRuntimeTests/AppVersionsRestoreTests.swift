import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Issue 12 part 2: SNAPSHOT.json records the app's versions, and restore refuses an older app. Two real
/// images of two tags, built by the test with podman from busybox and the layout of Open WebUI's image
/// (`/app/package.json`, a `chromadb-X.dist-info` in site-packages, the alembic migration files), run as
/// the plan's compose service (docker-compose against podman); webui.db at two alembic revisions (a copy of
/// the fixture with `alembic_version` rewritten). Both executors capture, and both restore.sh and
/// `backplan restore` compare.
@Suite(.serialized) struct AppVersionsRestoreTests {
    /// One image of the fake app: its tag, Open WebUI's and ChromaDB's versions, the revisions its
    /// migrations know, its `org.opencontainers.image.version` label.
    struct AppImage {
        var tag: String
        var openWebUI: String
        var chromaDB: String
        var revisions: [String]
        var label: String
        var reference: String { "localhost/bp-owui:\(tag)" }
    }

    static let older = AppImage(tag: "0.12.3", openWebUI: "0.12.3", chromaDB: "1.0.15",
                                revisions: ["7e5b5dc7342b", "3781e22d8b01"], label: "main")
    static let newer = AppImage(tag: "0.12.4", openWebUI: "0.12.4", chromaDB: "1.0.20",
                                revisions: ["7e5b5dc7342b", "3781e22d8b01", "0bd252b206fb"], label: "main")

    final class World {
        let root: TemporaryFolder
        let podman: PodmanService
        let project: String
        var app: String { root.path + "/app" }
        var generated: String { root.path + "/generated/versions" }
        var backups: String { root.path + "/backups" }

        init() throws {
            root = try TemporaryFolder("backplan-versions")
            podman = try PodmanService()
            project = podman.newProject(prefix: "bpvers")
            try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            try JobScriptHarness.check(JobScriptHarness.run("/bin/cp", ["-a", JobScriptHarness.fixtureData, app + "/data"]))
            try JobScriptHarness.check(JobScriptHarness.run("/bin/chmod", ["-R", "u+w", app + "/data"]))
            for image in [AppVersionsRestoreTests.older, AppVersionsRestoreTests.newer] { try build(image) }
        }

        func stop() {
            _ = compose(["down", "-t", "1"])
            // The images are the test's: removed, so that repeated runs leave no untagged copies behind.
            for image in [AppVersionsRestoreTests.older, AppVersionsRestoreTests.newer] { _ = try? podman.docker(["rmi", "-f", image.reference]) }
            podman.stop()
        }

        /// Builds `image` from a root file system: busybox, and the files Open WebUI's image has.
        func build(_ image: AppImage) throws {
            let rootfs = root.path + "/rootfs-\(image.tag)"
            let site = rootfs + "/usr/local/lib/python3.11/site-packages"
            let migrations = rootfs + "/app/backend/open_webui/migrations/versions"
            for folder in ["bin", "tmp", "proc", "sys", "dev", "etc", "app/backend/data", site + "/chromadb-\(image.chromaDB).dist-info", migrations] {
                try FileManager.default.createDirectory(atPath: folder.hasPrefix("/") ? folder : rootfs + "/" + folder,
                                                        withIntermediateDirectories: true)
            }
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
            for tool in ["sh", "sleep", "date", "cat", "ls", "true"] {
                try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + tool, withDestinationPath: "busybox")
            }
            // package.json as the real image has it: the top-level "version" on its own line, tab-indented.
            try "{\n\t\"name\": \"open-webui\",\n\t\"version\": \"\(image.openWebUI)\",\n\t\"private\": true,\n\t\"scripts\": {\"dev\": \"vite dev --version\"}\n}\n"
                .write(toFile: rootfs + "/app/package.json", atomically: true, encoding: .utf8)
            var down = "None"
            for (index, revision) in image.revisions.enumerated() {
                try """
                    \"\"\"step \(index)

                    Revision ID: \(revision)
                    \"\"\"
                    from alembic import op

                    revision: str = "\(revision)"
                    down_revision = \(down)

                    """.write(toFile: migrations + "/\(revision)_step_\(index).py", atomically: true, encoding: .utf8)
                down = "'\(revision)'"
            }
            let script = "tar -C \(Shell.quote(rootfs)) -c . | podman import --change \(Shell.quote("LABEL org.opencontainers.image.version=\(image.label)")) - \(image.reference)"
            let built = CleanProcess.run("/bin/bash", ["-c", script], scratch: root.path, environment: podman.environment)
            guard built.status == 0 else { throw PodmanService.Failure(description: "podman import of \(image.reference) failed: \(built.stderr)") }
        }

        /// Runs the compose service on `image` (re-created when the image changes).
        func up(_ image: AppImage) throws {
            try """
                services:
                  open-webui:
                    image: \(image.reference)
                    init: true
                    volumes:
                      - ./data:/app/backend/data
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]

                """.write(toFile: app + "/docker-compose.yaml", atomically: true, encoding: .utf8)
            let result = compose(["up", "-d"])
            guard result.status == 0 else { throw PodmanService.Failure(description: "compose up \(image.tag): \(result.stderr)") }
        }

        @discardableResult
        func compose(_ arguments: [String]) -> CleanProcess.Result {
            CleanProcess.run("/usr/bin/env", ["docker-compose", "-f", app + "/docker-compose.yaml", "-p", project] + arguments,
                             scratch: root.path, environment: podman.environment)
        }

        /// Rewrites `alembic_version` of the live data dir's webui.db (a copy of the fixture).
        func setAlembic(_ revision: String) throws {
            try JobScriptHarness.bash("sqlite3 \(Shell.quote(app + "/data/webui.db")) \"UPDATE alembic_version SET version_num='\(revision)'\"")
        }

        /// Compiles the plan into `generated` (as `backplan compile` does).
        func compile() throws {
            let yaml = """
                version: 1
                name: versions
                deployment:
                  compose:
                    file: \(app)/docker-compose.yaml
                    service: open-webui
                    project: \(project)
                    command: docker-compose
                  data_dir: \(app)/data
                  state_dir: \(root.path)/state
                sources:
                  database: {path: webui.db, kind: sqlite}
                  vectors: {path: vector_db, kind: chroma}
                  uploads: {path: uploads, kind: files}
                targets:
                  local: {type: local, path: \(backups)}
                jobs:
                  daily:
                    schedule: "*-*-* 03:15"
                    quiesce: none
                    targets: [local]

                """
            let (decoded, found) = PlanFrontEnd.process(Array(yaml.utf8), file: "plans/versions.yaml")
            let plan = try #require(decoded, "\(found.map(\.message))")
            let compiled = try #require(PlanLowering.lower(plan, deployment: nil, file: "plans/versions.yaml").0)
            for file in PlanEmitter.files(for: compiled) {
                let path = generated + "/" + file.path
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
                if file.executable { chmod(path, 0o755) }
            }
        }

        func run(_ executable: String, _ arguments: [String]) -> CleanProcess.Result {
            CleanProcess.run(executable, arguments, scratch: root.path, environment: podman.environment.merging(["NO_COLOR": "1"]) { $1 })
        }

        /// One backup by `executor`; returns the new snapshot's ID and its SNAPSHOT.json.
        func backup(_ executor: String) throws -> (id: String, record: [String: Any], stderr: String) {
            let before = Set(snapshots())
            let result = executor == "bash" ? run("/bin/bash", [generated + "/daily.sh"])
                : run(try #require(RunHarness.binary), ["run", generated + "/plan.json", "daily"])
            #expect(result.status == 0, "\(executor): \(result.stderr)")
            let id = try #require(snapshots().first { !before.contains($0) }, "\(executor) made no snapshot: \(result.stderr)")
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(backups)/versions/daily/\(id)/SNAPSHOT.json"))
            let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (id, record, result.stderr)
        }

        func snapshots() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(backups)/versions/daily")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }

        /// Restores snapshot `id` into a new folder with restore.sh and with `backplan restore`.
        func restoreBoth(_ id: String, _ extra: [String] = []) throws -> [(tool: String, result: CleanProcess.Result, dir: String)] {
            let tag = UUID().uuidString.prefix(6)
            let scriptDir = root.path + "/restored-\(tag)-script", backplanDir = root.path + "/restored-\(tag)-backplan"
            let script = run("/bin/bash", [generated + "/restore.sh", "restore", "local", "daily", id, scriptDir] + extra)
            let backplan = run(try #require(RunHarness.binary), ["restore", generated + "/plan.json", "--target", "local", "--job", "daily",
                                                                  "--snapshot", id, "--to", backplanDir] + extra)
            return [("restore.sh", script, scriptDir), ("backplan restore", backplan, backplanDir)]
        }
    }

    /// The app's part of a record (what the executors must agree on).
    static func app(_ record: [String: Any]) -> [String: String] {
        ((record["app"] as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
    }

    @Test func versionsAreRecordedAlikeAndRestoreRefusesAnOlderApp() throws {
        let world = try World()
        defer { world.stop() }
        try world.compile()
        let misplaced = world.run("/bin/bash", [world.generated + "/restore.sh", "list", "local", "--allow-downgrade"])
        #expect(misplaced.status == 64 && misplaced.stderr.contains("--allow-downgrade goes with restore"), "\(misplaced.stderr)")

        // The older app writes a snapshot at a revision both apps know.
        try world.up(Self.older)
        try world.setAlembic("3781e22d8b01")
        let old = try world.backup("bash")
        #expect(Self.app(old.record)["open_webui_version"] == "0.12.3")
        #expect(Self.app(old.record)["chromadb_version"] == "1.0.15")
        #expect(Self.app(old.record)["alembic_version"] == "3781e22d8b01")

        // The newer app: both executors record the same app, from the engine and the image.
        try world.up(Self.newer)
        try world.setAlembic("0bd252b206fb")
        let byScript = try world.backup("bash")
        let byRuntime = try world.backup("runtime")
        let imageID = try world.podman.docker(["image", "inspect", "--format", "{{.Id}}", Self.newer.reference])
        let expected = ["alembic_version": "0bd252b206fb", "chromadb_version": "1.0.20", "image": Self.newer.reference,
                        "open_webui_version": "0.12.4", "image_id": imageID.hasPrefix("sha256:") ? imageID : "sha256:" + imageID]
        for (name, record) in [("bash", byScript.record), ("runtime", byRuntime.record)] {
            let app = Self.app(record)
            for (key, value) in expected { #expect(app[key] == value, "\(name): app.\(key) = \(app[key] ?? "nil")") }
            #expect((record["app"] as? [String: Any])?["counts"] != nil, "\(name): counts kept")
        }
        #expect(Self.app(byScript.record) == Self.app(byRuntime.record), "the executors record the same app")
        // The raw bytes of the app object agree too (keys sorted, same values).
        let raw = { (id: String) throws -> String in
            let text = try String(contentsOfFile: "\(world.backups)/versions/daily/\(id)/SNAPSHOT.json", encoding: .utf8)
            return String(text[text.range(of: "\"app\":")!.upperBound..<text.range(of: ",\"downtime_ms\"")!.lowerBound])
        }
        #expect(try raw(byScript.id) == raw(byRuntime.id))

        // Restoring the older snapshot into the newer app: a note, and the restore goes on.
        for (tool, result, dir) in try world.restoreBoth(old.id) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("note: the app is newer than the snapshot (Open WebUI 0.12.3 -> 0.12.4, ChromaDB 1.0.15 -> 1.0.20): its first start migrates the restored data, and this snapshot is the way back"),
                    "\(tool): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/webui.db"), "\(tool)")
        }

        // The newer snapshot into the older app: refused by both, naming both versions; nothing written.
        try world.up(Self.older)
        for (tool, result, dir) in try world.restoreBoth(byScript.id) {
            #expect(result.status == 1, "\(tool): \(result.stderr)")
            let refusal = "refusing to restore snapshot daily/\(byScript.id) into an older app: the snapshot was written by Open WebUI 0.12.4, the app has Open WebUI 0.12.3; "
                + "the snapshot was written by ChromaDB 1.0.20, the app has ChromaDB 1.0.15; webui.db is at alembic revision 0bd252b206fb, which the app's migrations do not know (a newer Open WebUI migrated it); "
                + "an older Open WebUI cannot open data a newer one migrated: upgrade the app first, or pass --allow-downgrade to restore anyway; nothing was changed"
            #expect(result.stderr.contains(refusal), "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("the snapshot's app: Open WebUI 0.12.4, ChromaDB 1.0.20, alembic 0bd252b206fb; the app that will open it: Open WebUI 0.12.3, ChromaDB 1.0.15, image \(Self.older.reference)"),
                    "\(tool): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir), "\(tool) wrote nothing")
        }
        // --allow-downgrade restores, with a warning.
        for (tool, result, dir) in try world.restoreBoth(byScript.id, ["--allow-downgrade"]) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("warning: restoring into an older app (--allow-downgrade): the snapshot was written by Open WebUI 0.12.4, the app has Open WebUI 0.12.3"), "\(tool): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/webui.db"), "\(tool)")
        }
        // --in-place is refused before the app is stopped or the data dir moved.
        let before = try world.podman.docker(["ps", "-q", "--filter", "label=com.docker.compose.project=\(world.project)"])
        let inPlace = [world.run("/bin/bash", [world.generated + "/restore.sh", "restore", "local", "daily", byScript.id, "--in-place"]),
                       world.run(try #require(RunHarness.binary), ["restore", world.generated + "/plan.json", "--target", "local", "--job", "daily",
                                                                    "--snapshot", byScript.id, "--in-place"])]
        for result in inPlace {
            #expect(result.status == 1 && result.stderr.contains("refusing to restore snapshot daily/\(byScript.id) into an older app"), "\(result.stderr)")
            #expect(!result.stderr.contains("stopping the app"), "\(result.stderr)")
        }
        #expect(try world.podman.docker(["ps", "-q", "--filter", "label=com.docker.compose.project=\(world.project)"]) == before, "the app still runs")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: world.app)) ?? []).allSatisfy { !$0.contains("before-restore") })
        // The app stopped by hand (--app-stopped): its stopped container still names the image.
        world.compose(["stop", "-t", "1"])
        let stopped = [world.run("/bin/bash", [world.generated + "/restore.sh", "restore", "local", "daily", byScript.id, "--in-place", "--app-stopped"]),
                       world.run(try #require(RunHarness.binary), ["restore", world.generated + "/plan.json", "--target", "local", "--job", "daily",
                                                                    "--snapshot", byScript.id, "--in-place", "--app-stopped"])]
        for result in stopped {
            #expect(result.status == 1 && result.stderr.contains("the app has Open WebUI 0.12.3"), "\(result.stderr)")
        }

        // The same versions, but webui.db at a revision the app's migrations do not know: refused by the
        // alembic revision alone.
        try world.up(Self.newer)
        try world.setAlembic("ffffffffffff")
        let unknown = try world.backup("runtime")
        for (tool, result, _) in try world.restoreBoth(unknown.id) {
            #expect(result.status == 1, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("refusing to restore snapshot daily/\(unknown.id) into an older app: webui.db is at alembic revision ffffffffffff, which the app's migrations do not know (a newer Open WebUI migrated it); "),
                    "\(tool): \(result.stderr)")
        }

        // An edited SNAPSHOT.json (it is not in the manifest): values that are not versions are never printed
        // or compared; the alembic revision alone decides.
        let record = "\(world.backups)/versions/daily/\(byRuntime.id)/SNAPSHOT.json"
        var text = try String(contentsOfFile: record, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"open_webui_version\":\"0.12.4\"", with: "\"open_webui_version\":\"9.9.9\\u001b[2J\"")
            .replacingOccurrences(of: "\"chromadb_version\":\"1.0.20\"", with: "\"chromadb_version\":\"$(reboot)\"")
        try text.write(toFile: record, atomically: true, encoding: .utf8)
        for (tool, result, _) in try world.restoreBoth(byRuntime.id) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("the snapshot's app: alembic 0bd252b206fb; the app that will open it: Open WebUI 0.12.4, ChromaDB 1.0.20"), "\(tool): \(result.stderr)")
            #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("reboot") && !result.stderr.contains("9.9.9"), "\(tool): \(result.stderr)")
        }

        // No container: a backup leaves the versions out with a warning; a restore notes it cannot tell.
        world.compose(["down", "-t", "1"])
        for executor in ["bash", "runtime"] {
            let none = try world.backup(executor)
            let app = Self.app(none.record)
            #expect(app["open_webui_version"] == nil && app["image"] == nil && app["alembic_version"] == "ffffffffffff", "\(executor): \(app)")
            #expect(none.stderr.contains("app: warning: the compose service has no container (it was never created here); SNAPSHOT.json leaves it out"),
                    "\(executor): \(none.stderr)")
        }
        for (tool, result, dir) in try world.restoreBoth(byScript.id) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("note: cannot tell which Open WebUI will open the restored data (the compose service has no container (it was never created here)); the snapshot's app: Open WebUI 0.12.4, ChromaDB 1.0.20, alembic 0bd252b206fb; start it with that version or a newer one"),
                    "\(tool): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/webui.db"), "\(tool)")
        }
    }
}
