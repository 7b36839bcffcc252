import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// The `rclone` target against a real S3 API (moto_server on 127.0.0.1), from both executors: full
/// cycles, cross-executor restores, secrets kept out of every output and command line, and the S3
/// server cut off in the middle of an upload.
@Suite(.serialized) struct RcloneTargetTests {
    /// A fixture copy, a moto_server, a plan with an rclone target `offsite` (credentials in an env
    /// file only) and optionally a local target, plus a recorder of every rclone command line.
    final class Workspace {
        let harness: RunHarness
        let s3: S3Service
        var plan: CompiledPlan
        let envFile: String
        /// A folder put first in PATH: `rclone` there logs its argv to `argvLog`, then runs the real one.
        let wrapper: String
        var argvLog: String { harness.root + "/rclone-argv.log" }
        var planPath: String { harness.root + "/plan.json" }
        /// Every output of every process run so far (for the secrets grep).
        var outputs: [String] = []

        init(local: Bool = true, retention: RetentionPolicy? = nil, verify: VerifyLevel = .manifest,
             endpointPort: Int? = nil, extraEnv: [String] = [], configFile: Bool = false) throws {
            harness = try RunHarness()
            try harness.copyFixture()
            s3 = try S3Service()
            envFile = try s3.writeRcloneEnvFile(remote: "offsite", in: harness.root)
            var lines = try String(contentsOfFile: envFile, encoding: .utf8)
            if let endpointPort { lines = lines.replacingOccurrences(of: "127.0.0.1:\(s3.port)", with: "127.0.0.1:\(endpointPort)") }
            try (lines + (["RCLONE_CONFIG=/dev/null"] + extraEnv).map { $0 + "\n" }.joined()).write(toFile: envFile, atomically: true, encoding: .utf8)
            wrapper = harness.root + "/bin"
            try FileManager.default.createDirectory(atPath: wrapper, withIntermediateDirectories: true)
            let real = LocalServer.tool("rclone") ?? "/usr/bin/rclone"
            // With the file `fail-check` present, `rclone check` reports a difference (a corrupted upload).
            try TestExecutable.install("""
                #!/bin/bash
                printf '%s\\n' "$*" >>\(Shell.quote(harness.root + "/rclone-argv.log"))
                if [[ -f \(Shell.quote(harness.root + "/fail-check")) && " $* " == *" check "* ]]; then
                  echo "ERROR : data/webui.db: md5 differ" >&2
                  exit 1
                fi
                exec \(real) "$@"

                """, at: wrapper + "/rclone")
            var rclone = CompiledRcloneTarget(remote: "offsite:backplan-test", bandwidthLimit: "200M", transfers: 2)
            if configFile {
                rclone.configFile = try s3.writeRcloneConfig(remote: "offsite", in: harness.root)
            } else {
                rclone.envFile = envFile
            }
            let target = CompiledTarget(name: "offsite", kind: .rclone(rclone))
            var targets = [target]
            if local { targets.append(RunHarness.localTarget("local", harness.backups)) }
            plan = harness.plan(retention: retention, verify: verify, targets: targets)
            _ = try harness.writePlan(plan)
        }

        deinit {
            s3.stop()
            harness.remove()
        }

        /// This process's environment with the wrapper first in PATH and AWS_CA_BUNDLE set (backplan must
        /// drop it for rclone: rclone 1.60's S3 backend fails with it).
        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment.merging(S3Service.caBundleTrap) { $1 }
            env["PATH"] = wrapper + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["NO_COLOR"] = "1"
            return env
        }

        @discardableResult
        func process(_ executable: String, _ arguments: [String]) -> RunHarness.Result {
            let result = RunHarness.run(executable, arguments, scratch: harness.root, environment: environment)
            outputs += [result.stdout, result.stderr]
            return result
        }

        /// One run of the job by `executor`; its exit status, log and record.
        @discardableResult
        func run(_ executor: Executor) throws -> ExecutorRun {
            let result = try executor.run(harness, plan, environment: environment)
            outputs += [result.stdout, result.stderr]
            return result
        }

