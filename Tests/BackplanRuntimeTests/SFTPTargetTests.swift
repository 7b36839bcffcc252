@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// rclone and restic targets on an SSH server (the private sshd of TestSupport), in both executors:
/// rclone's sftp backend, and a restic repository `rclone:nas:PATH` (restic runs `rclone serve restic
/// --stdio`), the sftp remote defined only by the target's env file. The client's private key stays in
/// its file: no line of it may appear in any output.
@Suite(.serialized) struct SFTPTargetTests {
    /// An env file defining the rclone remote `nas` (sftp to `ssh`, strict host key checking, no hash
    /// check: hashes over sftp run one remote `md5sum` per file, slow here), root-only.
    static func writeEnvFile(_ ssh: SSHService, in folder: String) throws -> String {
        let path = folder + "/nas.env"
        try """
            RCLONE_CONFIG=/dev/null
            RCLONE_CONFIG_NAS_TYPE=sftp
            RCLONE_CONFIG_NAS_HOST=\(ssh.host)
            RCLONE_CONFIG_NAS_PORT=\(ssh.port)
            RCLONE_CONFIG_NAS_USER=\(ssh.user)
            RCLONE_CONFIG_NAS_KEY_FILE=\(ssh.clientKey)
            RCLONE_CONFIG_NAS_KNOWN_HOSTS_FILE=\(ssh.knownHosts)
            RCLONE_CONFIG_NAS_DISABLE_HASHCHECK=true

            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    /// The lines of the client's private key (the armour lines are no secret).
    static func keyLines(_ ssh: SSHService) throws -> [String] {
        try String(contentsOfFile: ssh.clientKey, encoding: .utf8).split(separator: "\n")
            .map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
    }

    static func expectNoKey(_ ssh: SSHService, in texts: [String], files: [String]) throws {
        let haystack = texts + files.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        let lines = try keyLines(ssh)
        #expect(!lines.isEmpty)
        #expect(!lines.contains { line in haystack.contains { $0.contains(line) } }, "a line of the private key appeared in an output")
    }

    static func sqliteDump(_ database: String) throws -> String {
        let result = RunHarness.run("/usr/bin/sqlite3", ["-readonly", database, ".dump"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// An rclone target `nas` whose remote is `nas:<temp>/sftp-store` on the private sshd, plus a local
    /// target: two runs, list, verify, restore with both tools, prune.
    @Test(arguments: Executor.allCases)
    func rcloneSFTPFullCycle(_ executor: Executor) throws {
        let ssh = try SSHService()
        defer { ssh.stop() }
        let harness = try RunHarness()
        defer { harness.remove() }
        try harness.copyFixture()
        let store = harness.root + "/sftp-store"
        let target = CompiledTarget(name: "nas", kind: .rclone(CompiledRcloneTarget(
            remote: "nas:" + store, envFile: try Self.writeEnvFile(ssh, in: harness.root))))
        var plan = harness.plan(targets: [target, RunHarness.localTarget("local", harness.backups)])
        let planPath = try harness.writePlan(plan)
        var outputs: [String] = []
        func process(_ executable: String, _ arguments: [String]) -> RunHarness.Result {
            let result = RunHarness.run(executable, arguments, scratch: harness.root)
            outputs += [result.stdout, result.stderr]
            return result
        }
        func run() throws -> ExecutorRun {
            let result = try executor.run(harness, plan)
            outputs += [result.stdout, result.stderr]
            return result
        }
        func backplan(_ arguments: [String]) throws -> RunHarness.Result { process(try #require(RunHarness.binary), arguments) }
        let restoreSh = harness.root + "/restore.sh"
        func restoreScript(_ arguments: [String]) throws -> RunHarness.Result {
            try LibraryEmitter.install(RestoreScriptEmitter.render(plan), plan: plan, at: restoreSh)
            return process("/bin/bash", [restoreSh] + arguments)
        }
        /// The complete snapshots on the server, read from its file system.
        func serverIDs() -> [String] {
            let job = store + "/openwebui/daily"
            return ((try? FileManager.default.contentsOfDirectory(atPath: job)) ?? [])
                .filter { FileManager.default.fileExists(atPath: job + "/" + $0 + "/SNAPSHOT.json") }.sorted()
        }

        let first = try run()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("no earlier snapshot on the target"), "\(first.stderr)")
        _ = try RunHarness.sqlite(harness.dataDir + "/webui.db", "CREATE TABLE bp_test(x TEXT); INSERT INTO bp_test VALUES ('two');")
        try Data("upload two\n".utf8).write(to: URL(fileURLWithPath: harness.dataDir + "/uploads/test-two.txt"))
        let second = try run()
        #expect(second.status == 0, "\(second.stderr)")
        // sftp has no server-side copy (rclone refuses --copy-dest there) and no hash with hash checks off.
        #expect(second.stderr.contains("target nas: uploading") && second.stderr.contains("the remote has no server-side copy: every file is sent"), "\(second.stderr)")
        #expect(second.stderr.contains("target nas: rclone check compared sizes only"), "\(second.stderr)")
        #expect(second.stderr.contains("target nas: verified (manifest)"), "\(second.stderr)")
        #expect(harness.runsLog().last?["status"] as? String == "ok")
        let ids = serverIDs()
        #expect(ids.count == 2, "\(ids)")

        let listed = try backplan(["snapshots", planPath, "--target", "nas"])
        #expect(listed.status == 0, "\(listed.stderr)")
        for id in ids { #expect(listed.stdout.contains(id), "\(listed.stdout)") }
        let list = try restoreScript(["list", "nas"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[1]) } == ids, "\(list.stdout)")

        let verified = try backplan(["verify", planPath, "--target", "nas"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let verifiedBySh = try restoreScript(["verify", "nas"])
        #expect(verifiedBySh.status == 0, "\(verifiedBySh.stdout)\(verifiedBySh.stderr)")

        let byBackplan = harness.root + "/restored-backplan", byScript = harness.root + "/restored-script"
        let restored = try backplan(["restore", planPath, "--target", "nas", "--to", byBackplan])
        #expect(restored.status == 0, "\(restored.stderr)")
        let restoredBySh = try restoreScript(["restore", "nas", byScript])
        #expect(restoredBySh.status == 0, "\(restoredBySh.stderr)")
        let uploads = "find . -type f ! -name '*.part' -exec sha256sum {} + | sort"
        for folder in [byBackplan, byScript] {
            #expect(try Self.sqliteDump(folder + "/webui.db") == Self.sqliteDump(harness.dataDir + "/webui.db"))
            #expect(try RunHarness.bash("cd \(Shell.quote(folder))/uploads && \(uploads)")
                == RunHarness.bash("cd \(Shell.quote(harness.dataDir))/uploads && \(uploads)"))
        }

        // Retention on sftp: backplan prune with keep_last 1 removes the older snapshot's whole folder.
        plan.jobs[0].retention = RetentionPolicy(keepLast: 1)
        _ = try harness.writePlan(plan)
        let pruned = try backplan(["prune", planPath, "--target", "nas"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(serverIDs() == [ids[1]])
        #expect(!FileManager.default.fileExists(atPath: store + "/openwebui/daily/" + ids[0]))

        try Self.expectNoKey(ssh, in: outputs + [JobScriptEmitter.render(plan, job: plan.jobs[0])],
                             files: [harness.stateDir + "/runs.jsonl", planPath, restoreSh])
    }

    /// A restic repository `rclone:nas:<temp>/sftp-repo` with the same env file: restic starts
    /// `rclone serve restic --stdio`, which reaches the sshd. Two runs, list, deep verify, restore with
    /// both tools.
    @Test(arguments: Executor.allCases)
    func resticOverRcloneSFTPFullCycle(_ executor: Executor) throws {
        let ssh = try SSHService()
        defer { ssh.stop() }
        var w = try ResticWorkspace(s3: nil)
        defer { w.remove() }
        let index = try #require(w.workspace.plan.targets.firstIndex { $0.name == "offsite" })
        var restic = try #require(w.workspace.plan.targets[index].restic)
        restic.repository = "rclone:nas:" + w.root + "/sftp-repo"
        restic.envFile = try Self.writeEnvFile(ssh, in: w.root + "/secrets")
        w.workspace.plan.targets[index].kind = .restic(restic)
        try w.workspace.writePlan()
        var outputs: [String] = []
        func run() throws -> ExecutorRun {
            let result = try executor.run(w.plan, in: w.root, environment: w.environment())
            outputs += [result.stdout, result.stderr]
            return result
        }

        let first = try run()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("did not exist; created it (init: true)"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: w.root + "/sftp-repo/config"), "the repository is on the SSH server")
        _ = try RunHarness.sqlite(w.workspace.dataDir + "/webui.db", "CREATE TABLE bp_test(x TEXT); INSERT INTO bp_test VALUES ('two');")
        let second = try run()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("against parent"), "\(second.stderr)")
        #expect(second.stderr.contains("target offsite: verified (manifest)"), "\(second.stderr)")
        let ids = w.localIDs
        #expect(ids.count == 2)
        #expect(try w.resticIDs() == ids)

        let listed = w.backplan("snapshots", ["--target", "offsite"])
        outputs += [listed.stdout, listed.stderr]
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(ids.allSatisfy { listed.stdout.contains($0) }, "\(listed.stdout)")
        let list = try w.restoreScript(["list", "offsite"])
        outputs += [list.stdout, list.stderr]
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
            == ids.map { "daily \($0)" }, "\(list.stdout)\(list.stderr)")

        let verify = w.backplan("verify", ["--target", "offsite", "--deep"])
        outputs += [verify.stdout, verify.stderr]
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let verifySh = try w.restoreScript(["verify", "offsite"])
        outputs += [verifySh.stdout, verifySh.stderr]
        #expect(verifySh.status == 0, "\(verifySh.stdout)\(verifySh.stderr)")

        let byBackplan = w.root + "/restored-backplan", byScript = w.root + "/restored-script"
        let restore = w.backplan("restore", ["--target", "offsite", "--snapshot", ids[1], "--to", byBackplan])
        outputs += [restore.stdout, restore.stderr]
        #expect(restore.status == 0, "\(restore.stderr)")
        let restoreSh = try w.restoreScript(["restore", "offsite", "daily", ids[0], byScript])
        outputs += [restoreSh.stdout, restoreSh.stderr]
        #expect(restoreSh.status == 0, "\(restoreSh.stderr)")
        for (folder, id) in [(byBackplan, ids[1]), (byScript, ids[0])] {
            #expect(try SnapshotWorkspace.tree(folder) == SnapshotWorkspace.tree(w.workspace.jobDir + "/" + id + "/data"))
        }
        #expect(try Self.sqliteDump(byBackplan + "/webui.db") == Self.sqliteDump(w.workspace.dataDir + "/webui.db"))

        #expect(try w.leakedSecrets(in: outputs).isEmpty)
        try Self.expectNoKey(ssh, in: outputs, files: [w.argvLog, w.workspace.stateDir + "/runs.jsonl", w.workspace.planPath, w.root + "/plan.json",
                                                       w.root + "/daily.sh", w.root + "/restore.sh"])
    }
}
