@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The rsync target against a private sshd on 127.0.0.1, in both executors: back up twice (and a third
/// time for retention), list, verify, prune, restore, compare with the source; and across executors.
@Suite(.serialized) struct RsyncTargetTests {
    @Test func theJobScriptBacksUpListsVerifiesPrunesAndRestores() throws {
        let w = try RsyncWorkspace(retention: CompiledRetention(keepLast: 2))
        defer { w.remove() }
        var ids: [String] = []
        for _ in 0..<3 {
            let run = try w.runScript()
            #expect(run.status == 0, "\(run.stderr)")
            ids.append(try #require(w.harness.snapshots(w.plan).last))
        }
        // The layout of a local target; retention kept two; nothing hidden is left.
        #expect(w.nasSnapshots == Array(ids.suffix(2)))
        #expect(w.nasEntries == Array(ids.suffix(2)))
        for id in ids.suffix(2) {
            for name in ["MANIFEST.sha256", "SNAPSHOT.json", "data/webui.db", "data/vector_db/chroma.sqlite3"] {
                #expect(FileManager.default.fileExists(atPath: "\(w.nasJob)/\(id)/\(name)"), "\(id)/\(name)")
            }
        }
        // Unchanged files are hard links between the remote snapshots (--link-dest).
        let older = try RsyncWorkspace.anUpload(in: "\(w.nasJob)/\(ids[1])")
        let newer = older.replacingOccurrences(of: ids[1], with: ids[2])
        #expect(RsyncWorkspace.inode(older) == RsyncWorkspace.inode(newer))
        let log = try #require(w.harness.runsLog().last)
        #expect(log["status"] as? String == "ok")

        // restore.sh: list, verify, restore.
        let list = try w.restoreScript(["list", "nas"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
            == ids.suffix(2).map { "daily \($0)" })
        #expect(!list.stdout.contains("?"), "\(list.stdout)")
        let verify = try w.restoreScript(["verify", "nas"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let dest = w.harness.root + "/restored by script"
        let restore = try w.restoreScript(["restore", "nas", "latest", dest])
        #expect(restore.status == 0, "\(restore.stderr)")
        try w.expectRestored(dest)

        // backplan: snapshots, verify --deep, restore of the older one, prune.
        let snapshots = try w.backplan("snapshots", ["--target", "nas"])
        #expect(snapshots.status == 0, "\(snapshots.stderr)")
        #expect(ids.suffix(2).allSatisfy { snapshots.stdout.contains($0) }, "\(snapshots.stdout)")
        let deep = try w.backplan("verify", ["--target", "nas", "--deep"])
        #expect(deep.status == 0, "\(deep.stdout)\(deep.stderr)")
        let dest2 = w.harness.root + "/restored by backplan"
        let restored = try w.backplan("restore", ["--target", "nas", "--snapshot", ids[1], "--to", dest2])
        #expect(restored.status == 0, "\(restored.stderr)")
        try w.expectRestored(dest2)
    }
}
