import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `backplan verify` on snapshots made by the real bash job script.
@Suite struct VerifyCommandTests {
    @Test func aBashSnapshotPassesPlainAndDeep() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let plain = workspace.backplan("verify", ["--target", "local"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("snapshot daily/\(id): ok: "))
        #expect(plain.stdout.contains("SQLite databases pass integrity_check"))
        #expect(plain.stdout.contains("snapshot daily/\(id): app ok: 2 users, 6 chats, 24 messages, 1 files, 1 knowledge bases, 3 vector collections, 9 embeddings\n"))
        let script = try workspace.restoreScript(["verify", "local"])
        #expect(script.stdout.hasSuffix("\napp ok: 2 users, 6 chats, 24 messages, 1 files, 1 knowledge bases, 3 vector collections, 9 embeddings\n"), "\(script.stdout)\(script.stderr)")
        let deep = workspace.backplan("verify", ["--snapshot", id, "--deep"])
        #expect(deep.status == 0, "\(deep.stderr)")
        let report = SnapshotVerifier.verify("\(workspace.jobDir)/\(id)")
        #expect(report.passed)
        #expect(report.databases == 2)
    }

    /// Issue 12, part 3: the app's own consistency. Vectors lost on the server before the backup are
    /// captured as they are: the manifest passes, the app check names the knowledge base with the fix,
    /// and only --strict fails on it.
    @Test func aKnowledgeBaseWithoutVectorsIsNamedAndFailsStrict() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let wipe = CleanProcess.run("/usr/bin/sqlite3", [workspace.dataDir + "/vector_db/chroma.sqlite3",
            "DELETE FROM embeddings WHERE segment_id IN (SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id WHERE c.name = 'c1be6bce-9443-4a0b-9680-9cc523653ff6')"])
        #expect(wipe.status == 0, "\(wipe.stderr)")
        let id = try workspace.runJobScript()
        let plain = workspace.backplan("verify", ["--target", "local"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("snapshot daily/\(id): ok: "))
        #expect(plain.stdout.contains("snapshot daily/\(id): app: 1 problems; 2 users,"))
        #expect(plain.stderr.contains("warning: knowledge 'harness kb (1795750891-30198)' (c1be6bce-9443-4a0b-9680-9cc523653ff6): it holds files but the vector store has no vectors for it; re-index it in Open WebUI"))
        let strict = workspace.backplan("verify", ["--target", "local", "--strict"])
        #expect(strict.status == 1)
        // restore.sh's verify checks the same and says it in the same words (it never fails on it).
        let script = try workspace.restoreScript(["verify", "local"])
        #expect(script.status == 0, "\(script.stderr)")
        let summary = try #require(plain.stdout.split(separator: "\n").first { $0.contains(": app: ") }?.split(separator: ": app: ").last)
        #expect(script.stdout.contains("\napp: \(summary)\n"), "\(script.stdout)")
        #expect(script.stderr.contains("daily/\(id): warning: knowledge 'harness kb (1795750891-30198)' (c1be6bce-9443-4a0b-9680-9cc523653ff6): it holds files but the vector store has no vectors for it; re-index it in Open WebUI"), "\(script.stderr)")
    }

    /// SNAPSHOT.json records the app's counts at capture; verify compares them with the copy.
    @Test func countsThatDifferFromTheRecordAreNamed() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let record = "\(workspace.jobDir)/\(id)/SNAPSHOT.json"
        let text = try String(contentsOfFile: record, encoding: .utf8)
        #expect(text.contains(#""chats":6,"#))
        try Data(text.replacingOccurrences(of: #""chats":6,"#, with: #""chats":7,"#).utf8).write(to: URL(fileURLWithPath: record))
        let result = workspace.backplan("verify", ["--target", "local", "--strict"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("snapshot daily/\(id): app: 1 problems; 2 users, 6 chats"))
        #expect(result.stderr.contains("warning: app.counts (SNAPSHOT.json): 7 chats recorded, 6 found; the record or the database was changed after the capture"))
        let script = try workspace.restoreScript(["verify", "local"])
        #expect(script.stdout.contains("\napp: 1 problems; 2 users, 6 chats, 24 messages"), "\(script.stdout)")
        #expect(script.stderr.contains("daily/\(id): warning: app.counts (SNAPSHOT.json): 7 chats recorded, 6 found; the record"), "\(script.stderr)")
    }

    @Test func aFlippedByteInAnUploadIsNamed() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let uploads = "\(workspace.jobDir)/\(id)/data/uploads"
        let upload = try #require(try FileManager.default.contentsOfDirectory(atPath: uploads).first { !$0.hasPrefix(".") })
        try SnapshotWorkspace.flipByte("\(uploads)/\(upload)", at: 3)
        for extra in [[], ["--deep"]] {
            let result = workspace.backplan("verify", ["--target", "local"] + extra)
            #expect(result.status == 1)
            #expect(result.stdout.contains("FAILED"))
            #expect(result.stdout.contains("data/uploads/\(upload): content differs from MANIFEST.sha256"))
        }
    }

    @Test func aCorruptDatabaseFailsIntegrityCheckAndAnExtraFileIsNamed() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        let snapshot = "\(workspace.jobDir)/\(id)"
        // Page 2 onwards: the header stays valid, so the file is still found as a database.
        try SnapshotWorkspace.flipByte(snapshot + "/data/webui.db", at: 4096 + 8)
        try SnapshotWorkspace.flipByte(snapshot + "/data/webui.db", at: 4096 + 9)
        try Data("x".utf8).write(to: URL(fileURLWithPath: snapshot + "/data/uploads/stray.txt"))
        let result = workspace.backplan("verify", ["--target", "local", "--snapshot", id])
        #expect(result.status == 1)
        #expect(result.stdout.contains("data/webui.db: content differs from MANIFEST.sha256"))
        #expect(result.stdout.contains("data/uploads/stray.txt: not in MANIFEST.sha256"))
        let report = SnapshotVerifier.verify(snapshot)
        #expect(report.problems.contains { $0.hasPrefix("data/webui.db: PRAGMA integrity_check failed") })
    }

    @Test func namesSha256sumEscapesVerifyLikeSha256sum() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try Data("odd".utf8).write(to: URL(fileURLWithPath: workspace.dataDir + "/uploads/back\\slash.txt"))
        try Data("odder".utf8).write(to: URL(fileURLWithPath: workspace.dataDir + "/uploads/line\nbreak.txt"))
        let id = try workspace.runJobScript()
        let manifest = try String(contentsOfFile: "\(workspace.jobDir)/\(id)/MANIFEST.sha256", encoding: .utf8)
        #expect(manifest.contains("\\"))
        let report = SnapshotVerifier.verify("\(workspace.jobDir)/\(id)")
        #expect(report.passed, "\(report.problems)")
        try SnapshotWorkspace.flipByte("\(workspace.jobDir)/\(id)/data/uploads/line\nbreak.txt", at: 0)
        // The problem names the file with its line break written visibly (a message never holds one raw).
        #expect(SnapshotVerifier.verify("\(workspace.jobDir)/\(id)").problems == [#"data/uploads/line\nbreak.txt: content differs from MANIFEST.sha256"#])
    }
}
