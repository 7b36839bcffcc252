import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `AppVersions`: the host script's lines read the same by Swift (`AppVersions.parse`) and by the bash
/// library (`bp_app_versions_parse`), hostile values dropped by both; release versions compared alike;
/// the verdicts; the probe script under dash and busybox on a copy of the image's layout.
@Suite struct AppVersionsParseTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static let outputs: [String] = [
        // A real-looking answer.
        "image ghcr.io/open-webui/open-webui:main\nimage_id \(digest)\nimage_digest ghcr.io/open-webui/open-webui@\(digest)\nlabel main\n"
            + "open_webui 0.12.4\nchromadb 1.0.20\nalembic 7e5b5dc7342b\nalembic 0bd252b206fb\nalembic 0bd252b206fb\n",
        // Only a release label: it is Open WebUI's version.
        "image localhost/x:1\nlabel v0.12.4\n",
        // A label that is not a release is not a version.
        "label main\nchromadb 0.6.3\n",
        // Hostile values: escapes, options, too long, spaces, a CR, bytes that are not UTF-8, unknown keys
        // and problem codes; the valid ones that follow are taken.
        "open_webui 0.12.4\u{1B}[31m\nimage -rf\nimage_id sha256:xyz\nchromadb \(String(repeating: "1", count: 65))\nalembic $(rm)\n"
            + "open_webui 1.2\r\nproblem container\nproblem bogus\nproblem container\nlabel 1.0 2\nimage_digest a@b@\(digest)\n"
            + "evil 1\nchromadb 1.0.0\nalembic ok_1\n",
        "open_webui \u{FF}\u{FE}1.0\n",
        // A CR before the line feed belongs to the line (a "\r\n" is one Character to Swift's String).
        "open_webui 1.2\r\nchromadb 3.0\r\nchromadb 3.1\n",
        "",
        "problem compose\n",
        "garbage-without-space\nopen_webui\nopen_webui  0.1\n",
    ]

    /// What the library's parse leaves in its variables, one `key=value` line each.
    static func bashParse(_ input: String, library: String) throws -> String {
        let script = """
            source "$1"
            bp_app_versions_parse <"$2"
            printf 'image=%s\\nimage_id=%s\\ndigest=%s\\nopen_webui=%s\\nchromadb=%s\\n' "$BP_APPV_IMAGE" "$BP_APPV_IMAGE_ID" "$BP_APPV_DIGEST" "$BP_APPV_OPEN_WEBUI" "$BP_APPV_CHROMADB"
            for r in "${BP_APPV_REVISIONS[@]}"; do printf 'revision=%s\\n' "$r"; done
            for p in "${BP_APPV_PROBLEMS[@]}"; do printf 'problem=%s\\n' "$p"; done
            """
        let folder = try TemporaryFolder("backplan-appv")
        let file = folder.path + "/input"
        try Data(input.utf8).write(to: URL(fileURLWithPath: file))
        let result = CleanProcess.run("/bin/bash", ["-c", "set -Eeuo pipefail; export LC_ALL=C; " + script, "bash", library, file], scratch: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    static func swiftParse(_ input: String) -> String {
        let v = AppVersions.parse(input)
        var lines = ["image=\(v.image ?? "")", "image_id=\(v.imageID ?? "")", "digest=\(v.imageDigest ?? "")",
                     "open_webui=\(v.openWebUI ?? "")", "chromadb=\(v.chromaDB ?? "")"]
        lines += v.alembicRevisions.map { "revision=\($0)" } + v.problems.map { "problem=\($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func library() throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder("backplan-appv-lib")
        let path = folder.path + "/backplan.sh"
        try LibraryEmitter.render(try JobScriptHarness().plan()).write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    @Test func bashAndSwiftReadTheSameLines() throws {
        let (folder, library) = try Self.library()
        _ = folder
        for input in Self.outputs {
            #expect(try Self.bashParse(input, library: library) == Self.swiftParse(input), "input: \(input.debugDescription)")
        }
        // The library carries the runtime's two scripts verbatim.
        let scripts = CleanProcess.run("/bin/bash", ["-c", "source \"$1\"; printf '%s\\0%s' \"$BP_APP_HOST_SCRIPT\" \"$BP_APP_PROBE\"", "bash", library],
                                       scratch: folder.path)
        #expect(scripts.stdout == AppVersions.hostScript + "\n\0" + AppVersions.probeScript + "\n", "\(scripts.stderr)")
        let real = AppVersions.parse(Self.outputs[0])
        #expect(real.openWebUI == "0.12.4" && real.chromaDB == "1.0.20" && real.imageID == Self.digest)
        #expect(real.alembicRevisions == ["7e5b5dc7342b", "0bd252b206fb"])
        #expect(AppVersions.parse(Self.outputs[1]).openWebUI == "v0.12.4")
        #expect(AppVersions.parse(Self.outputs[5]).chromaDB == "3.1" && AppVersions.parse(Self.outputs[5]).openWebUI == nil)
        #expect(AppVersions.parse(Self.outputs[2]).openWebUI == nil)
        let hostile = AppVersions.parse(Self.outputs[3])
        #expect(hostile.openWebUI == nil && hostile.image == nil && hostile.imageID == nil && hostile.chromaDB == "1.0.0")
        #expect(hostile.alembicRevisions == ["ok_1"])
        #expect(hostile.problems.first == "the compose service has no container (it was never created here)")
        #expect(hostile.problems.contains("the image's open_webui value is not valid and was left out"))
    }

    /// Bash keeps the last definition of a name: a second `bp_join` once replaced the manifest's.
    @Test func theLibraryDefinesEachFunctionOnce() throws {
        let text = LibraryEmitter.render(try JobScriptHarness().plan())
        var seen: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("bp_"), trimmed.hasSuffix("() {") else { continue }
            seen[String(trimmed.dropLast(4)), default: 0] += 1
        }
        #expect(seen.count > 50)
        #expect(seen.filter { $0.value > 1 }.isEmpty, "\(seen.filter { $0.value > 1 })")
    }

    @Test func releasesCompareAlikeInBashAndSwift() throws {
        let (folder, library) = try Self.library()
        _ = folder
        let pairs = [("0.12.4", "0.12.3"), ("0.12.3", "0.12.4"), ("0.12", "0.12.0"), ("v1.0.20", "1.0.3"), ("0.10.0", "0.9.9"),
                     ("main", "0.12.4"), ("0.6.0rc1", "0.6.0"), ("1.2.3.4.5.6.7", "1"), ("010", "9"), ("1234567890", "1")]
        var script = "source \"$1\"\n"
        for (a, b) in pairs { script += "bp_version_compare \(Shell.quote(a)) \(Shell.quote(b)) || echo none\n" }
        let result = CleanProcess.run("/bin/bash", ["-c", "set -Eeuo pipefail; " + script, "bash", library], scratch: folder.path)
        let expected = pairs.map { AppVersions.compare($0.0, $0.1).map(String.init) ?? "none" }
        #expect(result.stdout.split(separator: "\n").map(String.init) == expected, "\(result.stderr)")
        #expect(expected == ["1", "-1", "0", "1", "1", "none", "none", "none", "1", "none"])
    }

    @Test func verdicts() {
        let snapshot = AppVersions(openWebUI: "0.12.4", chromaDB: "1.0.20", alembicVersion: "0bd252b206fb")
        let older = AppVersions(openWebUI: "0.12.3", chromaDB: "1.0.20", alembicRevisions: ["7e5b5dc7342b", "0bd252b206fb"])
        #expect(AppVersions.verdict(snapshot: snapshot, app: older) == .older(["the snapshot was written by Open WebUI 0.12.4, the app has Open WebUI 0.12.3"]))
        let newer = AppVersions(openWebUI: "0.13.0", chromaDB: "1.0.20", alembicRevisions: ["0bd252b206fb"])
        #expect(AppVersions.verdict(snapshot: snapshot, app: newer) == .newer(["Open WebUI 0.12.4 -> 0.13.0"]))
        // `:main` with no release: the alembic revision decides.
        let main = AppVersions(openWebUI: "main", alembicRevisions: ["7e5b5dc7342b"])
        #expect(AppVersions.verdict(snapshot: snapshot, app: main)
                == .older(["webui.db is at alembic revision 0bd252b206fb, which the app's migrations do not know (a newer Open WebUI migrated it)"]))
        #expect(AppVersions.verdict(snapshot: snapshot, app: AppVersions(openWebUI: "main", alembicRevisions: ["0bd252b206fb"])) == .same)
        #expect(AppVersions.verdict(snapshot: snapshot, app: AppVersions(openWebUI: "main")) == .unknown)
        let refused = AppVersions.restoreLines(snapshot: "daily/X", snapshot: snapshot, app: older, reason: nil, allowDowngrade: false)
        #expect(refused.refuse?.contains("Open WebUI 0.12.4, the app has Open WebUI 0.12.3") == true)
        #expect(AppVersions.restoreLines(snapshot: "daily/X", snapshot: snapshot, app: older, reason: nil, allowDowngrade: true).refuse == nil)
        #expect(AppVersions.restoreLines(snapshot: "daily/X", snapshot: snapshot, app: nil, reason: "r", allowDowngrade: false).refuse == nil)
    }

    /// The probe on a copy of the image's layout (its absolute paths moved under a folder), with dash (the
    /// real image's /bin/sh) and busybox's sh: package.json's top-level version, not the nested one.
    @Test(arguments: ["/bin/dash", "/bin/busybox"])
    func theProbeReadsTheImageLayout(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let folder = try TemporaryFolder("backplan-probe")
        let root = folder.path
        let site = root + "/usr/local/lib/python3.11/site-packages"
        let migrations = root + "/app/backend/open_webui/migrations/versions"
        for dir in [site + "/chromadb-1.0.20.dist-info", site + "/numpy-2.0.dist-info", migrations] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try "{\n\t\"name\": \"open-webui\",\n\t\"version\": \"0.12.4\",\n\t\"devDependencies\": {\"x\": {\"version\": \"9.9.9\"}}\n}\n"
            .write(toFile: root + "/app/package.json", atomically: true, encoding: .utf8)
        try "\"\"\"Revision ID: 0bd252b206fb\"\"\"\nrevision: str = \"0bd252b206fb\"\ndown_revision: Union[str, None] = \"7e5b5dc7342b\"\n"
            .write(toFile: migrations + "/0bd252b206fb_x.py", atomically: true, encoding: .utf8)
        try "revision = '7e5b5dc7342b'\ndown_revision = None\n".write(toFile: migrations + "/7e5b5dc7342b_init.py", atomically: true, encoding: .utf8)
        let probe = AppVersions.probeScript.replacingOccurrences(of: " /app/", with: " \(root)/app/")
            .replacingOccurrences(of: " /usr/", with: " \(root)/usr/")
        let arguments = shell.hasSuffix("busybox") ? ["sh", "-c", probe] : ["-c", probe]
        let result = CleanProcess.run(shell, arguments, scratch: root)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(lines == ["open_webui 0.12.4", "chromadb 1.0.20", "alembic 0bd252b206fb", "alembic 7e5b5dc7342b"], "\(result.stdout)")
    }

    /// A real Open WebUI 0.12.4 pip install (RECIPES.md's, cached outside the repository; the folder of its
    /// venv in BACKPLAN_OPENWEBUI_VENV, default /var/cache/backplan/openwebui-0.12.4/venv): the probe, its
    /// site-packages paths moved into the venv, reads its dist-info and every migration file's revision,
    /// the fixture's webui.db revision among them. Skipped where the install is absent.
    static let venv = ProcessInfo.processInfo.environment["BACKPLAN_OPENWEBUI_VENV"] ?? "/var/cache/backplan/openwebui-0.12.4/venv"
    static var sitePackages: String? {
        let lib = venv + "/lib"
        let python = ((try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []).first { $0.hasPrefix("python3") }
        return python.map { "\(lib)/\($0)/site-packages" }.flatMap { FileManager.default.fileExists(atPath: $0 + "/open_webui") ? $0 : nil }
    }

    @Test(.enabled(if: sitePackages != nil, "no Open WebUI pip install cached"))
    func theProbeReadsARealPipInstall() throws {
        let site = try #require(Self.sitePackages)
        let folder = try TemporaryFolder("backplan-probe-real")
        let result = CleanProcess.run("/bin/dash", ["-c", AppVersions.probeScript, "sh", site], scratch: folder.path)
        let versions = AppVersions.parse(result.stdout)
        // The pip script finds the same install through the open-webui command on PATH.
        let environment = ProcessInfo.processInfo.environment.merging(["PATH": Self.venv + "/bin:/usr/bin:/bin"]) { $1 }
        let pip = CleanProcess.run("/bin/sh", ["-c", AppVersions.pipScript, "sh", AppVersions.probeScript], scratch: folder.path, environment: environment)
        #expect(AppVersions.parse(pip.stdout) == versions, "\(pip.stdout)")
        #expect(versions.openWebUI == "0.12.4", "\(result.stdout)")
        let chroma = try FileManager.default.contentsOfDirectory(atPath: site).first { $0.hasPrefix("chromadb-") && $0.hasSuffix(".dist-info") }
        #expect(versions.chromaDB.map { "chromadb-\($0).dist-info" } == chroma)
        let files = try FileManager.default.contentsOfDirectory(atPath: site + "/open_webui/migrations/versions").filter { $0.hasSuffix(".py") }
        #expect(versions.alembicRevisions.count == files.count && versions.problems.isEmpty, "\(result.stdout)")
        // The fixture's webui.db (fixtures/openwebui-0.12.4) is at 0bd252b206fb (docs/app-consistency.md).
        #expect(versions.alembicRevisions.contains("0bd252b206fb"))
    }

    /// A fake pip install: `bin/open-webui` whose `#!` names the venv's Python (never run), and
    /// site-packages with the dist-info folders and migration files of `revisions`.
    static func fakePipInstall(at venv: String, openWebUI: String, chromaDB: String, revisions: [String]) throws {
        let site = venv + "/lib/python3.11/site-packages"
        for dir in [venv + "/bin", site + "/open_webui-\(openWebUI).dist-info", site + "/chromadb-\(chromaDB).dist-info",
                    site + "/open_webui/migrations/versions"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try "#!\(venv)/bin/python3\nimport sys\n".write(toFile: venv + "/bin/open-webui", atomically: true, encoding: .utf8)
        chmod(venv + "/bin/open-webui", 0o755)
        for revision in revisions {
            try "revision: str = \"\(revision)\"\n".write(toFile: site + "/open_webui/migrations/versions/\(revision)_x.py", atomically: true, encoding: .utf8)
        }
    }

    /// A plan without a compose service (a pip install): restore.sh and backplan restore compare with the
    /// install of the open-webui command on PATH; the snapshot's alembic revision decides (a job does not
    /// read a pip install's versions).
    @Test func restoreComparesWithThePipInstallOnPath() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.writePlan()
        let id = try workspace.runJobScript()
        let older = workspace.root + "/venv-old", newer = workspace.root + "/venv-new"
        try Self.fakePipInstall(at: older, openWebUI: "0.12.3", chromaDB: "1.5.8", revisions: ["7e5b5dc7342b"])
        try Self.fakePipInstall(at: newer, openWebUI: "0.12.4", chromaDB: "1.5.9", revisions: ["7e5b5dc7342b", "0bd252b206fb"])
        let script = workspace.root + "/restore.sh"
        try LibraryEmitter.install(RestoreScriptEmitter.render(workspace.plan), plan: workspace.plan, at: script)
        func restore(_ venv: String?, _ extra: [String] = []) -> [(String, SnapshotWorkspace.Result)] {
            let path = (venv.map { [$0 + "/bin"] } ?? []) + ["/usr/local/bin", "/usr/bin", "/bin"]
            let environment = ProcessInfo.processInfo.environment.merging(["PATH": path.joined(separator: ":"), "NO_COLOR": "1"]) { $1 }
            let tag = UUID().uuidString.prefix(6)
            return [
                ("restore.sh", SnapshotWorkspace.run("/bin/bash", [script, "restore", "local", "daily", id, workspace.root + "/r-\(tag)-s"] + extra, environment: environment)),
                ("backplan", SnapshotWorkspace.run(SnapshotWorkspace.binary, ["restore", workspace.planPath, "--target", "local", "--snapshot", id,
                                                                              "--to", workspace.root + "/r-\(tag)-b"] + extra, environment: environment)),
            ]
        }
        for (tool, result) in restore(older) {
            #expect(result.status == 1, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("the snapshot's app: alembic 0bd252b206fb; the app that will open it: Open WebUI 0.12.3, ChromaDB 1.5.8"), "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("refusing to restore snapshot daily/\(id) into an older app: webui.db is at alembic revision 0bd252b206fb, which the app's migrations do not know"),
                    "\(tool): \(result.stderr)")
        }
        for (tool, result) in restore(older, ["--allow-downgrade"]) + restore(newer) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
        }
        for (tool, result) in restore(nil) {
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("note: cannot tell which Open WebUI will open the restored data (no open-webui command on PATH leads to a pip install (activate its venv, or put its bin on PATH)); the snapshot's app: alembic 0bd252b206fb"),
                    "\(tool): \(result.stderr)")
        }
    }
}
