@testable import BackplanCore
@testable import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The rsync target against a private sshd on 127.0.0.1, in both executors: back up twice (and a third
/// time for retention), list, verify, prune, restore, compare with the source; and across executors.
@Suite(.serialized) struct RsyncTargetTests {
    @Test func theJobScriptBacksUpListsVerifiesPrunesAndRestores() throws {
        let w = try RsyncWorkspace(retention: RetentionPolicy(keepLast: 2))
        defer { w.remove() }
        var ids: [String] = []
        for round in 0..<3 {
            if round == 1 {
                // What a killed upload and a killed removal leave (a partial even holding SNAPSHOT.json):
                // never listed, removed by the next upload.
                try RunHarness.bash("cp -a \(Shell.quote("\(w.nasJob)/\(ids[0])")) \(Shell.quote("\(w.nasJob)/.20300101T000000Z.partial"))"
                                    + " && mkdir \(Shell.quote("\(w.nasJob)/.20200101T000000Z.deleting"))")
                let listed = try w.restoreScript(["list", "nas"])
                #expect(!listed.stdout.contains("20300101T000000Z"), "\(listed.stdout)")
            }
            let run = try w.runScript()
            #expect(run.status == 0, "\(run.stderr)")
            ids.append(try #require(w.harness.snapshots(w.plan).last))
        }
        // The layout of a local target; retention kept two; nothing hidden is left.
        #expect(w.nasSnapshots == Array(ids.suffix(2)))
        #expect(w.nasEntries == Array(ids.suffix(2)))
        for id in ids.suffix(2) {
            for name in ["MANIFEST.sha256", "SNAPSHOT.json", "data/webui.db", "data/vector_db/chroma.sqlite3"] {
                #expect(FileManager.default.fileExists(atPath: "\(w.nasJob)/\(id)/\(name)"), "\(id)/\(name)")
            }
        }
        // Unchanged files are hard links between the remote snapshots (--link-dest).
        let older = try RsyncWorkspace.anUpload(in: "\(w.nasJob)/\(ids[1])")
        let newer = older.replacingOccurrences(of: ids[1], with: ids[2])
        #expect(RsyncWorkspace.inode(older) == RsyncWorkspace.inode(newer))
        let log = try #require(w.harness.runsLog().last)
        #expect(log["status"] as? String == "ok")

        // restore.sh: list, verify, restore.
        let list = try w.restoreScript(["list", "nas"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
            == ids.suffix(2).map { "daily \($0)" })
        #expect(!list.stdout.contains("?"), "\(list.stdout)")
        let verify = try w.restoreScript(["verify", "nas"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let dest = w.harness.root + "/restored by script"
        let restore = try w.restoreScript(["restore", "nas", "latest", dest])
        #expect(restore.status == 0, "\(restore.stderr)")
        try w.expectRestored(dest)

        // backplan: snapshots, verify --deep, restore of the older one, prune.
        let snapshots = try w.backplan("snapshots", ["--target", "nas"])
        #expect(snapshots.status == 0, "\(snapshots.stderr)")
        #expect(ids.suffix(2).allSatisfy { snapshots.stdout.contains($0) }, "\(snapshots.stdout)")
        let deep = try w.backplan("verify", ["--target", "nas", "--deep"])
        #expect(deep.status == 0, "\(deep.stdout)\(deep.stderr)")
        let dest2 = w.harness.root + "/restored by backplan"
        let restored = try w.backplan("restore", ["--target", "nas", "--snapshot", ids[1], "--to", dest2])
        #expect(restored.status == 0, "\(restored.stderr)")
        try w.expectRestored(dest2)
    }

    @Test func backplanRunUploadsWhatRestoreShRestores() throws {
        let w = try RsyncWorkspace(retention: RetentionPolicy(keepLast: 2), verify: .deep)
        defer { w.remove() }
        var ids: [String] = []
        for _ in 0..<3 {
            let run = try w.runRuntime()
            #expect(run.status == 0, "\(run.log.joined(separator: "\n"))")
            ids.append(try #require(w.harness.snapshots(w.plan).last))
        }
        #expect(w.nasEntries == Array(ids.suffix(2)))
        let older = try RsyncWorkspace.anUpload(in: "\(w.nasJob)/\(ids[1])")
        #expect(RsyncWorkspace.inode(older) == RsyncWorkspace.inode(older.replacingOccurrences(of: ids[1], with: ids[2])))
        let record = try JSONDecoder().decode(SnapshotRecord.self, from: Data(contentsOf: URL(fileURLWithPath: "\(w.nasJob)/\(ids[2])/SNAPSHOT.json")))
        #expect(record.executor == "runtime")

        // What backplan run uploaded, restore.sh lists and restores.
        let list = try w.restoreScript(["list", "nas", "daily"])
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stdout)\(list.stderr)")
        let dest = w.harness.root + "/restored"
        let restore = try w.restoreScript(["restore", "nas", "daily", ids[1], dest])
        #expect(restore.status == 0, "\(restore.stderr)")
        try w.expectRestored(dest)
    }

    /// `backplan prune` removes whole snapshots from the NAS; the script's and the runtime's snapshots mix.
    @Test func pruneRemovesWholeSnapshotsMadeByEitherExecutor() throws {
        var w = try RsyncWorkspace()
        defer { w.remove() }
        #expect(try w.runScript().status == 0)
        #expect(try w.runRuntime().status == 0)
        #expect(try w.runScript().status == 0)
        let ids = w.nasSnapshots
        #expect(ids.count == 3)
        w.plan.jobs[0].retention = RetentionPolicy(keepLast: 1)
        // --dry-run of both executors says what retention would remove on the NAS, and removes nothing.
        let scriptDry = try w.harness.runScript(try w.harness.writeScript(w.plan), ["--dry-run"])
        let binary = try #require(RunHarness.binary)
        let runtimeDry = RunHarness.run(binary, ["run", try w.writeGenerated().plan, "daily", "--dry-run"])
        for dry in [scriptDry, runtimeDry] {
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stderr.contains("would upload to target nas: root@127.0.0.1:\(w.nasRoot)/openwebui/daily/ID"), "\(dry.stderr)")
            #expect(dry.stderr.contains("retention would remove snapshot \(ids[0]) from target nas"), "\(dry.stderr)")
        }
        #expect(w.nasSnapshots == ids)
        let dry = try w.backplan("prune", ["--target", "nas", "--dry-run"])
        #expect(dry.status == 0 && w.nasSnapshots == ids, "\(dry.stdout)\(dry.stderr)")
        let prune = try w.backplan("prune", ["--target", "nas"])
        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(w.nasEntries == [ids[2]])
        #expect(w.harness.snapshots(w.plan).count == 3, "the local target is untouched")
    }

    /// A snapshot damaged on the NAS fails `backplan verify` and `restore.sh verify`.
    @Test func aDamagedRemoteSnapshotFailsVerification() throws {
        let w = try RsyncWorkspace()
        defer { w.remove() }
        #expect(try w.runScript().status == 0)
        let id = try #require(w.nasSnapshots.last)
        try RunHarness.bash("printf 'X' | dd of=\(Shell.quote("\(w.nasJob)/\(id)/data/webui.db")) bs=1 seek=5000 conv=notrunc 2>/dev/null")
        let verify = try w.backplan("verify", ["--target", "nas"])
        #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
        let script = try w.restoreScript(["verify", "nas"])
        #expect(script.status != 0, "\(script.stdout)\(script.stderr)")
    }

    /// The script's ssh words and rsync -e value are the runtime's (RsyncRemote), also for hostile paths.
    @Test func theScriptAndTheRuntimeSayTheSameToSsh() throws {
        let dir = try TemporaryFolder()
        let key = #"/etc/bp keys/it's "%h" \x"#
        let known = "/etc/known hosts%"
        let script = """
            set -Eeuo pipefail
            readonly -a TARGET_ENV_FILES=('')
            readonly -a RSYNC_HOSTS=(nas.lan) RSYNC_USERS=(backup) RSYNC_PORTS=(2222)
            readonly -a RSYNC_KEYS=(\(Shell.quote(key))) RSYNC_KNOWN_HOSTS=(\(Shell.quote(known)))
            \(RemoteTargetBash.envFile)
            \(RemoteTargetBash.rsyncCommon([]))
            bp_rsync_ssh 0
            printf '%s\\n' "${BP_RSYNC_SSH[@]}" "$BP_RSYNC_DEST"
            printf '%s\\n' "$(bp_rsync_rsh)"
            printf '%s\\n' "$(bp_rsync_quote "a'b c")"
            """
        try script.write(toFile: dir.path + "/t.sh", atomically: true, encoding: .utf8)
        let run = CleanProcess.run("/bin/bash", [dir.path + "/t.sh"], scratch: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let ssh = ["ssh"] + RsyncRemote.sshOptions(port: 2222, sshKey: key, knownHosts: known)
        let expected = ssh + ["backup@nas.lan", RsyncRemote.rsh(ssh), Shell.quote("a'b c")]
        #expect(run.stdout.split(separator: "\n").map(String.init) == expected)
    }
}
