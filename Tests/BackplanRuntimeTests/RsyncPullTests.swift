@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `direction: pull`: the server's run leaves the target alone and the NAS runs `pull-<target>.sh`. Here the
/// "server" is the private sshd on 127.0.0.1 with the job's local target, and the "NAS" another temp folder.
@Suite(.serialized) struct RsyncPullTests {
    struct Pull {
        let harness: RunHarness
        let sshd: SSHService
        var plan: CompiledPlan
        let nas: String

        init(sshd: SSHService? = nil) throws {
            harness = try RunHarness()
            try harness.copyFixture()
            self.sshd = try sshd ?? SSHService()
            nas = harness.root + "/nas volume"
            try FileManager.default.createDirectory(atPath: nas, withIntermediateDirectories: true)
            let target = CompiledTarget(name: "nas", kind: .rsync(CompiledRsyncTarget(
                host: self.sshd.host, user: self.sshd.user, port: self.sshd.port, path: nas,
                sshKey: self.sshd.clientKey, knownHosts: self.sshd.knownHosts, direction: .pull)))
            plan = harness.plan(retention: RetentionPolicy(keepLast: 2), verify: .manifest,
                                targets: [RunHarness.localTarget("local", harness.backups), target])
        }

        func remove() {
            sshd.stop()
            harness.remove()
        }

