import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// Issue 12, part 3: the app's own consistency, on copies of the real Open WebUI 0.12.4 data dir
/// (1 upload in 1 knowledge base, 8 vector chunks; the shared fixture's README).
@Suite struct AppConsistencyTests {
    /// A copy of the fixture data dir whose database is a standalone `.backup` (as in a snapshot).
    static func snapshotCopy() throws -> FixtureTree {
        let tree = try FixtureTree()
        try tree.copyData(to: "live")
        try FileManager.default.createDirectory(atPath: tree.path + "/data", withIntermediateDirectories: true)
        try sqlite3(tree.path + "/live/webui.db", ".backup '\(tree.path)/data/webui.db'")
        for folder in ["uploads", "vector_db"] {
            try FileManager.default.copyItem(atPath: tree.path + "/live/" + folder, toPath: tree.path + "/data/" + folder)
        }
        return tree
    }

    /// Runs the sqlite3 CLI on `database`; fails the test when it does not exit 0.
    static func sqlite3(_ database: String, _ sql: String) throws {
        let result = CleanProcess.run("/usr/bin/sqlite3", [database, sql])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func check(_ tree: FixtureTree, uploads: Bool = true, vectors: Bool = true) throws -> AppConsistency {
        try AppConsistency.check(database: tree.path + "/data/webui.db", uploads: uploads ? tree.path + "/data/uploads" : nil,
                                 vectorStore: vectors ? tree.path + "/data/vector_db" : nil).get()
    }

    @Test func theFixtureIsConsistentAndCounted() throws {
        let tree = try Self.snapshotCopy()
        defer { tree.remove() }
        let report = try Self.check(tree)
        #expect(report.problems == [])
        let beside = try FileManager.default.contentsOfDirectory(atPath: tree.path + "/data").sorted()
        #expect(beside == ["uploads", "vector_db", "webui.db"], "the check wrote nothing beside the copy")
        #expect(!FileManager.default.fileExists(atPath: tree.path + "/data/vector_db/chroma.sqlite3-journal"))
        #expect(report.counts == AppConsistency.Counts(users: 2, chats: 6, messages: 24, files: 1, knowledgeBases: 1,
                                                        collections: 3, embeddings: 9))
        // Without the vector store nothing is said of it.
        let noVectors = try Self.check(tree, vectors: false)
        #expect(noVectors.counts.collections == nil && noVectors.problems.isEmpty)
    }

    @Test func vectorsRemovedAreNamedWithTheFix() throws {
        let tree = try Self.snapshotCopy()
        defer { tree.remove() }
        let store = tree.path + "/data/vector_db/chroma.sqlite3"
        try Self.sqlite3(store, "DELETE FROM embeddings; DELETE FROM segments; DELETE FROM collections;")
        let report = try Self.check(tree)
        #expect(report.problems.map(\.kind) == [.knowledgeVectorsMissing, .fileVectorsMissing])
        #expect(report.problems[0].id == "c1be6bce-9443-4a0b-9680-9cc523653ff6")
        #expect(report.problems[0].sentence.hasPrefix("knowledge 'harness kb (1795750891-30198)' (c1be6bce-9443-4a0b-9680-9cc523653ff6): it holds files but the vector store has no vectors for it; re-index"))
        #expect(report.problems[1].sentence.contains("collection 'file-efaf13b5-a79d-4e22-a4dd-03adad6667f1' is missing"))
        #expect(report.counts.collections == 0 && report.counts.embeddings == 0)
    }

    @Test func anUploadRemovedOrCutIsNamed() throws {
        let tree = try Self.snapshotCopy()
        defer { tree.remove() }
        let upload = "efaf13b5-a79d-4e22-a4dd-03adad6667f1_harness-notes-1795750891-30198.txt"
        let path = tree.path + "/data/uploads/" + upload
        try Data("short".utf8).write(to: URL(fileURLWithPath: path))
        let cut = try Self.check(tree)
        #expect(cut.problems.map(\.kind) == [.uploadSize])
        #expect(cut.problems.first?.detail == "uploads/\(upload) has 5 bytes, webui.db records 3328")
        try FileManager.default.removeItem(atPath: path)
        let missing = try Self.check(tree)
        #expect(missing.problems.map(\.kind) == [.uploadMissing])
        #expect(missing.problems.first?.sentence.hasPrefix("upload 'harness-notes-1795750891-30198.txt' (file efaf13b5-a79d-4e22-a4dd-03adad6667f1): uploads/\(upload) is not in the copy; restore uploads/") == true)
        // A snapshot without the uploads source says nothing of uploads.
        #expect(try Self.check(tree, uploads: false).problems.isEmpty)
    }

    /// webui.db is input read from a snapshot: a row naming '../x' or a path with a control character
    /// is reported, never followed out of uploads/, and printed escaped.
    @Test func hostileRowsStayInsideUploads() throws {
        let tree = try Self.snapshotCopy()
        defer { tree.remove() }
        try tree.write("data/secret", "outside uploads")
        try Self.sqlite3(tree.path + "/data/webui.db",
                         "INSERT INTO file (id, filename, path, meta) VALUES ('evil', 'x' || char(27) || '[2J', '/app/backend/data/uploads/..', '{\"size\": 15}'), ('bad-json', 'y', '/data/uploads/none', '{not json');")
        let report = try Self.check(tree)
        #expect(report.problems.map(\.kind) == [.uploadMissing, .uploadMissing])
        #expect(report.problems.allSatisfy { !$0.sentence.contains("\u{1B}") })
        #expect(report.problems.contains { $0.id == "evil" && $0.detail == "webui.db records no file name for it" })
    }

    @Test func anUnreadableDatabaseIsAFailureNotACrash() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("data/webui.db", "not a database at all, just text that is long enough to be read")
        #expect(throws: FileReadFailure.self) { try Self.check(tree) }
    }
}
