@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The rsync target's faults for both executors (as processes): an sshd that refuses the key, a full
/// remote disk, and a damaged upload caught by the in-run verification; and the private key's content,
/// which must never appear anywhere.
@Suite(.serialized) struct RsyncFaultTests {
    /// The key is refused: exit 3, runs.jsonl names the target and why, the local snapshot is published.
    @Test(arguments: Executor.allCases)
    func aRefusedKeyFailsTheTargetOnly(_ executor: Executor) throws {
        let w = try RsyncWorkspace(sshd: try SSHService(authorizeClientKey: false))
        defer { w.remove() }
        let run = try executor.run(w.harness, w.plan)
        #expect(run.status == 3, "\(run.stderr)")
        let local = try #require(w.harness.snapshots(w.plan).last)
        #expect(w.harness.manifestChecks("\(w.localJob)/\(local)"))
        let record = try #require(w.harness.runsLog().last)
        #expect(record["status"] as? String == "partial")
        let targets = try #require(record["targets"] as? [[String: Any]])
        let nas = try #require(targets.first { $0["name"] as? String == "nas" })
        let error = try #require(nas["error"] as? String)
        #expect(nas["status"] as? String == "failed")
        #expect(error.contains("Permission denied") && error.contains("refused the key"), "\(error)")
        #expect(run.stderr.contains("refused the key"), "\(run.stderr)")
        #expect(w.nasEntries.isEmpty)
    }

    /// A host key that is not the NAS's (another key for [127.0.0.1]:PORT in known_hosts) is never accepted:
    /// exit 3 and a message saying what to check; nothing reaches the NAS.
    @Test(arguments: Executor.allCases)
    func anUnknownHostKeyIsRefused(_ executor: Executor) throws {
        var w = try RsyncWorkspace()
        defer { w.remove() }
        let wrong = w.harness.root + "/known_hosts"
        let other = try String(contentsOfFile: w.sshd.directory + "/other_key.pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(w.sshd.port) \(other)\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        w.plan.targets = w.plan.targets.map { var t = $0; if case .rsync(var rsync) = t.kind { rsync.knownHosts = wrong; t.kind = .rsync(rsync) }; return t }
        let run = try executor.run(w.harness, w.plan)
        #expect(run.status == 3, "\(run.stderr)")
        let nas = try #require((w.harness.runsLog().last?["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "nas" })
        let error = nas["error"] as? String ?? ""
        #expect(error.contains("Host key verification failed") && error.contains("check its fingerprint"), "\(error)")
        #expect(w.nasEntries.isEmpty)
    }

    /// The NAS's disk fills up during the second upload: the target fails with a clear message, nothing
    /// partial is left or listed, the first remote snapshot is intact; the local snapshot is published.
    @Test(arguments: Executor.allCases)
    func aFullRemoteDiskLeavesEarlierSnapshotsIntact(_ executor: Executor) throws {
        let harnessRoot = FileManager.default.temporaryDirectory.path + "/backplan-rsync-full-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: harnessRoot, withIntermediateDirectories: true)
        let mount = harnessRoot + "/nas"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = RunHarness.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", mount])
        try #require(mounted.status == 0, "cannot mount a tmpfs (the fault tests need root): \(mounted.stderr)")
        defer {
            _ = RunHarness.run("/bin/umount", ["-l", mount])
            try? FileManager.default.removeItem(atPath: harnessRoot)
        }
        let w = try RsyncWorkspace(remotePath: mount)
        defer { w.remove() }
        #expect(try executor.run(w.harness, w.plan).status == 0)
        let first = try #require(w.nasSnapshots.first)
        // 3 MiB of new, incompressible upload: more than the tmpfs has left.
        try RunHarness.bash("head -c 3145728 /dev/urandom > \(Shell.quote(w.harness.dataDir + "/uploads/big.bin"))")
        let run = try executor.run(w.harness, w.plan)
        #expect(run.status == 3, "\(run.stderr)")
        let nas = try #require((w.harness.runsLog().last?["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "nas" })
        let error = nas["error"] as? String ?? ""
        #expect(FaultSpaceTests.isSpaceError(error), "\(error)")
        #expect(w.nasEntries == [first], "nothing partial is left on the NAS")
        #expect(w.harness.manifestChecks("\(w.nasJob)/\(first)"))
        #expect(w.harness.snapshots(w.plan).count == 2, "the local target has both snapshots")
        // Room again: the next run uploads.
        try FileManager.default.removeItem(atPath: w.harness.dataDir + "/uploads/big.bin")
        #expect(try executor.run(w.harness, w.plan).status == 0)
        #expect(w.nasSnapshots.count == 2)
    }

    /// The private key's content appears in no output, log, generated file or command line (ssh and rsync are
    /// wrapped by recorders of their argv).
    @Test(arguments: Executor.allCases)
    func thePrivateKeyNeverAppears(_ executor: Executor) throws {
        let w = try RsyncWorkspace()
        defer { w.remove() }
        let key = try String(contentsOfFile: w.sshd.clientKey, encoding: .utf8)
        let secret = try #require(key.split(separator: "\n").dropFirst().first.map(String.init))  // a line of the key's body
        // ssh and rsync wrapped in PATH by recorders of their command lines.
        let bin = w.harness.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["ssh", "rsync"] {
            let wrapper = "#!/bin/bash\nprintf '%s\\n' \"$0 $*\" >> \(Shell.quote(w.harness.root + "/argv.log"))\nexec /usr/bin/\(tool) \"$@\"\n"
            try TestExecutable.install(wrapper, at: "\(bin)/\(tool)")
        }
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let run = try executor.run(w.harness, w.plan, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let argv = try String(contentsOfFile: w.harness.root + "/argv.log", encoding: .utf8)
        #expect(argv.contains(w.sshd.clientKey), "the key's path is passed, not its content")
        let generated = try w.writeGenerated()
        let texts = [run.stdout, run.stderr, argv, try String(contentsOfFile: w.harness.stateDir + "/runs.jsonl", encoding: .utf8),
                     try String(contentsOfFile: generated.plan, encoding: .utf8), try String(contentsOfFile: generated.restore, encoding: .utf8),
                     JobScriptEmitter.render(w.plan, job: w.plan.jobs[0])]
        for text in texts { #expect(!text.contains(secret) && !text.contains("PRIVATE KEY")) }
    }

    /// An upload damaged on the NAS after rsync wrote it (a wrapper flips a byte of the new webui.db) fails
    /// the in-run verification (manifest and deep): the snapshot is withdrawn from the NAS, exit 3.
    @Test(arguments: Executor.allCases, [VerifyLevel.manifest, .deep])
    func aDamagedUploadIsWithdrawn(_ executor: Executor, _ verify: VerifyLevel) throws {
        let w = try RsyncWorkspace(verify: verify)
        defer { w.remove() }
        let bin = w.harness.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let wrapper = #"""
            #!/bin/bash
            /usr/bin/rsync "$@" || exit
            dest=${!#}
            if [[ $dest == *.partial/ ]]; then
              printf 'X' | dd of="${dest#*:}data/webui.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
            fi
            """#
        try TestExecutable.install(wrapper, at: bin + "/rsync")
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let run = try executor.run(w.harness, w.plan, environment: env)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(w.nasEntries.isEmpty, "the damaged snapshot is withdrawn")
        let nas = try #require((w.harness.runsLog().last?["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "nas" })
        #expect((nas["error"] as? String ?? "").contains("withdrawn"), "\(nas)")
        #expect(w.harness.snapshots(w.plan).count == 1)
    }
}
