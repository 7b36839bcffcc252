@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Across executors (once the parity tests): on the same data the generated script and `backplan run`
/// make identical data trees and manifests (SQLite files compared by rows), each links against and
/// carries hashes over from the other's snapshot, and both write and resume the same quiesce journal.
extension RunConformanceTests {
    static let databases = ["data/webui.db", "data/vector_db/chroma.sqlite3"]

    @Test func bashAndRuntimeProduceTheSameSnapshot() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("mkdir -p \(Shell.quote(h.dataDir + "/uploads/deep/er")) && echo hi > \(Shell.quote(h.dataDir + "/uploads/deep/er/a.txt")) && chmod 640 \(Shell.quote(h.dataDir + "/uploads/deep/er/a.txt")) && ln -s deep/er/a.txt \(Shell.quote(h.dataDir + "/uploads/link")) && echo t > \(Shell.quote(h.dataDir + "/uploads/x.part"))")
        let bashTarget = h.root + "/bash-backups", runtimeTarget = h.root + "/runtime-backups"
        try FileManager.default.createDirectory(atPath: bashTarget, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: runtimeTarget, withIntermediateDirectories: true)
        let bashPlan = h.plan(targets: [RunHarness.localTarget("local", bashTarget)])
        let runtimePlan = h.plan(targets: [RunHarness.localTarget("local", runtimeTarget)])

        let result = try Executor.bash.run(h, bashPlan)
        #expect(result.status == 0, "\(result.stderr)")
        let runtimeResult = try Executor.runtime.run(h, runtimePlan)
        #expect(runtimeResult.status == 0, "\(runtimeResult.stderr)")
        let bashSnap = h.jobDir(bashPlan, target: bashTarget) + "/" + h.snapshots(bashPlan, target: bashTarget)[0]
        let runtimeSnap = h.jobDir(runtimePlan, target: runtimeTarget) + "/" + h.snapshots(runtimePlan, target: runtimeTarget)[0]

