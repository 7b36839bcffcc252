import BackplanCore
import BackplanRuntime
import Foundation
import Testing

/// A snapshot holds exactly what its manifest lists. Forged snapshots (a manifest line outside data/, a
/// `data/` link, an unlisted link, a listed fifo) fail verify in both executors, within a time limit,
/// and are never restored.
@Suite struct ForgedSnapshotTests {
    /// A forgery: bash run in the snapshot folder ($1: a scratch folder outside the backups), and a
    /// phrase each executor's verify must print.
    struct Forgery: CustomTestStringConvertible, Sendable {
        var name: String
        var script: String
        var bash: String
        var runtime: String
        var testDescription: String { name }
    }

    static let hostnameLine = #"printf '%s  %s\n' "$(sha256sum </etc/hostname | cut -c1-64)" "#
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static let forgeries: [Forgery] = [
        Forgery(name: "absolute path in the manifest", script: hostnameLine + "/etc/hostname >>MANIFEST.sha256",
                bash: "MANIFEST.sha256 names /etc/hostname, which is not a path inside data/",
                runtime: "/etc/hostname: named in MANIFEST.sha256 but not a path inside data/"),
        Forgery(name: "data/.. in the manifest", script: hostnameLine + "data/../../../../../../../../etc/hostname >>MANIFEST.sha256",
                bash: "which is not a path inside data/", runtime: "but not a path inside data/"),
        Forgery(name: "data/ is a link", script: #"mv data "$1/elsewhere" && ln -s "$1/elsewhere" data"#,
                bash: "MANIFEST.sha256 or data/ is missing (or is a link", runtime: "MANIFEST.sha256 or data/ is missing (or is a link"),
        Forgery(name: "an unlisted link to /", script: "ln -s / data/uploads/rootlink",
                bash: "data/uploads/rootlink is a link or a special file",
                runtime: "data/uploads/rootlink: a link or a special file"),
        Forgery(name: "/dev/zero in the manifest", script: "printf '\(emptyHash)  /dev/zero\\n' >>MANIFEST.sha256",
                bash: "MANIFEST.sha256 names /dev/zero, which is not a path inside data/",
                runtime: "/dev/zero: named in MANIFEST.sha256 but not a path inside data/"),
        Forgery(name: "a listed fifo", script: "mkfifo data/uploads/fifo && printf '\(emptyHash)  data/uploads/fifo\\n' >>MANIFEST.sha256",
                bash: "data/uploads/fifo is a link or a special file", runtime: "data/uploads/fifo: a link or a special file"),
        Forgery(name: "a listed link to /dev/zero", script: "ln -s /dev/zero data/uploads/zero && printf '\(emptyHash)  data/uploads/zero\\n' >>MANIFEST.sha256",
                bash: "MANIFEST.sha256 names data/uploads/zero, which is not a regular file in data/",
                runtime: "data/uploads/zero: listed in MANIFEST.sha256 but not a regular file in data/"),
    ]

    /// Runs `arguments` under timeout(1): a hang ends with 124 and fails the status check.
    static func limited(_ arguments: [String]) -> SnapshotWorkspace.Result {
        SnapshotWorkspace.run("/usr/bin/timeout", ["30"] + arguments, environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 })
    }

    @Test(arguments: forgeries)
    func aForgedSnapshotFailsVerifyAndIsNotRestored(forgery: Forgery) throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let snapshot = "\(workspace.jobDir)/\(id)"
        let scratch = workspace.root + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try SnapshotWorkspace.check(SnapshotWorkspace.run("/bin/bash", ["-c", "cd -- \"$2\" && " + forgery.script, "bash", scratch, snapshot]))
        let script = workspace.root + "/restore.sh"
        _ = try workspace.restoreScript(["--help"])

        let bashVerify = Self.limited(["/bin/bash", script, "verify", "local"])
        #expect(bashVerify.status == 1, "\(bashVerify.stdout)\(bashVerify.stderr)")
        #expect(bashVerify.stderr.contains(forgery.bash), "\(bashVerify.stderr)")
        #expect(!bashVerify.stdout.contains("ok: "))
        let bashRestore = Self.limited(["/bin/bash", script, "restore", "local", workspace.root + "/out-bash"])
        #expect(bashRestore.status == 1, "\(bashRestore.stdout)\(bashRestore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.root + "/out-bash"))

        let verify = Self.limited([SnapshotWorkspace.binary, "verify", workspace.planPath, "--target", "local"])
        #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains(forgery.runtime), "\(verify.stdout)")
        let restore = Self.limited([SnapshotWorkspace.binary, "restore", workspace.planPath, "--target", "local", "--to", workspace.root + "/out-runtime"])
        #expect(restore.status == 1, "\(restore.stdout)\(restore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.root + "/out-runtime"))
        #expect(SnapshotVerifier.verify(snapshot).passed == false)
    }

    /// `--to ""` is not the working folder: nothing there is replaced, in either executor.
    @Test func anEmptyDestinationIsRefused() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        let cwd = workspace.root + "/cwd"
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: cwd + "/precious.txt"))
        _ = try workspace.restoreScript(["--help"])
        let quotedScript = Shell.quote(workspace.root + "/restore.sh")
        let quotedBinary = Shell.quote(SnapshotWorkspace.binary)
        let quotedPlan = Shell.quote(workspace.planPath)
        let runtime = Self.limited(["/bin/bash", "-c", "cd \(Shell.quote(cwd)) && \(quotedBinary) restore \(quotedPlan) --target local --to '' --force"])
        #expect(runtime.status == 1, "\(runtime.stdout)\(runtime.stderr)")
        #expect(runtime.stderr.contains("the destination is an empty path"), "\(runtime.stderr)")
        let script = Self.limited(["/bin/bash", "-c", "cd \(Shell.quote(cwd)) && bash \(quotedScript) restore local ''"])
        #expect(script.status == 1, "\(script.stdout)\(script.stderr)")
        #expect(script.stderr.contains("the destination is an empty path"), "\(script.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd) == ["precious.txt"])
    }

    /// Fields of a forged SNAPSHOT.json (an escape sequence, a BEL, a bidi override, a C1 control and a
    /// line break that would print a fake snapshot line) reach the terminal written visibly, one line per
    /// snapshot, from `backplan snapshots`.
    @Test func aForgedRecordPrintsNoControlCharacters() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let record = "\(workspace.jobDir)/\(id)/SNAPSHOT.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any])
        json["started"] = "\u{1B}]0;PWNED\u{07}\u{202E}evil\u{85}x\nlocal daily 29991231T000000Z forged"
        json["executor"] = "bash\u{1B}[2J"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: record))
        let listed = workspace.backplan("snapshots", ["--target", "local"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.unicodeScalars.contains { TerminalText.isControl($0) && $0 != "\n" }, "\(listed.stdout.debugDescription)")
        #expect(listed.stdout.split(separator: "\n").count == 1, "\(listed.stdout.debugDescription)")
        #expect(listed.stdout.contains(#"\u{1B}]0;PWNED"#), "\(listed.stdout.debugDescription)")
    }
}
