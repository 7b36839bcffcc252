import Foundation
import Testing

/// `compile` writes generated/ deterministically; `check` fails on anything that differs from it.
@Suite struct CompileCommandTests {
    /// A copy of the repository's plans/ in a temp folder.
    static func workspace() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: Backplan.repository + "/plans") {
            try dir.write("plans/" + name, Array(try Data(contentsOf: URL(fileURLWithPath: Backplan.repository + "/plans/" + name))))
        }
        return dir
    }

    static func tree(_ root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[item] = FileManager.default.contents(atPath: root + "/" + item)
            }
        }
        return files
    }

    @Test func theCommittedGeneratedTreeIsCurrent() throws {
        let dir = try Self.workspace()
        let r = try Backplan.run(["compile"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let fresh = try Self.tree(dir.path + "/generated")
        let committed = try Self.tree(Backplan.repository + "/generated")
        #expect(Set(fresh.keys) == Set(committed.keys))
        for (path, data) in fresh { #expect(committed[path] == data, "generated/\(path) is stale: run 'backplan compile'") }
    }

    @Test func deterministicAcrossProcessesDirectoriesLocalesAndZones() throws {
        let a = try Self.workspace()
        let b = try Self.workspace()
        let ra = try Backplan.run(["compile"], in: a.path, environment: ["LANG": "C", "TZ": "UTC"])
        let rb = try Backplan.run(["compile"], in: b.path, environment: ["LANG": "de_DE.UTF-8", "LC_ALL": "tr_TR.UTF-8", "TZ": "Pacific/Kiritimati"])
        #expect(ra.status == 0 && rb.status == 0)
        let ta = try Self.tree(a.path + "/generated")
        let tb = try Self.tree(b.path + "/generated")
        #expect(!ta.isEmpty)
        #expect(ta == tb)
        for (path, data) in ta {
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains(a.path) && !text.contains(b.path), "\(path) holds the compiling machine's path")
        }
    }

    @Test func checkFailsOnHandEditsMissingExtraAndOrphanFiles() throws {
        let dir = try Self.workspace()
        #expect(try Backplan.run(["compile"], in: dir.path).status == 0)
        #expect(try Backplan.run(["check"], in: dir.path).status == 0)

        let script = dir.path + "/generated/model-plan-1/daily.sh"
        var text = try String(contentsOfFile: script, encoding: .utf8)
        text = text.replacingOccurrences(of: "#!/usr/bin/env bash\n", with: "#!/usr/bin/env bash\necho hand edit\n")
        try text.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir.path + "/generated/weekly-cold/INSTALL.md")
        try dir.write("generated/model-plan-2/old-job.sh", "#!/bin/sh\n")
        try dir.write("generated/retired-plan/plan.json", "{}\n")

        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("generated/model-plan-1/daily.sh: error[BP503]: 'daily.sh' differs from what plans/model-plan-1.yaml compiles to (stale or edited by hand)"))
        #expect(r.stderr.contains("+echo hand edit"))
        #expect(r.stderr.contains("help: run 'backplan compile plans/model-plan-1.yaml' and commit generated/model-plan-1/"))
        #expect(r.stderr.contains("generated/weekly-cold/INSTALL.md: error[BP503]: 'INSTALL.md' is missing"))
        #expect(r.stderr.contains("generated/model-plan-2/old-job.sh: error[BP503]: 'old-job.sh' is produced by no plan"))
        #expect(r.stderr.contains("generated/retired-plan: error[BP503]: no plan produces 'generated/retired-plan/'"))

        let fix = try Backplan.run(["compile"], in: dir.path)
        #expect(fix.status == 0)
        #expect(fix.stdout.contains("wrote generated/model-plan-1/daily.sh"))
        #expect(fix.stdout.contains("removed generated/model-plan-2/old-job.sh"))
        #expect(fix.stdout.contains("removed generated/retired-plan/"))
        #expect(try Backplan.run(["check"], in: dir.path).status == 0)
    }

    @Test func compileWritesOnlyWhatChangesAndDropsRetiredJobs() throws {
        let dir = try Self.workspace()
        #expect(try Backplan.run(["compile"], in: dir.path).status == 0)
        let again = try Backplan.run(["compile"], in: dir.path)
        #expect(again.status == 0)
        #expect(!again.stdout.contains("wrote"), "a second compile rewrote files: \(again.stdout)")

        var plan = try String(contentsOfFile: dir.path + "/plans/model-plan-2.yaml", encoding: .utf8)
        let start = try #require(plan.range(of: "  daily-b2:\n"))
        let end = try #require(plan.range(of: "  weekly-nas:\n"))
        plan.removeSubrange(start.lowerBound..<end.lowerBound)
        try plan.write(toFile: dir.path + "/plans/model-plan-2.yaml", atomically: true, encoding: .utf8)
        let r = try Backplan.run(["compile", "model-plan-2"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("removed generated/model-plan-2/daily-b2.sh"))
        #expect(r.stdout.contains("removed generated/model-plan-2/systemd/backplan-model-plan-2-daily-b2.timer"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/generated/model-plan-2/daily-b2.sh"))
        #expect(FileManager.default.isExecutableFile(atPath: dir.path + "/generated/model-plan-2/weekly-nas.sh"))
    }

    @Test func aPlanWithErrorsWritesNothing() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/bad.yaml", "version: 1\nname: bad\n")
        let r = try Backplan.run(["compile"], in: dir.path)
        #expect(r.status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/generated"))
    }

    @Test func cronCannotExpressIsACompileError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/tz.yaml", """
            version: 1
            name: tz
            deployment: {data_dir: /srv/data}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {local: {type: local, path: /srv/b}, b2: {type: rclone, remote: "b2:x"}}
            jobs:
              a: {schedule: "*-*-* 03:15:30", targets: [local, b2], retention: {keep_daily: 3}}

            """)
        let r = try Backplan.run(["compile"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("plans/tz.yaml:7:17: error[BP501]: cron cannot run job 'a' at the same instants"), "\(r.stderr)")
    }
}