        // A snapshot holds only folders and regular files: the link is skipped by both, with a warning.
        for snap in [bashSnap, runtimeSnap] {
            var info = stat()
            #expect(lstat(snap + "/data/uploads/link", &info) != 0, "\(snap) holds the symbolic link")
        }
        #expect(result.stderr.contains("skipping non-regular file \"link\""), "\(result.stderr)")
        #expect(runtimeResult.stderr.contains("capture: warning: skipping the symbolic link"), "\(runtimeResult.stderr)")
        let (bashTree, runtimeTree) = (try Self.tree(bashSnap), try Self.tree(runtimeSnap))
        #expect(Self.difference(bashTree, runtimeTree) == "", "\(Self.difference(bashTree, runtimeTree))")
        let (bashManifest, runtimeManifest) = (try Self.manifestWithoutDatabases(bashSnap), try Self.manifestWithoutDatabases(runtimeSnap))
        #expect(Self.difference(bashManifest.joined(separator: "\n"), runtimeManifest.joined(separator: "\n")) == "")
        for db in Self.databases {
            #expect(try RunHarness.bash("sqlite3 -readonly \(Shell.quote(bashSnap + "/" + db)) .dump")
                == RunHarness.bash("sqlite3 -readonly \(Shell.quote(runtimeSnap + "/" + db)) .dump"))
        }
        #expect(try SnapshotRecord.read(from: bashSnap).executor == "bash")
        #expect(try Self.keys(bashSnap + "/SNAPSHOT.json") == Self.keys(runtimeSnap + "/SNAPSHOT.json"))
        let runs = h.runsLog()
        #expect(runs.map { $0["executor"] as? String } == ["bash", "runtime"])
        #expect(Set(runs[0].keys) == Set(runs[1].keys))
        #expect(runs[0]["files"] as? Int == runs[1]["files"] as? Int)

        // Second runs by the other executor link against the first one's snapshot.
        #expect(try Executor.runtime.run(h, bashPlan).status == 0)
        #expect(try Executor.bash.run(h, runtimePlan).status == 0)
        let upload = "/data/uploads/deep/er/a.txt"
        for (plan, target, first) in [(bashPlan, bashTarget, bashSnap), (runtimePlan, runtimeTarget, runtimeSnap)] {
            let ids = h.snapshots(plan, target: target)
            #expect(ids.count == 2)
            let second = h.jobDir(plan, target: target) + "/" + ids[1]
            #expect(RunHarness.inode(first + upload) == RunHarness.inode(second + upload))
            try RunHarness.bash("cd \(Shell.quote(second)) && sha256sum -c --quiet --strict MANIFEST.sha256")
        }
    }

    /// Names sha256sum escapes (a backslash, a line break) are hashed on every run by both executors and
    /// written the same way; the other files are carried over, whichever executor made the previous snapshot.
    @Test func escapedNamesAndCarryOverMatchAcrossExecutors() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let uploads = Shell.quote(h.dataDir + "/uploads")
        try RunHarness.bash("cd \(uploads) && echo a > 'back\\slash.txt' && echo b > $'new\\nline.txt' && echo c > plain.txt")
        let bashTarget = h.root + "/bash-backups", runtimeTarget = h.root + "/runtime-backups"
        let bashPlan = h.plan(targets: [RunHarness.localTarget("local", bashTarget)])
        let runtimePlan = h.plan(targets: [RunHarness.localTarget("local", runtimeTarget)])
        for target in [bashTarget, runtimeTarget] { try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true) }
        #expect(try Executor.bash.run(h, bashPlan).status == 0)
        #expect(try Executor.runtime.run(h, runtimePlan).status == 0)
        // Second runs, crossed: the runtime links against the script's snapshot and the other way round.
        let runtimeRun = try Executor.runtime.run(h, bashPlan)
        #expect(runtimeRun.status == 0, "\(runtimeRun.stderr)")
        let runtimeLog = runtimeRun.stderr.split(separator: "\n").map(String.init)
        let bashRun = try Executor.bash.run(h, runtimePlan)
        #expect(bashRun.status == 0, "\(bashRun.stderr)")
        let manifestLine = { (lines: [String]) in lines.first { $0.contains("manifest: ") }.map { String($0[$0.range(of: "manifest: ")!.lowerBound...]) } }
        #expect(manifestLine(runtimeLog) != nil)
        #expect(manifestLine(runtimeLog) == manifestLine(bashRun.stderr.split(separator: "\n").map(String.init)), "same counts hashed and carried")
        var manifests: [[String]] = []
        for (plan, target) in [(bashPlan, bashTarget), (runtimePlan, runtimeTarget)] {
            let ids = h.snapshots(plan, target: target)
            #expect(ids.count == 2)
            let second = h.jobDir(plan, target: target) + "/" + ids[1]
            try RunHarness.bash("cd \(Shell.quote(second)) && sha256sum -c --quiet --strict MANIFEST.sha256")
            manifests.append(try Self.manifestWithoutDatabases(second))
        }
        #expect(manifests[0] == manifests[1])
        #expect(manifests[0].contains { $0.hasPrefix("\\") && $0.hasSuffix("  data/uploads/back\\\\slash.txt") })
        #expect(manifests[0].contains { $0.hasPrefix("\\") && $0.hasSuffix("  data/uploads/new\\nline.txt") })
    }

    @Test func theJournalIsTheSameFileForBothExecutors() throws {
        let h = try RunHarness()
        defer { RunQuiesceTests.cleanUp(h) }
        try h.copyFixture()
        var quiesce = RunQuiesceTests.commands(h)
        let copy = h.root + "/journal-by-bash"
        quiesce.stopCommands[0] += "; cp \(Shell.quote(h.stateDir + "/quiesce")) \(Shell.quote(copy))"
        let plan = h.plan(quiesce: quiesce)
        let script = try h.writeScript(plan)
        #expect(try h.runScript(script).status == 0)
        let expected = QuiesceJournal(plan: plan.name, job: "daily", method: "commands", names: [],
                                      startCommands: quiesce.startCommands)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == expected.text, "bash writes what the runtime writes")
        // The built binary writes the same bytes while the app is stopped.
        #expect(try Executor.runtime.run(h, plan).status == 0)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == expected.text, "backplan run writes what bash writes")

        // A journal the runtime left is resumed by the script's --resume.
        try expected.write(stateDir: h.stateDir)
        #expect(try h.runScript(script, ["--resume"]).status == 0)
        #expect(RunQuiesceTests.events(h) == ["stop", "start", "stop", "start", "start"])
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/quiesce"))
    }

    /// Every entry under `data/`: relative path, type, mode, link target; size, mtime (ns), owner and contents
    /// of the files that are not databases.
    static func tree(_ snapshot: String) throws -> String {
        try RunHarness.bash("cd \(Shell.quote(snapshot)) && find data -printf '%p %y %m %l\\n' | LC_ALL=C sort && find data -type f ! -name webui.db ! -name chroma.sqlite3 -printf '%p %s %T@ %U:%G\\n' | LC_ALL=C sort && find data -type f ! -name webui.db ! -name chroma.sqlite3 -exec sha256sum {} + | LC_ALL=C sort")
    }

    static func keys(_ file: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
        return (object?.keys.map { $0 } ?? []).sorted()
    }

    /// Lines only in `a` (-) or only in `b` (+).
    static func difference(_ a: String, _ b: String) -> String {
        let (left, right) = (Set(a.split(separator: "\n")), Set(b.split(separator: "\n")))
        return (left.subtracting(right).map { "- \($0)" } + right.subtracting(left).map { "+ \($0)" }).sorted().joined(separator: "\n")
    }

    static func manifestWithoutDatabases(_ snapshot: String) throws -> [String] {
        try String(contentsOfFile: snapshot + "/MANIFEST.sha256", encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { line in !databases.contains { line.hasSuffix("  " + $0) } }
    }
}
