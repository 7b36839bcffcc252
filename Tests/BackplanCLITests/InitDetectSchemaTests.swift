import Foundation
import Testing

/// A host tree under a temp folder: /opt/open-webui with a compose file and a copy of the fixture data.
func makeHostTree(_ dir: borrowing TemporaryDirectory, secretKey: String = "${WEBUI_SECRET_KEY}") throws {
    try dir.write("root/opt/open-webui/docker-compose.yaml", """
        services:
          open-webui:
            image: ghcr.io/open-webui/open-webui:0.12.4
            volumes:
              - ./data:/app/backend/data
            environment:
              WEBUI_SECRET_KEY: \(secretKey)
          ollama:
            image: ollama/ollama
            volumes: [ollama:/root/.ollama]
        volumes:
          ollama: {}

        """)
    try dir.write("root/opt/open-webui/.env", "WEBUI_SECRET_KEY=not-a-real-key-0123\n")
    let copy = Process()
    copy.executableURL = URL(fileURLWithPath: "/bin/cp")
    copy.arguments = ["-a", Backplan.repository + "/fixtures/openwebui-0.12.4/data", dir.path + "/root/opt/open-webui/data"]
    try copy.run()
    copy.waitUntilExit()
}

@Suite struct InitDetectSchemaTests {
    @Test func initWritesAPlanThatPassesCheck() throws {
        let dir = try TemporaryDirectory()
        try makeHostTree(dir)
        let root = dir.path + "/root"
        let initRun = try Backplan.run(["init", "--root", root, "--compose", "/opt/open-webui/docker-compose.yaml",
                                        "--name", "openwebui", "-o", "plans/openwebui.yaml"], in: dir.path)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        let plan = try String(contentsOfFile: dir.path + "/plans/openwebui.yaml", encoding: .utf8)
        #expect(plan.contains("database: {path: webui.db, kind: sqlite}"))
        #expect(plan.contains("vectors: {path: vector_db, kind: chroma}"))
        #expect(plan.contains("ignore: [cache]"))
        #expect(plan.contains("quiesce: {stop: [open-webui], max_downtime: 5m}"))

        let detect = try Backplan.run(["detect", "--root", root, "--compose", "/opt/open-webui/docker-compose.yaml", "--json"],
                                      in: dir.path)
        #expect(detect.status == 0, "\(detect.stderr)")
        try dir.write("plans/openwebui.deployment.json", detect.stdout)
        let compile = try Backplan.run(["compile"], in: dir.path)
        #expect(compile.status == 0, "\(compile.stderr)")
        let check = try Backplan.run(["check"], in: dir.path)
        #expect(check.status == 0, "\(check.stderr)")
        // Only what a starter plan cannot know: the second, off-site copy.
        #expect(check.stdout == "check passed: 1 plan, 0 errors, 1 warning\n")
        #expect(check.stderr.contains("warning[BP310]"))

        let again = try Backplan.run(["init", "--root", root, "--compose", "/opt/open-webui/docker-compose.yaml",
                                      "-o", "plans/openwebui.yaml"], in: dir.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists; pass --force"))
    }

    @Test func detectJSONIsStableAndHoldsNoSecrets() throws {
        let dir = try TemporaryDirectory()
        try makeHostTree(dir)
        let args = ["detect", "--root", dir.path + "/root", "--compose", "/opt/open-webui/docker-compose.yaml", "--json"]
        let first = try Backplan.run(args, in: dir.path)
        let second = try Backplan.run(args, in: "/")
        #expect(first.status == 0 && second.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(!first.stdout.contains("not-a-real-key"))
        #expect(!first.stdout.contains(dir.path))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(object["data_dir"] as? String == "/opt/open-webui/data")
        #expect((object["environment"] as? [String: Any])?["secret_key"] as? String == "set")
    }

    /// The summary names where each key comes from (the file a `key` source captures), never a value.
    @Test func detectSaysWhereTheKeysComeFrom() throws {
        let dir = try TemporaryDirectory()
        try makeHostTree(dir)
        let r = try Backplan.run(["detect", "--root", dir.path + "/root", "--compose", "/opt/open-webui/docker-compose.yaml"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("key:       WEBUI_SECRET_KEY from compose-dotenv /opt/open-webui/.env\n"), "\(r.stdout)")
        #expect(r.stdout.contains("key:       OAUTH_SESSION_TOKEN_ENCRYPTION_KEY from secret-key-fallback\n"), "\(r.stdout)")
        #expect(!r.stdout.contains("not-a-real-key"))
    }

    @Test func detectNamesABrokenEnvFileLineWithoutPrintingIt() throws {
        let dir = try TemporaryDirectory()
        try makeHostTree(dir)
        // A pasted API key on a line of its own, and a key=value line whose name is not a variable name.
        try dir.write("root/opt/open-webui/.env",
                      "WEBUI_SECRET_KEY=x\nBearer sk-proj-Abc123Def456Ghi789Jkl012Mno345\nbad name=hunter2-Zz9\n")
        let r = try Backplan.run(["detect", "--root", dir.path + "/root", "--compose", "/opt/open-webui/docker-compose.yaml"],
                                 in: dir.path)
        #expect(!r.crashed)
        #expect(r.stderr.contains(".env:2:") && r.stderr.contains("line 2 is not a KEY=value line"), "\(r.stderr)")
        #expect(r.stderr.contains(".env:3:") && r.stderr.contains("on line 3 is not a valid variable name"), "\(r.stderr)")
        for content in ["sk-proj", "Abc123", "bad name", "hunter2"] {
            #expect(!r.stderr.contains(content) && !r.stdout.contains(content), "\(content) was printed")
        }
    }

    @Test func detectOfABrokenComposeFileIsLocated() throws {
        let dir = try TemporaryDirectory()
        try dir.write("compose.yaml", "services:\n  open-webui:\n    volumes: {a: b}\n")
        let r = try Backplan.run(["detect", "--compose", "compose.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("compose.yaml:3:"), "\(r.stderr)")
        #expect(!r.crashed)
    }

    @Test func schemaIsJSONSchema() throws {
        let r = try Backplan.run(["schema"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect((object["required"] as? [String]) == ["version", "name", "deployment", "sources", "targets", "jobs"])
    }

    @Test func helpListsTheCommands() throws {
        let r = try Backplan.run(["--help"])
        #expect(r.status == 0)
        for command in ["detect", "init", "check", "schema"] { #expect(r.stdout.contains("  \(command) ")) }
    }
}

@Suite struct ExplainCommandTests {
    @Test func explainSaysWhatEachJobDoes() throws {
        let r = try Backplan.run(["explain", "model-plan-2", "--next", "2"], environment: ["TZ": "UTC"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("job daily-s3: *-*-* 00:30\n  systemd: *-*-* 00:30:00   cron: 30 0 * * *\n"))
        #expect(r.stdout.contains("  targets: s3 (restic s3:https://s3.eu-central-1.amazonaws.com/example-owui-backups/restic)\n"))
        #expect(r.stdout.contains("  quiesce: stop compose services open-webui, at most 2m down\n"))
        #expect(r.stdout.contains("  retention: keep 14 daily, 8 weekly, 12 monthly\n"))
        let next = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("  next:") && $0.contains("00:30") })
        #expect(next.split(separator: ",").count == 2)
        #expect(next.contains("+00:00"))
    }

    /// Issue 10: explain says what cron and the timer do on daylight-saving nights, per kind of job.
    @Test func explainSaysWhatHappensOnDaylightSavingNights() throws {
        let plan = "Tests/BackplanEmitTests/Fixtures/plans/cron-units.yaml"
        let r = try Backplan.run(["explain", plan, "--next", "1"], environment: ["TZ": "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  server time zone: not recorded (times in this machine's zone, Europe/Berlin)\n"))
        let jobs = r.stdout.components(separatedBy: "\njob ")
        let hourly = try #require(jobs.first { $0.hasPrefix("hourly:") })
        #expect(hourly.contains("  daylight-saving nights: when the clock goes back cron runs the repeated hour's starts again (every real hour) and the systemd timer once; when it jumps forward neither runs the skipped starts\n"))
        let monthly = try #require(jobs.first { $0.hasPrefix("monthly:") })
        #expect(monthly.contains("  daylight-saving nights: when the clock jumps forward cron runs a skipped start right after the change and the systemd timer skips it; when it goes back both run a repeated start once\n"))
    }

    /// Issue 10, part 1: with the server's zone in the saved deployment, an hourly job's timer is
    /// written in UTC and explain says both forms run every real hour, in the server's zone.
    @Test func explainUsesTheServersZoneFromTheSavedDeployment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("explain-zone-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Backplan.repository + "/Tests/BackplanEmitTests/Fixtures/plans/cron-units.yaml",
                                         toPath: dir + "/cron-units.yaml")
        var deployment = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Backplan.repository + "/plans/daily-local.deployment.json"))) as? [String: Any] ?? [:]
        deployment["data_dir"] = "/var/lib/open-webui"
        deployment["compose"] = nil
        deployment["host"] = ["time_zone": "Europe/Berlin"]
        try JSONSerialization.data(withJSONObject: deployment).write(to: URL(fileURLWithPath: dir + "/cron-units.deployment.json"))
        let r = try Backplan.run(["explain", "cron-units.yaml", "--next", "1"], in: dir, environment: ["TZ": "UTC"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  server time zone: Europe/Berlin (saved deployment)\n"))
        let jobs = r.stdout.components(separatedBy: "\njob ")
        let hourly = try #require(jobs.first { $0.hasPrefix("hourly:") })
        #expect(hourly.contains("  systemd: *-*-* *:07:00 UTC   cron: 7 * * * *\n"))
        #expect(hourly.contains("  daylight-saving nights: cron and the systemd timer (written in UTC for the server's zone) both run every real hour, the repeated hour included\n"))
        #expect(hourly.contains(":07 +01:00\n") || hourly.contains(":07 +02:00\n"), "next runs in the server's zone")
        let check = try Backplan.run(["check", "cron-units.yaml"], in: dir)  // fails on the missing generated/; the notes are what counts
        #expect(!check.stderr.contains("note[BP504]: job 'hourly'"), "\(check.stderr)")
        #expect(check.stderr.contains("note[BP504]: job 'monthly'"), "\(check.stderr)")
        let compile = try Backplan.run(["compile", "cron-units.yaml"], in: dir)
        #expect(compile.status == 0, "\(compile.stderr)")
        let timer = try String(contentsOfFile: dir + "/generated/cron-units/systemd/backplan-cron-units-hourly.timer", encoding: .utf8)
        #expect(timer.contains("[Timer]\n# Every hour in local time, written in UTC for the server's zone"))
        #expect(timer.contains("\nOnCalendar=*-*-* *:07:00 UTC\n"))
        let cron = try String(contentsOfFile: dir + "/generated/cron-units/cron.d/backplan-cron-units", encoding: .utf8)
        #expect(cron.contains("\n7 * * * * root "))
    }

    @Test func explainOfABrokenPlanFails() throws {
        let r = try Backplan.run(["explain", "no-such-plan"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP008]"))
    }
}