        func backplan(_ arguments: [String]) throws -> RunHarness.Result {
            process(try #require(RunHarness.binary), arguments)
        }

        func restoreScript(_ arguments: [String]) throws -> RunHarness.Result {
            let path = harness.root + "/restore.sh"
            try LibraryEmitter.install(RestoreScriptEmitter.render(plan), plan: plan, at: path)
            return process("/bin/bash", [path] + arguments)
        }

        /// `rclone lsf ARGS offsite:backplan-test/openwebui/daily` with the test's credentials (no backplan).
        func lsf(_ arguments: [String]) -> [String] {
            var env = environment
            env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
            env.removeValue(forKey: "AWS_CA_BUNDLE")
            for (key, value) in (try? S3Service.readEnvFile(envFile)) ?? [:] { env[key] = value }
            env["RCLONE_CONFIG_OFFSITE_ENDPOINT"] = s3.endpoint  // past any proxy of the test
            let result = RunHarness.run("/usr/bin/env", ["rclone", "lsf"] + arguments + ["offsite:backplan-test/openwebui/daily"], environment: env)
            return result.stdout.split(separator: "\n").map(String.init)
        }

        /// Complete snapshot IDs on the S3 server, read directly.
        var remoteIDs: [String] {
            lsf(["-R", "--files-only", "--include", "/*/SNAPSHOT.json"]).map { String($0.prefix(16)) }.sorted()
        }

        /// Every ID folder on the S3 server, complete or not.
        var remoteFolders: [String] { lsf(["--dirs-only"]).map { String($0.dropLast()) }.sorted() }

        /// No test credential in any output, runs.jsonl, generated file or rclone command line.
        func expectNoSecrets(_ comment: Comment? = nil) throws {
            let texts = outputs + [
                (try? String(contentsOfFile: harness.stateDir + "/runs.jsonl", encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: argvLog, encoding: .utf8)) ?? "",
                try String(contentsOfFile: planPath, encoding: .utf8),
                JobScriptEmitter.render(plan, job: plan.jobs[0]),
                RestoreScriptEmitter.render(plan),
            ]
            for secret in [S3Service.accessKeyID, S3Service.secretAccessKey] {
                #expect(!texts.contains { $0.contains(secret) }, "a test credential appeared in an output")
            }
        }

        func sqliteDump(_ database: String) throws -> String {
            let result = RunHarness.run("/usr/bin/sqlite3", ["-readonly", database, ".dump"])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }

        /// The restored folder holds what the data dir holds: the database's .dump and every upload's bytes.
        func expectRestored(_ folder: String) throws {
            #expect(try sqliteDump(folder + "/webui.db") == sqliteDump(harness.dataDir + "/webui.db"))
            #expect(try RunHarness.bash("cd \(Shell.quote(harness.dataDir))/uploads && find . -type f ! -name '*.part' -exec sha256sum {} + | sort")
                == RunHarness.bash("cd \(Shell.quote(folder))/uploads && find . -type f -exec sha256sum {} + | sort"))
            #expect(FileManager.default.fileExists(atPath: folder + "/vector_db/chroma.sqlite3"))
        }

