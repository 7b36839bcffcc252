import Foundation
import Testing

/// Broken plans never crash, hang or print a stack trace: each gets one located diagnostic or a one-line
/// error naming the file, and exit status 1.
@Suite struct BadInputTests {
    static func bomb() -> [UInt8] {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        return Array(text.utf8)
    }

    static let corpus: [(name: String, bytes: [UInt8], code: String)] = [
        ("empty", [], "BP007"),
        ("comment-only", Array("# nothing\n".utf8), "BP007"),
        ("syntax", Array("version: 1\nname: [x\n".utf8), "BP001"),
        ("tab-indent", Array("version: 1\n\tname: x\n".utf8), "BP001"),
        ("not-utf8", Array("version: 1\nname: ".utf8) + [0xE9, 0x0A], "BP006"),
        ("binary", [0x00, 0xFF, 0xFE, 0x01, 0x02, 0x7F, 0x80], "BP006"),
        ("alias-bomb", bomb(), "BP005"),
        ("deep", Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8), "BP004"),
        ("huge", [UInt8](repeating: UInt8(ascii: "#"), count: 2 << 20), "BP003"),
        ("two-docs", Array("version: 1\n---\nversion: 1\n".utf8), "BP009"),
        ("scalar", Array("just a string\n".utf8), "BP102"),
        ("list", Array("- version: 1\n".utf8), "BP102"),
        ("null", Array("~\n".utf8), "BP007"),
        ("wrong-types", Array("version: [1]\nname: {a: b}\ndeployment: x\nsources: 3\ntargets: []\njobs: no\n".utf8), "BP102"),
        ("yes-bool", Array("version: 1\nname: x\ndeployment: {data_dir: /d}\nsources: {d: {path: webui.db, kind: sqlite}}\ntargets: {r: {type: restic, repository: r, password_file: /p, init: yes}}\njobs: {a: {schedule: daily, targets: [r]}}\n".utf8), "BP107"),
    ]

    @Test(arguments: corpus.map(\.name))
    func brokenPlan(_ name: String) throws {
        let entry = try #require(Self.corpus.first { $0.name == name })
        let dir = try TemporaryDirectory()
        try dir.write("plans/\(name).yaml", entry.bytes)
        let r = try Backplan.run(["check", "plans/\(name).yaml"], in: dir.path, timeout: 20)
        #expect(!r.crashed)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("plans/\(name).yaml"))
        #expect(r.stderr.contains("error[\(entry.code)]"), "\(r.stderr.prefix(600))")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test func aDirectoryAMissingFileAndAFIFO() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/plans/folder.yaml", withIntermediateDirectories: true)
        #expect(mkfifo(dir.path + "/plans/pipe.yaml", 0o600) == 0)
        let r = try Backplan.run(["check", "plans/folder.yaml", "plans/missing.yaml", "plans/pipe.yaml"], in: dir.path, timeout: 20)
        #expect(r.status == 1)
        #expect(r.stderr.contains("plans/folder.yaml: error[BP008]: 'plans/folder.yaml' is a directory, not a plan file"))
        #expect(r.stderr.contains("plans/missing.yaml: error[BP008]: cannot read 'plans/missing.yaml': No such file or directory"))
        #expect(r.stderr.contains("plans/pipe.yaml: error[BP008]: 'plans/pipe.yaml' is not a regular file"))
    }

    @Test func noPlansHere() throws {
        let dir = try TemporaryDirectory()
        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP008]: no plans found"))
    }

    @Test func everyErrorInAFileIsReportedInOneRun() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/many.yaml", """
            version: 1
            name: many
            deployment: {data_dir: /d, compse: {}}
            sources: {db: {path: webui.db, kind: sqlit}}
            targets: {l: {type: locl, path: /b}}
            jobs: {a: {schedule: daily, targets: [l], verify: maybe, retention: {keep_dayly: 1}}}

            """)
        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        for expected in ["3:28: error[BP104]", "4:38: error[BP107]", "5:21: error[BP107]", "6:51: error[BP107]", "6:70: error[BP104]"] {
            #expect(r.stderr.contains("plans/many.yaml:" + expected), "\(expected) in \(r.stderr)")
        }
        #expect(r.stdout == "check failed: 1 plan, 5 errors, 0 warnings\n", "no cascading errors")
    }
}
