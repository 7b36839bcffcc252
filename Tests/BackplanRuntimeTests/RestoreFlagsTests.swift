import BackplanRuntime
import Foundation
import Testing

/// restore.sh takes `backplan restore`'s flags: the same words restore the same snapshot in both
/// executors, and the positional form keeps working.
@Suite struct RestoreFlagsTests {
    @Test func theSameFlagsRestoreTheSameSnapshotInBothExecutors() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let snapshot = "\(workspace.jobDir)/\(id)/data"
        let flags = ["--target", "local", "--job", "daily", "--snapshot", id]

        let byScript = workspace.root + "/by-script", byRuntime = workspace.root + "/by-runtime"
        let script = try workspace.restoreScript(["restore"] + flags + ["--to", byScript])
        #expect(script.status == 0, "\(script.stderr)")
        let runtime = workspace.backplan("restore", flags + ["--to", byRuntime])
        #expect(runtime.status == 0, "\(runtime.stderr)")
        #expect(try SnapshotWorkspace.tree(byScript) == SnapshotWorkspace.tree(snapshot))
        #expect(try SnapshotWorkspace.tree(byRuntime) == SnapshotWorkspace.tree(snapshot))

        // `--flag=value`, defaults (latest), and list/verify with flags print what the positional form prints.
        let latest = try workspace.restoreScript(["restore", "--target=local", "--to=\(workspace.root)/latest"])
        #expect(latest.status == 0, "\(latest.stderr)")
        #expect(try SnapshotWorkspace.tree(workspace.root + "/latest") == SnapshotWorkspace.tree(snapshot))
        let listed = try workspace.restoreScript(["list", "--target", "local", "--job", "daily"])
        let positional = try workspace.restoreScript(["list", "local", "daily"])
        #expect(listed.status == 0 && listed.stdout == positional.stdout && listed.stdout.contains(id), "\(listed.stdout)\(listed.stderr)")
        let verified = try workspace.restoreScript(["verify", "--target", "local", "--snapshot", "latest"])
        #expect(verified.status == 0 && verified.stdout.contains("ok: "), "\(verified.stdout)\(verified.stderr)")
    }

    /// Usage errors (exit 64) that say what to do, and nothing restored.
    @Test(arguments: [
        (["restore", "local", "--to", "DIR"], "either as arguments or as --target"),
        (["restore", "--job", "daily", "--to", "DIR"], "--target is needed"),
        (["restore", "--target", "local", "--to", "DIR", "--in-place"], "--to and --in-place exclude each other"),
        (["restore", "--target", "local", "--force", "--to", "DIR"], "--force is an option of backplan restore"),
        (["list", "--target", "local", "--snapshot", "latest"], "--snapshot does not go with list"),
        (["verify", "--target", "local", "--to", "DIR"], "--to goes with restore"),
        (["restore", "--target", "local", "--to"], "--to needs a value"),
        (["restore", "--target=", "--to", "DIR"], "--target needs a value (it is empty)"),
    ])
    func misusedFlagsAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        let dir = workspace.root + "/out"
        let result = try workspace.restoreScript(arguments.map { $0 == "DIR" ? dir : $0 })
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }
}
