import BackplanRuntime
import Foundation
import Testing

/// `backplan restore --to DIR` on snapshots made by the real bash job script, checked against the
/// source database and against restore.sh.
@Suite struct RestoreCommandTests {
    @Test func restoresTheSnapshotTreeAndTheRowsOnlyInTheWAL() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let dest = workspace.root + "/restored"
        let result = workspace.backplan("restore", ["--target", "local", "--to", dest])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("restored snapshot daily/\(id) of target local into \(dest) (verified)\n"))
        // Upload paths still name /app/backend/data: a warning says so and how to fix it.
        #expect(result.stdout.contains("warning: 1 upload paths in webui.db"))
        #expect(result.stdout.contains("--rewrite-paths"))
        #expect(try SnapshotWorkspace.tree(dest) == SnapshotWorkspace.tree("\(workspace.jobDir)/\(id)/data"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/webui.db-wal"))
        for table in ["user", "chat", "file"] {
            let restored = try SnapshotWorkspace.sqlite(dest + "/webui.db", "SELECT count(*) FROM \(table)")
            let source = try SnapshotWorkspace.sqlite(workspace.dataDir + "/webui.db", "SELECT count(*) FROM \(table)")
            #expect(restored == source)
            #expect(restored != "0")
        }
        // No restored file shares an inode with the snapshot.
        let restoredInode = try FileManager.default.attributesOfItem(atPath: dest + "/webui.db")[.systemFileNumber] as? Int
        let snapshotInode = try FileManager.default.attributesOfItem(atPath: "\(workspace.jobDir)/\(id)/data/webui.db")[.systemFileNumber] as? Int
        #expect(restoredInode != snapshotInode)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.root).filter { $0.contains(".restore-") }
        #expect(leftovers.isEmpty)
    }

    @Test func refusesANonEmptyFolderUnlessForced() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        let dest = workspace.root + "/busy"
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dest + "/mine.txt"))
        let refused = workspace.backplan("restore", ["--target", "local", "--to", dest])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(dest) is not empty; refusing to restore into it (nothing was changed)"))
        #expect(FileManager.default.fileExists(atPath: dest + "/mine.txt"))
        let forced = workspace.backplan("restore", ["--target", "local", "--to", dest, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dest + "/mine.txt"))
        #expect(FileManager.default.fileExists(atPath: dest + "/webui.db"))
    }

    @Test func rewritePathsPointsEveryUploadIntoTheNewFolder() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try workspace.runJobScript()
        let dest = workspace.root + "/elsewhere/data"
        let result = workspace.backplan("restore", ["--target", "local", "--to", dest, "--rewrite-paths"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("warning"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/webui.db-wal"))
        let paths = try SnapshotWorkspace.sqlite(dest + "/webui.db", "SELECT path FROM file").split(separator: "\n").map(String.init)
        #expect(!paths.isEmpty)
        for path in paths {
            #expect(path.hasPrefix(dest + "/uploads/"))
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(try SnapshotWorkspace.sqlite(dest + "/webui.db", "PRAGMA integrity_check") == "ok")
    }

    @Test func backplanRestoreEqualsRestoreShOnTheSameBashSnapshot() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let byBackplan = workspace.root + "/by-backplan"
        let byScript = workspace.root + "/by-script"
        let ours = workspace.backplan("restore", ["--target", "local", "--snapshot", id, "--to", byBackplan])
        #expect(ours.status == 0, "\(ours.stderr)")
        let theirs = try workspace.restoreScript(["restore", "local", id, byScript])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(try SnapshotWorkspace.tree(byBackplan) == SnapshotWorkspace.tree(byScript))
        let first = { (text: String) in text.split(separator: "\n").first.map(String.init) ?? "" }
        #expect(first(ours.stdout).replacingOccurrences(of: byBackplan, with: "DIR") == first(theirs.stdout).replacingOccurrences(of: byScript, with: "DIR"))
        // restore.sh verifies what backplan verifies, and lists what backplan lists.
        #expect(try workspace.restoreScript(["verify", "local", id]).status == 0)
        let list = try workspace.restoreScript(["list", "local"])
        #expect(list.stdout.hasPrefix("daily \(id) "))
    }
}