        var nasJob: String { "\(nas)/\(plan.name)/\(plan.jobs[0].name)" }
        var nasEntries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: nasJob)) ?? []).sorted() }
        var pullRuns: [[String: Any]] {
            let text = (try? String(contentsOfFile: "\(nas)/\(plan.name)/.pull-nas/runs.jsonl", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        /// Writes every generated file of the plan under `<root>/generated/<plan>/`.
        func generate() throws -> String {
            try JobScriptHarness.writeGenerated(plan, into: harness.root + "/generated/\(plan.name)")
        }

        func pull(_ arguments: [String] = []) throws -> RunHarness.Result {
            RunHarness.run("/bin/bash", [try generate() + "/pull-nas.sh"] + arguments, scratch: harness.root)
        }
    }

    @Test func theNASPullsTheNewestSnapshotWithTheSameGuarantees() throws {
        let p = try Pull()
        defer { p.remove() }
        // The server's run does not publish to the pulled target, and counts it done.
        let run = try p.harness.runScript(try p.harness.writeScript(p.plan))
        #expect(run.status == 0 && run.stderr.contains("pulled by the NAS"), "\(run.stderr)")
        #expect(p.nasEntries.isEmpty)

        var pulled: [String] = []
        for round in 0..<3 {
            if round > 0 {
                // A new server snapshot each round (backplan run and the script alike).
                if round == 1 { #expect(try p.harness.runtime(p.plan).status == 0) } else {
                    #expect(try p.harness.runScript(try p.harness.writeScript(p.plan)).status == 0)
                }
            }
            let result = try p.pull()
            #expect(result.status == 0, "\(result.stderr)")
            pulled.append(try #require(p.harness.snapshots(p.plan).last))
        }
        // The NAS keeps the job's retention (keep_last 2) of what it pulled; no partial is left.
        #expect(p.nasEntries == Array(pulled.suffix(2)))
        let older = try RsyncWorkspace.anUpload(in: "\(p.nasJob)/\(pulled[1])")
        #expect(RsyncWorkspace.inode(older) == RsyncWorkspace.inode(older.replacingOccurrences(of: pulled[1], with: pulled[2])),
                "unchanged files are hard links between the NAS's snapshots")
        #expect(p.harness.manifestChecks("\(p.nasJob)/\(pulled[2])"))

        // Up to date: nothing to pull.
        let again = try p.pull()
        #expect(again.status == 0 && again.stderr.contains("here already"), "\(again.stderr)")
        #expect(p.pullRuns.count == 4 && p.pullRuns.allSatisfy { $0["status"] as? String == "ok" })

        // On the server, backplan lists the local target and leaves the pulled one to the NAS.
        let binary = try #require(RunHarness.binary)
        let planJSON = try p.generate() + "/plan.json"
        let all = RunHarness.run(binary, ["snapshots", planJSON])
        #expect(all.status == 0 && pulled.suffix(2).allSatisfy { all.stdout.contains($0) }, "\(all.stdout)\(all.stderr)")
        let refused = RunHarness.run(binary, ["snapshots", planJSON, "--target", "nas"])
        #expect(refused.status != 0 && refused.stderr.contains("pulled by the NAS"), "\(refused.stderr)")

        // The NAS folder is a normal snapshot folder: restore.sh's local logic restores from it.
        var local = p.plan
        local.targets = [RunHarness.localTarget("nas", p.nas)]
        let restore = p.harness.root + "/restore.sh"
        try LibraryEmitter.install(RestoreScriptEmitter.render(local), plan: local, at: restore)
        let dest = p.harness.root + "/restored"
        let restored = RunHarness.run("/bin/bash", [restore, "restore", "nas", "latest", dest])
        #expect(restored.status == 0, "\(restored.stderr)")
        let w = RsyncWorkspace.Comparison(dataDir: p.harness.dataDir)
        try w.expectRestored(dest)
    }

    @Test func aRefusedKeyFailsThePullAndLeavesNothing() throws {
        let p = try Pull(sshd: try SSHService(authorizeClientKey: false))
        defer { p.remove() }
        #expect(try p.harness.runScript(try p.harness.writeScript(p.plan)).status == 0)
        let result = try p.pull()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("refused the key"), "\(result.stderr)")
        #expect(p.nasEntries.isEmpty)
        let record = try #require(p.pullRuns.last)
        #expect(record["status"] as? String == "failed" && record["exit"] as? Int == 1)
        let jobs = try #require(record["jobs"] as? [[String: Any]])
        let error = jobs.first?["error"] as? String
        #expect(error?.contains("Permission denied") == true, "\(jobs)")
    }

    /// The pull script, its cron file and units pass shellcheck, crontab -n and systemd-analyze verify.
    @Test func theNASFilesPassTheLinters() throws {
        let p = try Pull()
        defer { p.remove() }
        let dir = try p.generate()
        let lint = RunHarness.run("/usr/bin/shellcheck", ["-s", "bash", "-f", "gcc", dir + "/pull-nas.sh"])
        #expect(lint.status == 0, "\(lint.stdout)")
        // systemd-analyze needs ExecStart= to exist: point the install folder at the generated one.
        let units = dir + "/pull-nas/systemd"
        var paths: [String] = []
        for unit in try FileManager.default.contentsOfDirectory(atPath: units).sorted() {
            let text = try String(contentsOfFile: "\(units)/\(unit)", encoding: .utf8)
                .replacingOccurrences(of: p.plan.install.scriptDir, with: dir)
            try text.write(toFile: "\(p.harness.root)/\(unit)", atomically: true, encoding: .utf8)
            paths.append("\(p.harness.root)/\(unit)")
        }
        #expect(paths.count == 2)
        let verify = RunHarness.run("/usr/bin/systemd-analyze", ["verify"] + paths)
        #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stderr)")
        let cron = try String(contentsOfFile: dir + "/pull-nas/cron.d/backplan-openwebui-pull-nas", encoding: .utf8)
        let user = cron.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("#") || $0.contains("=") ? String($0) : String($0).replacingOccurrences(of: " root ", with: " ")
        }.joined(separator: "\n")
        try user.write(toFile: p.harness.root + "/crontab", atomically: true, encoding: .utf8)
        let crontab = RunHarness.run("/usr/bin/crontab", ["-n", p.harness.root + "/crontab"])
        #expect(crontab.status == 0, "\(crontab.stdout)\(crontab.stderr)")
        #expect(cron.contains("15 3 * * * root /usr/local/lib/backplan/openwebui/pull-nas.sh --delay 3600 2>&1"))
    }
}
