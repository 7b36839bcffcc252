import Foundation
import Testing

@Suite struct CheckCommandTests {
    static let typo = """
        version: 1
        name: typo
        deployment: {data_dir: /opt/open-webui/data}
        sources:
          database: {path: webui.db, kind: sqlite}
        targets:
          local: {type: local, path: /srv/backups/openwebui}
        jobs:
          daily:
            schedule: "*-*-* 03:15"
            targets: [local]
            retension: {keep_daily: 7}

        """

    @Test func theCommittedPlansPass() throws {
        let r = try Backplan.run(["check"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("check passed: 4 plans, 0 errors"))
        #expect(!r.stderr.contains("error["))
    }

    @Test func aTypoShowsWhereAndWhatToWrite() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/typo.yaml", Self.typo)
        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("""
            plans/typo.yaml:12:5: error[BP104]: unknown key 'retension' in job 'daily'; did you mean 'retention'?
             12 |     retension: {keep_daily: 7}
                |     ^~~~~~~~~
              help: write 'retention'
            """))
        #expect(r.stdout == "check failed: 1 plan, 1 error, 0 warnings\n")
    }

    @Test func jsonAndGithubFormats() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/typo.yaml", Self.typo)
        let json = try Backplan.run(["check", "--format", "json"], in: dir.path)
        #expect(json.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let first = try #require(array.first { $0["code"] as? String == "BP104" })
        #expect(first["line"] as? Int == 12)
        #expect(first["column"] as? Int == 5)
        #expect(first["severity"] as? String == "error")
        #expect(first["file"] as? String == "plans/typo.yaml")

        let github = try Backplan.run(["check", "--format", "github", "plans/typo.yaml"], in: dir.path)
        #expect(github.status == 1)
        #expect(github.stdout.contains("::error file=plans/typo.yaml,line=12,col=5,title=BP104::unknown key 'retension' in job 'daily'; did you mean 'retention'?%0Awrite 'retention'\n"))
    }

    @Test func strictFailsOnWarnings() throws {
        let lax = try Backplan.run(["check", "plans/daily-local.yaml"])
        #expect(lax.status == 0)
        #expect(lax.stderr.contains("warning[BP310]"))
        let strict = try Backplan.run(["check", "--strict", "daily-local"])
        #expect(strict.status == 1)
        #expect(strict.stdout.hasPrefix("check failed"))
    }

    @Test func aStaleSavedDeploymentIsCaught() throws {
        let dir = try TemporaryDirectory()
        let plan = try String(contentsOfFile: Backplan.repository + "/plans/model-plan-1.yaml", encoding: .utf8)
        var deployment = try String(contentsOfFile: Backplan.repository + "/plans/model-plan-1.deployment.json", encoding: .utf8)
        // The app grew a new folder since the plan was written: the plan must say what to do with it.
        deployment = deployment.replacingOccurrences(of: "\"entries\" : [", with: """
            "entries" : [
                {"bytes": 10, "files": 1, "kind": "files", "name": "functions", "type": "directory"},
            """)
        try dir.write("plans/model-plan-1.yaml", plan)
        try dir.write("plans/model-plan-1.deployment.json", deployment)
        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP301]: 'functions' in the data dir"))
    }

    @Test func aBrokenSavedDeploymentIsOneClearError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/typo.yaml", Self.typo.replacingOccurrences(of: "retension", with: "retention"))
        try dir.write("plans/typo.deployment.json", "{\"format\": 1}")
        let r = try Backplan.run(["check"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("plans/typo.deployment.json: error[BP317]: 'plans/typo.deployment.json' is not a deployment saved by 'backplan detect --json': missing"))
    }

    @Test func usageErrorsExit64() throws {
        let r = try Backplan.run(["check", "--format", "xml"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("xml"))
    }
}

/// On the server itself, check detects the deployment when no saved one is beside the plan.
@Suite struct LiveDetectionTests {
    @Test func checkDetectsTheDataDirOnThisHost() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path + "/data"
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", Backplan.repository + "/fixtures/openwebui-0.12.4/data", data]
        try copy.run()
        copy.waitUntilExit()
        #expect(copy.terminationStatus == 0)
        try dir.write("plans/live.yaml", """
            version: 1
            name: live
            deployment: {data_dir: \(data)}
            sources:
              database: {path: webui.db, kind: sqlite}
              uploads: {path: uploads, kind: files}
            ignore: [cache]
            targets: {local: {type: local, path: /srv/b}, b2: {type: rclone, remote: "b2:x"}}
            jobs: {a: {schedule: daily, targets: [local, b2], quiesce: none, retention: {keep_daily: 7}}}

            """)
        let r = try Backplan.run(["check", "plans/live.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP301]: 'vector_db' in the data dir (chroma, 13 files"), "\(r.stderr)")
        #expect(!r.stderr.contains("BP316"))
        // Detection reads, never writes: the WAL that holds most of the data is still there.
        #expect(FileManager.default.fileExists(atPath: data + "/webui.db-wal"))
    }
}
