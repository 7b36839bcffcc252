import Foundation
import Testing

/// `compile --generated DIR` touches only what an earlier compile wrote, and never writes through a link.
@Suite struct CompileGeneratedSafetyTests {
    static func snapshot(_ root: String) throws -> [String: Data] { try CompileCommandTests.tree(root) }

    @Test func theWorkingFolderAsGeneratedIsRefusedAndNothingIsRemoved() throws {
        let dir = try CompileCommandTests.workspace()
        try dir.write("docs/notes.md", "mine\n")
        let before = try Self.snapshot(dir.path)
        let r = try Backplan.run(["compile", "--generated", "."], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("backplan compile: ./docs/notes.md was not written by backplan compile"), "\(r.stderr)")
        #expect(r.stderr.contains("./plans/daily-local.yaml was not written by backplan compile"))
        #expect(r.stderr.contains("nothing was written or removed"))
        #expect(try Self.snapshot(dir.path) == before)
    }

    @Test func aForeignFolderInGeneratedIsRefused() throws {
        let dir = try CompileCommandTests.workspace()
        #expect(try Backplan.run(["compile", "--generated", "out"], in: dir.path).status == 0)
        try dir.write("out/important/thesis.tex", "years of work\n")
        try dir.write("out/model-plan-1/my-notes.txt", "keep me\n")
        let before = try Self.snapshot(dir.path)
        let r = try Backplan.run(["compile", "--generated", "out"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("out/important/thesis.tex was not written by backplan compile"), "\(r.stderr)")
        #expect(r.stderr.contains("out/model-plan-1/my-notes.txt was not written by backplan compile"))
        #expect(try Self.snapshot(dir.path) == before)
        // A plan's own compile refuses too: the folder is shared.
        #expect(try Backplan.run(["compile", "model-plan-2", "--generated", "out"], in: dir.path).status == 1)
        #expect(try Self.snapshot(dir.path) == before)
    }

    @Test(arguments: ["generated/model-plan-1/systemd", "generated/model-plan-1", "generated/model-plan-1/daily.sh", "generated"])
    func aSymlinkInTheGeneratedTreeIsRefusedAndNotFollowed(link: String) throws {
        let dir = try CompileCommandTests.workspace()
        #expect(try Backplan.run(["compile"], in: dir.path).status == 0)
        let elsewhere = dir.path + "/elsewhere"
        try FileManager.default.moveItem(atPath: dir.path + "/" + link, toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/" + link, withDestinationPath: elsewhere)
        // A stale file behind the link: a compile that followed it would rewrite or remove what is there.
        try dir.write("plans/model-plan-1.yaml", try String(contentsOfFile: dir.path + "/plans/model-plan-1.yaml", encoding: .utf8) + "\n# edited\n")
        let before = try Self.snapshot(elsewhere)
        let r = try Backplan.run(["compile"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("backplan compile: \(link) is a symbolic link; compile never writes through links"), "\(r.stderr)")
        #expect(try Self.snapshot(elsewhere) == before)
    }
}