        /// A change between runs: a row in the database and a new upload.
        func changeData(_ tag: String) throws {
            _ = try RunHarness.sqlite(harness.dataDir + "/webui.db", "CREATE TABLE IF NOT EXISTS bp_test(x TEXT); INSERT INTO bp_test VALUES ('\(tag)');")
            try Data("upload \(tag)\n".utf8).write(to: URL(fileURLWithPath: harness.dataDir + "/uploads/test-\(tag).txt"))
        }
    }

    @Test(arguments: Executor.allCases)
    func fullCycle(_ executor: Executor) throws {
        let w = try Workspace(retention: RetentionPolicy(keepLast: 2))
        let first = try w.run(executor)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("no earlier snapshot on the target"))
        try w.changeData("two")
        let second = try w.run(executor)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("unchanged files copied server-side"))
        // Only the changed files travel: the database and the new upload (and the manifest); the rest is
        // copied server-side.
        let sent = second.stderr.split(separator: "\n").first { $0.contains("target offsite: sent ") }.map(String.init) ?? ""
        #expect(sent.contains("sent 3 files") || sent.contains("sent 4 files"), "\(sent)")
        try w.changeData("three")
        let third = try w.run(executor)
        #expect(third.status == 0, "\(third.stderr)")
        let ids = w.remoteIDs
        #expect(ids.count == 2, "retention keep_last 2: \(ids)")
        #expect(w.remoteFolders == ids, "the removed snapshot's whole prefix is gone")
        #expect(w.harness.runsLog().last?["status"] as? String == "ok")

        // Listing: backplan and restore.sh see the same two snapshots.
        let listed = try w.backplan(["snapshots", w.planPath, "--target", "offsite"])
        #expect(listed.status == 0, "\(listed.stderr)")
        for id in ids { #expect(listed.stdout.contains(id)) }
        let list = try w.restoreScript(["list", "offsite"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ")[1] } == ids.map { Substring($0) }, "\(list.stdout)")

        // Verify from both tools, deep too.
        for args in [["verify", w.planPath, "--target", "offsite"], ["verify", w.planPath, "--target", "offsite", "--deep"]] {
            let verified = try w.backplan(args)
            #expect(verified.status == 0, "\(verified.stderr)")
        }
        let verified = try w.restoreScript(["verify", "offsite"])
        #expect(verified.status == 0, "\(verified.stderr)\(verified.stdout)")

        // Restore the newest snapshot with both tools into empty folders; compare with the source.
        let byBackplan = w.harness.root + "/restored-backplan"
        let restored = try w.backplan(["restore", w.planPath, "--target", "offsite", "--to", byBackplan])
        #expect(restored.status == 0, "\(restored.stderr)")
        try w.expectRestored(byBackplan)
        let byScript = w.harness.root + "/restored-script"
        let restoredByScript = try w.restoreScript(["restore", "offsite", byScript])
        #expect(restoredByScript.status == 0, "\(restoredByScript.stderr)")
        try w.expectRestored(byScript)

        // `backplan prune` with keep_last 1 now: one snapshot left, the other's prefix gone.
        w.plan.jobs[0].retention = RetentionPolicy(keepLast: 1)
        _ = try w.harness.writePlan(w.plan)
        let pruned = try w.backplan(["prune", w.planPath, "--target", "offsite"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(w.remoteIDs == [ids[1]])
        #expect(w.remoteFolders == [ids[1]])
        try w.expectNoSecrets()
    }

    /// What one executor uploaded, the other lists, continues incrementally and restores.
    @Test func crossExecutor() throws {
        let w = try Workspace(local: false, verify: .deep)
        let bash = try w.run(.bash)
        #expect(bash.status == 0, "\(bash.stderr)")
        try w.changeData("runtime")
        let runtime = try w.run(.runtime)
        #expect(runtime.status == 0, "\(runtime.stderr)")
        #expect(runtime.stderr.contains("unchanged files copied server-side"), "the runtime continues the bash upload incrementally")
        let ids = w.remoteIDs
        #expect(ids.count == 2)
        // restore.sh restores the runtime's upload, backplan the script's.
        let byScript = w.harness.root + "/restored-script"
        let script = try w.restoreScript(["restore", "offsite", "daily", ids[1], byScript])
        #expect(script.status == 0, "\(script.stderr)")
        try w.expectRestored(byScript)
        let byBackplan = w.harness.root + "/restored-backplan"
        let restored = try w.backplan(["restore", w.planPath, "--target", "offsite", "--snapshot", ids[0], "--to", byBackplan])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(FileManager.default.fileExists(atPath: byBackplan + "/webui.db"))
        #expect(!FileManager.default.fileExists(atPath: byBackplan + "/uploads/test-runtime.txt"), "the older snapshot is restored")
        try w.expectNoSecrets()
    }

    /// `config_file` instead of an env file: `--config FILE` on the command line, the credentials in the file.
    @Test func configFile() throws {
        let w = try Workspace(configFile: true)
        for executor in Executor.allCases {
            let run = try w.run(executor)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(w.remoteIDs.count == 2)
        let list = try w.restoreScript(["list", "offsite"])
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stderr)")
        let argv = try String(contentsOfFile: w.argvLog, encoding: .utf8)
        #expect(argv.contains("--config \(w.harness.root)/rclone.conf"))
        try w.expectNoSecrets()
    }

    /// An upload that fails its verification (`rclone check` finds a difference) is withdrawn: exit 3,
    /// runs.jsonl says why, and nothing of it stays on the server.
    @Test(arguments: Executor.allCases)
    func failedVerificationWithdrawsTheUpload(_ executor: Executor) throws {
        let w = try Workspace()
        _ = FileManager.default.createFile(atPath: w.harness.root + "/fail-check", contents: Data())
        let run = try w.run(executor)
        #expect(run.status == 3, "\(run.stderr)")
        let offsite = (w.harness.runsLog().last?["targets"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "offsite" }
        let error = offsite?["error"] as? String ?? ""
        #expect(error.contains("verification (manifest)") && error.contains("md5 differ") && error.contains("withdrawn"), "\(error)")
        #expect(w.remoteIDs.isEmpty)
        #expect(w.remoteFolders.isEmpty, "the withdrawn upload is purged")
        #expect(w.harness.snapshots(w.plan).count == 1, "the local snapshot stays")
    }

    /// A config_file that cannot be read fails the target in preflight, in both executors: exit 3, the
    /// local snapshot published, runs.jsonl says why.
    @Test func missingConfigFileFailsPreflight() throws {
        let w = try Workspace(configFile: true)
        w.plan.targets = w.plan.targets.map { target in
            var target = target
            if case .rclone(var rclone) = target.kind {
                rclone.configFile = w.harness.root + "/missing.conf"
                target.kind = .rclone(rclone)
            }
            return target
        }
        _ = try w.harness.writePlan(w.plan)
        for executor in Executor.allCases {
            let run = try w.run(executor)
            #expect(run.status == 3, "\(executor): \(run.stderr)")
            let offsite = (w.harness.runsLog().last?["targets"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "offsite" }
            #expect(Self.errorText(offsite).contains("cannot read config_file \(w.harness.root)/missing.conf"), "\(executor): \(offsite ?? [:])")
        }
        #expect(w.harness.snapshots(w.plan).count == 2)
    }

    /// The S3 server is cut off in the middle of an upload (a proxy forwards N bytes, then drops every
    /// connection and refuses new ones): the objects already uploaded stay on the server, yet the
    /// snapshot is never listed; the run exits 3 with a local target (1 without); the next run
    /// completes and removes the leftovers.
    @Test(arguments: [(Executor.bash, true), (Executor.runtime, false), (Executor.runtime, true), (Executor.bash, false)])
    func serverCutOffMidUpload(_ executor: Executor, local: Bool) throws {
        let proxyPort = try LocalServer.freePort()
        let w = try Workspace(local: local, endpointPort: proxyPort,
                              extraEnv: ["RCLONE_RETRIES=1", "RCLONE_LOW_LEVEL_RETRIES=1", "RCLONE_CONTIMEOUT=5s"])
        let proxy = try Proxy(port: proxyPort, to: w.s3.port, cutAfter: 1_200_000, in: w.harness.root)
        let cut = try w.run(executor)
        proxy.stop()
        #expect(cut.status == (local ? 3 : 1), "\(cut.stderr)")
        let record = try #require(w.harness.runsLog().last)
        let targets = record["targets"] as? [[String: Any]] ?? []
        let offsite = targets.first { $0["name"] as? String == "offsite" }
        #expect(offsite?["status"] as? String == "failed")
        #expect(Self.errorText(offsite).contains("rclone"), "\(offsite ?? [:])")
        if local { #expect(w.harness.snapshots(w.plan).count == 1, "the local snapshot stays") }
        let leftovers = w.remoteFolders
        #expect(!leftovers.isEmpty, "the cut upload left objects on the server")
        #expect(w.remoteIDs.isEmpty)
        let again = try Proxy(port: proxyPort, to: w.s3.port, cutAfter: nil, in: w.harness.root)
        defer { again.stop() }
        let listed = try w.backplan(["snapshots", w.planPath, "--target", "offsite"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!leftovers.contains { listed.stdout.contains($0) }, "the interrupted snapshot is never listed")
        let list = try w.restoreScript(["list", "offsite"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(!leftovers.contains { list.stdout.contains($0) })
        let next = try w.run(executor)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("left incomplete by an interrupted run"))
        let ids = w.remoteIDs
        #expect(ids.count == 1)
        #expect(w.remoteFolders == ids, "the leftovers are gone")
        try w.expectNoSecrets()
    }

    /// moto_server killed before the run (the target is down), then started again (empty): exit 3 with
    /// the reason in runs.jsonl, then a complete upload.
    @Test(arguments: Executor.allCases)
    func serverDownThenBack(_ executor: Executor) throws {
        let w = try Workspace(extraEnv: ["RCLONE_RETRIES=1", "RCLONE_LOW_LEVEL_RETRIES=1", "RCLONE_CONTIMEOUT=5s"])
        w.s3.kill()
        let down = try w.run(executor)
        #expect(down.status == 3, "\(down.stderr)")
        let record = try #require(w.harness.runsLog().last)
        #expect(record["status"] as? String == "partial")
        let offsite = (record["targets"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "offsite" }
        #expect(offsite?["status"] as? String == "failed")
        #expect(Self.errorText(offsite).contains("connection refused"), "\(offsite ?? [:])")
        try w.s3.restart()
        let back = try w.run(executor)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(w.remoteIDs.count == 1)
        try w.expectNoSecrets()
    }

    /// scripts/tcp-proxy.py on `port`, forwarding to `to`.
    final class Proxy {
        let pid: pid_t
        init(port: Int, to: Int, cutAfter: Int?, in folder: String) throws {
            let script = RunHarness.repository + "/scripts/tcp-proxy.py"
            let portFile = folder + "/proxy-\(UUID().uuidString.prefix(6)).port"
            var args = [script, "--to", String(to), "--port", String(port), "--port-file", portFile]
            if let cutAfter { args += ["--cut-after", String(cutAfter)] }
            pid = try #require(RunHarness.spawn("/usr/bin/python3", args, stderr: folder + "/proxy.log"))
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: portFile) { usleep(50_000) }
            #expect(FileManager.default.fileExists(atPath: portFile), "the proxy started")
        }

        func stop() {
            kill(pid, SIGTERM)
            _ = RunHarness.wait(pid)
        }
    }

    /// The `error` of a runs.jsonl target entry ("" when there is none).
    static func errorText(_ entry: [String: Any]?) -> String { entry?["error"] as? String ?? "" }
}
