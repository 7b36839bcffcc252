import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing

/// The job scripts and restore.sh source the plan's `lib/backplan.sh` beside them: from any current
/// folder and through a symbolic link (as /etc/cron.d or a unit may name them), and they refuse, with
/// exit 1 and nothing written, a library that is missing or belongs to another plan.
@Suite struct ScriptLibraryTests {
    @Test func aScriptFindsItsLibraryFromAnyFolderAndThroughALink() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        _ = try workspace.restoreScript(["--help"])
        let links = workspace.root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: links, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: links + "/daily.sh", withDestinationPath: workspace.root + "/daily.sh")
        let run = SnapshotWorkspace.run("/bin/bash", ["-c", "cd / && \"$1\" --dry-run", "bash", links + "/daily.sh"])
        #expect(run.status == 0, "\(run.stderr)")
        let list = SnapshotWorkspace.run("/bin/bash", ["-c", "cd / && \"$1\" list local", "bash", workspace.root + "/restore.sh"])
        #expect(list.status == 0 && list.stdout.contains("daily "), "\(list.stdout)\(list.stderr)")
    }

    @Test(arguments: ["missing", "another plan"])
    func aWrongLibraryIsRefused(_ fault: String) throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        _ = try workspace.restoreScript(["--help"])
        let library = workspace.root + "/" + LibraryEmitter.path
        var other = workspace.plan
        other.name = "other"
        switch fault {
        case "missing": try FileManager.default.removeItem(atPath: library)
        default: try LibraryEmitter.render(other).write(toFile: library, atomically: true, encoding: .utf8)
        }
        let before = SnapshotLayout(root: workspace.backups, plan: workspace.plan.name).completeSnapshots(job: "daily")
        let expected = fault == "missing" ? "cannot read \(library)" : "is not the library of this plan and backplan version"
        for script in ["daily.sh", "restore.sh"] {
            let result = SnapshotWorkspace.run("/bin/bash", [workspace.root + "/" + script] + (script == "restore.sh" ? ["list", "local"] : []))
            #expect(result.status == 1, "\(script): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains(expected), "\(script): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(script): \(result.stdout)")
        }
        #expect(SnapshotLayout(root: workspace.backups, plan: workspace.plan.name).completeSnapshots(job: "daily") == before)
    }
}
