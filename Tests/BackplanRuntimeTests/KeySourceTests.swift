@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The `key` source kind on the host (docs/run-contract.md, "Keys"; docs/restore.md, "Keys"): both
/// executors capture the file into `keys/<name>` with mode 0600, list it in the manifest, never print it;
/// both verifiers refuse a forged `keys/`; both restores write it next to the data (`--to`) or put it back
/// where the plan says it lives (`--in-place`), moving a different file aside, never deleting it.
@Suite struct KeySourceTests {
    static let secret = "WEBUI_SECRET_KEY=t0p-s3cret-Zq8wKx3vNf7LpR2m\n"

    /// A workspace whose plan also captures `secrets.env` (outside the data dir) as key `secret-key`.
    static func workspace() throws -> (SnapshotWorkspace, String) {
        var w = try SnapshotWorkspace()
        let file = try addKey(to: &w.plan, in: w.root)
        try w.writePlan()
        return (w, file)
    }

    /// Writes the job's script (and the plan's lib/backplan.sh) as `<root>/daily.sh`.
    static func script(_ w: SnapshotWorkspace) throws -> String {
        let path = w.root + "/daily.sh"
        try LibraryEmitter.install(JobScriptEmitter.render(w.plan, job: w.plan.jobs[0]), plan: w.plan, at: path)
        return path
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test(arguments: Executor.allCases)
    func aHostKeyIsCapturedPrivatelyListedAndNeverPrinted(_ executor: Executor) throws {
        let (w, _) = try Self.workspace()
        defer { w.remove() }
        let result: SnapshotWorkspace.Result
        if executor == .bash {
            result = SnapshotWorkspace.run("/bin/bash", [try Self.script(w)])
        } else {
            result = w.backplan("run", ["daily"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require(SnapshotLayout(root: w.backups, plan: w.plan.name).completeSnapshots(job: "daily").last)
        let snapshot = "\(w.jobDir)/\(id)"
        #expect(try String(contentsOfFile: snapshot + "/keys/secret-key", encoding: .utf8) == Self.secret)
        #expect(Self.mode(snapshot + "/keys/secret-key") == 0o600)
        #expect(Self.mode(snapshot + "/keys") == 0o700)
        let manifest = try String(contentsOfFile: snapshot + "/MANIFEST.sha256", encoding: .utf8)
        #expect(manifest.contains("  keys/secret-key\n"))
        let record = try String(contentsOfFile: snapshot + "/SNAPSHOT.json", encoding: .utf8)
        #expect(record.contains(#"{"bytes":\#(Self.secret.utf8.count),"files":1,"kind":"key","name":"secret-key","path":"secret-key"}"#), "\(record)")
        #expect(result.stderr.contains("capture: key secret-key from \(w.root)/secrets.env (\(Self.secret.utf8.count) bytes, mode 0600)"),
                "\(result.stderr)")
        let runs = try String(contentsOfFile: w.stateDir + "/runs.jsonl", encoding: .utf8)
        for text in [result.stderr, result.stdout, runs, record] { #expect(!text.contains("t0p-s3cret")) }
        // Both verifiers pass the snapshot and count the key file.
        let verify = w.backplan("verify", ["--target", "local"])
        #expect(verify.status == 0 && verify.stdout.contains("16 files match"), "\(verify.stdout)\(verify.stderr)")
        let verifyScript = try w.restoreScript(["verify", "local"])
        #expect(verifyScript.status == 0 && verifyScript.stdout.contains("16 files match"), "\(verifyScript.stdout)\(verifyScript.stderr)")
    }

    /// Adds key source `secret-key` (a file `<folder>/secrets.env`) to `plan`'s sources and first job.
    static func addKey(to plan: inout CompiledPlan, in folder: String) throws -> String {
        let file = folder + "/secrets.env"
        try secret.write(toFile: file, atomically: true, encoding: .utf8)
        plan.sources.append(CompiledSource(name: "secret-key", kind: .key, path: "secret-key", absolutePath: file, exclude: []))
        plan.sources.sort { $0.name < $1.name }
        plan.jobs[0].sources = plan.sources.map(\.name)
        return file
    }

    /// keys/ travels with data/: restic backs it up (its own `restic backup` argument) and both restores
    /// bring it back from the repository; an rsync target holds it and its manifest verification (which
    /// counts the files under data/ and keys/) passes.
    @Test(arguments: Executor.allCases)
    func keysReachResticAndRsyncTargets(_ executor: Executor) throws {
        var restic = try ResticWorkspace(s3: nil, resticOnly: true)
        defer { restic.remove() }
        let file = try Self.addKey(to: &restic.workspace.plan, in: restic.root)
        try restic.workspace.writePlan()
        let run = executor == .bash ? try restic.jobScript() : restic.backplan("run", ["daily"])
        #expect(run.status == 0, "\(run.stderr)")
        for tool in ["backplan", "restore.sh"] {
            let out = restic.root + "/out-" + tool
            let restored = tool == "backplan" ? restic.backplan("restore", ["--target", "offsite", "--to", out])
                : try restic.restoreScript(["restore", "--target", "offsite", "--to", out])
            #expect(restored.status == 0, "\(tool): \(restored.stderr)")
            #expect(restored.stdout.contains("key secret-key: written to \(out).keys/secret-key (mode 0600); it belongs at \(file)"), "\(tool): \(restored.stdout)")
            #expect((try? String(contentsOfFile: out + ".keys/secret-key", encoding: .utf8)) == Self.secret, "\(tool)")
        }

        var rsync = try RsyncWorkspace(local: false)
        defer { rsync.remove() }
        _ = try Self.addKey(to: &rsync.plan, in: rsync.harness.root)
        let pushed = try executor.run(rsync.harness, rsync.plan)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let id = try #require(rsync.nasSnapshots.last)
        #expect((try? String(contentsOfFile: "\(rsync.nasJob)/\(id)/keys/secret-key", encoding: .utf8)) == Self.secret)
        #expect(pushed.stderr.contains("verified"), "\(pushed.stderr)")
    }

    /// An rclone target (S3 on moto_server) carries keys/ too: the upload's check passes and both restores
    /// bring the key back from the bucket.
    @Test(arguments: Executor.allCases)
    func keysReachAnRcloneTarget(_ executor: Executor) throws {
        let w = try RcloneTargetTests.Workspace(local: false)
        let file = try Self.addKey(to: &w.plan, in: w.harness.root)
        _ = try w.harness.writePlan(w.plan)
        let run = try w.run(executor)
        #expect(run.status == 0, "\(run.stderr)")
        for tool in ["backplan", "restore.sh"] {
            let out = w.harness.root + "/out-" + tool
            let restored = tool == "backplan" ? try w.backplan(["restore", w.planPath, "--target", "offsite", "--to", out])
                : try w.restoreScript(["restore", "--target", "offsite", "--to", out])
            #expect(restored.status == 0, "\(tool): \(restored.stderr)")
            #expect(restored.stdout.contains("key secret-key: written to \(out).keys/secret-key (mode 0600); it belongs at \(file)"), "\(tool): \(restored.stdout)")
            #expect((try? String(contentsOfFile: out + ".keys/secret-key", encoding: .utf8)) == Self.secret, "\(tool)")
        }
        try w.expectNoSecrets()
    }

    @Test(arguments: Executor.allCases)
    func aKeyThatIsAFifoEmptyOrTooLargeFailsTheRunBeforeAnythingStops(_ executor: Executor) throws {
        for bad in ["fifo", "empty", "large"] {
            let (w, file) = try Self.workspace()
            defer { w.remove() }
            try FileManager.default.removeItem(atPath: file)
            switch bad {
            case "fifo": try #require(mkfifo(file, 0o600) == 0)
            case "empty": try Data().write(to: URL(fileURLWithPath: file))
            default: try Data(repeating: 0x41, count: RunContract.keyFileLimit + 1).write(to: URL(fileURLWithPath: file))
            }
            let script = try Self.script(w)
            let line = executor == .bash ? ["/bin/bash", script] : [SnapshotWorkspace.binary, "run", w.planPath, "daily"]
            let result = SnapshotWorkspace.run("/usr/bin/timeout", ["30"] + line)
            #expect(result.status == 1, "\(bad): \(result.stderr)")
            let expected = bad == "fifo" ? "key secret-key: \(file): it is not a regular file"
                : bad == "empty" ? "key secret-key: \(file) is empty" : "is larger than \(RunContract.keyFileLimit) bytes"
            #expect(result.stderr.contains(expected), "\(bad): \(result.stderr)")
            #expect(SnapshotLayout(root: w.backups, plan: w.plan.name).completeSnapshots(job: "daily").isEmpty)
        }
    }

    /// keys/ is untrusted like data/: a link, an unlisted file, or a manifest line leaving keys/ fails both verifiers.
    @Test func aForgedKeysFolderFailsBothVerifiers() throws {
        for forgery in ["link", "unlisted", "escape"] {
            let (w, _) = try Self.workspace()
            defer { w.remove() }
            let id = try w.runJobScript()
            let snapshot = "\(w.jobDir)/\(id)"
            switch forgery {
            case "link":
                try FileManager.default.removeItem(atPath: snapshot + "/keys")
                try FileManager.default.createSymbolicLink(atPath: snapshot + "/keys", withDestinationPath: "/etc")
            case "unlisted":
                try "x".write(toFile: snapshot + "/keys/extra", atomically: true, encoding: .utf8)
            default:
                let manifest = snapshot + "/MANIFEST.sha256"
                let text = try String(contentsOfFile: manifest, encoding: .utf8)
                try text.replacingOccurrences(of: "  keys/secret-key\n", with: "  keys/../keys/secret-key\n")
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
            }
            let verify = w.backplan("verify", ["--target", "local"])
            #expect(verify.status == 1, "\(forgery): \(verify.stdout)")
            let verifyScript = try w.restoreScript(["verify", "local"])
            #expect(verifyScript.status == 1, "\(forgery): \(verifyScript.stdout)\(verifyScript.stderr)")
            let restore = try w.restoreScript(["restore", "local", w.root + "/out"])
            #expect(restore.status == 1 && !FileManager.default.fileExists(atPath: w.root + "/out.keys"), "\(forgery)")
        }
    }

    /// `--to DIR` writes the keys to DIR.keys and says where they belong; `--in-place` puts the file back,
    /// the different one it replaces moved aside; a key the plan no longer names is kept beside the data dir.
    @Test(arguments: ["restore.sh", "backplan"])
    func restoresWriteKeysBesideTheDataOrPutThemBack(_ tool: String) throws {
        var (w, file) = try Self.workspace()
        defer { w.remove() }
        _ = try w.runJobScript()
        func restore(_ arguments: [String]) throws -> SnapshotWorkspace.Result {
            tool == "backplan" ? w.backplan("restore", ["--target", "local"] + arguments)
                : try w.restoreScript(["restore", "--target", "local"] + arguments)
        }
        let to = try restore(["--to", w.root + "/out"])
        #expect(to.status == 0, "\(to.stderr)")
        #expect(to.stdout.contains("key secret-key: written to \(w.root)/out.keys/secret-key (mode 0600); it belongs at \(file)\n"), "\(to.stdout)")
        #expect(try String(contentsOfFile: w.root + "/out.keys/secret-key", encoding: .utf8) == Self.secret)
        #expect(Self.mode(w.root + "/out.keys") == 0o700 && Self.mode(w.root + "/out.keys/secret-key") == 0o600)
        // A second restore beside the same folder refuses rather than mix keys.
        try FileManager.default.removeItem(atPath: w.root + "/out")
        #expect(try restore(["--to", w.root + "/out"]).status == 1)

        try "WEBUI_SECRET_KEY=rotated\n".write(toFile: file, atomically: true, encoding: .utf8)
        let inPlace = try restore(["--in-place", "--app-stopped"])
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.secret)
        #expect(Self.mode(file) == 0o600)
        let aside = try #require(try FileManager.default.contentsOfDirectory(atPath: w.root).first { $0.hasPrefix("secrets.env.before-restore-") })
        #expect(try String(contentsOfFile: w.root + "/" + aside, encoding: .utf8) == "WEBUI_SECRET_KEY=rotated\n")
        #expect(inPlace.stdout.contains("key secret-key: put back at \(file) (the previous file is \(w.root)/\(aside))"), "\(inPlace.stdout)")

        // The plan no longer names the key: it is kept beside the data dir, not written anywhere else.
        sleep(1) // a new .before-restore-<second> name
        w.plan.sources.removeAll { $0.kind == .key }
        w.plan.jobs[0].sources = w.plan.sources.map(\.name)
        try w.writePlan()
        let unknown = try restore(["--in-place", "--app-stopped"])
        #expect(unknown.status == 0, "\(unknown.stderr)")
        let kept = try #require(try FileManager.default.contentsOfDirectory(atPath: w.root).first { $0.hasPrefix("data.keys-") })
        #expect(unknown.stdout.contains("key secret-key: kept in \(w.root)/\(kept)/secret-key (mode 0600); this plan has no key source secret-key"),
                "\(unknown.stdout)")
    }
}
