import Foundation
import TestSupport
import Testing

/// TestSupport's off-site targets work with the real clients: rclone and restic against S3Service
/// (moto_server), rsync over SSHService (a private sshd) with strict host key checking.
@Suite struct RemoteServicesTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.path + "/backplan-remote-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/data/sub", withIntermediateDirectories: true)
        try "one\n".write(toFile: folder + "/data/a.txt", atomically: true, encoding: .utf8)
        try "two\n".write(toFile: folder + "/data/sub/b.txt", atomically: true, encoding: .utf8)
    }

    /// A clean environment (no AWS_CA_BUNDLE from the caller) plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        let base = ProcessInfo.processInfo.environment
        return ["PATH": base["PATH"] ?? "/usr/bin:/bin", "HOME": folder].merging(extra) { $1 }
    }

    func run(_ tool: String, _ arguments: [String], _ environment: [String: String]) -> CleanProcess.Result {
        CleanProcess.run("/usr/bin/" + tool, arguments, scratch: folder, environment: environment)
    }

    static func started<Service>(_ name: String, _ start: () throws -> Service) throws -> Service {
        let clock = ContinuousClock()
        var service: Service?
        let elapsed = try clock.measure { service = try start() }
        print("\(name) ready in \(elapsed.formatted(.units(allowed: [.milliseconds])))")
        return service!
    }

    @Test func rcloneCopiesToS3WithTheEnvFileAndTheConfigFile() throws {
        let s3 = try Self.started("S3Service") { try S3Service() }
        defer { s3.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let byEnv = environment(try S3Service.readEnvFile(s3.writeRcloneEnvFile(remote: "offsite", in: folder))
                                    .merging(["RCLONE_CONFIG": "/dev/null"]) { $1 })
        let copy = run("rclone", ["copy", folder + "/data", "offsite:bucket-one/plan"], byEnv)
        #expect(copy.status == 0, "\(copy.stderr)")
        let listed = run("rclone", ["lsf", "-R", "--files-only", "offsite:bucket-one/plan"], byEnv)
        #expect(listed.stdout == "a.txt\nsub/b.txt\n", "\(listed.stderr)")

        let byConfig = environment(["RCLONE_CONFIG": try s3.writeRcloneConfig(remote: "offsite", in: folder)])
        #expect(run("rclone", ["cat", "offsite:bucket-one/plan/sub/b.txt"], byConfig).stdout == "two\n")

        // The trap backplan must avoid (see S3Service): rclone 1.60 fails with AWS_CA_BUNDLE set.
        let trapped = run("rclone", ["lsf", "--retries", "1", "offsite:bucket-one/plan"], byEnv.merging(S3Service.caBundleTrap) { $1 })
        #expect(trapped.status != 0 && trapped.stderr.contains("LoadCustomCABundleError"), "\(trapped.stderr)")

        try s3.reset()
        #expect(run("rclone", ["lsf", "-R", "offsite:bucket-one"], byEnv).stdout == "")
    }

    @Test func resticBacksUpToS3AndTheServiceRestartsOnItsPortAfterAKill() throws {
        let s3 = try S3Service()
        defer { s3.stop(); try? FileManager.default.removeItem(atPath: folder) }
        try "restic-test-password\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        let env = environment(try S3Service.readEnvFile(s3.writeResticEnvFile(in: folder)).merging(
            ["RESTIC_REPOSITORY": s3.resticRepository(bucket: "restic-repo"), "RESTIC_PASSWORD_FILE": folder + "/password",
             "RESTIC_CACHE_DIR": folder + "/cache"]) { $1 })
        let initialized = run("restic", ["init"], env)
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let backup = CleanProcess.run("/bin/sh", ["-c", "cd \(folder) && exec restic backup --quiet data"], scratch: folder, environment: env)
        #expect(backup.status == 0, "\(backup.stderr)")
        let snapshots = run("restic", ["snapshots", "--json"], env)
        #expect(snapshots.status == 0, "\(snapshots.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(snapshots.stdout.utf8)) as? [[String: Any]]
        #expect(list?.count == 1 && (list?.first?["paths"] as? [String])?.first?.hasSuffix("data") == true, "\(snapshots.stdout)")

        let endpoint = s3.endpoint
        s3.kill()
        #expect(CleanProcess.run("/usr/bin/curl", ["-sf", "--max-time", "2", endpoint + "/moto-api/"]).status != 0)
        try Self.started("S3Service restart") { try s3.restart() }
        #expect(s3.endpoint == endpoint)
        let afterRestart = run("restic", ["cat", "config"], env)
        #expect(afterRestart.status != 0, "moto keeps nothing across a restart")
    }

    @Test func rsyncAndResticSFTPOverTheSSHServiceWithStrictHostKeys() throws {
        let sshd = try Self.started("SSHService") { try SSHService() }
        defer { sshd.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let copy = run("rsync", ["-a", "-e", sshd.sshCommand, folder + "/data/", "\(sshd.destination):\(folder)/copy/"], environment())
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(try String(contentsOfFile: folder + "/copy/sub/b.txt", encoding: .utf8) == "two\n")
        let known = try String(contentsOfFile: sshd.knownHosts, encoding: .utf8)
        #expect(known.hasPrefix("[127.0.0.1]:\(sshd.port) ssh-ed25519 "))
        try "pw\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        let restic = run("restic", ["-o", "sftp.command=\(sshd.resticSFTPCommand)", "-r", "sftp:\(sshd.destination):\(folder)/repo",
                                    "--password-file", folder + "/password", "init"], environment(["RESTIC_CACHE_DIR": folder + "/cache"]))
        #expect(restic.status == 0 && FileManager.default.fileExists(atPath: folder + "/repo/config"), "\(restic.stderr)")
        // The check is strict: another host key for this address is refused.
        let other = try String(contentsOfFile: sshd.clientKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(sshd.port) \(other)\n".write(toFile: sshd.knownHosts, atomically: true, encoding: .utf8)
        let spoofed = sshd.ssh(["true"])
        #expect(spoofed.status == 255 && spoofed.stderr.contains("Host key verification failed"), "\(spoofed.stderr)")
    }

    @Test func sshdRefusesAKeyThatIsNotAuthorized() throws {
        let sshd = try Self.started("SSHService (refusing)") { try SSHService(authorizeClientKey: false) }
        defer { sshd.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let login = sshd.ssh(["true"])
        #expect(login.status == 255 && login.stderr.contains("Permission denied"), "\(login.stderr)")
        let copy = run("rsync", ["-a", "-e", sshd.sshCommand, folder + "/data/", "\(sshd.destination):\(folder)/copy/"], environment())
        // rsync's own exit races with ssh's: 255 (remote shell failed) or 12 (protocol stream ended).
        #expect([12, 255].contains(copy.status) && copy.stderr.contains("Permission denied"), "\(copy.stderr)")
    }
}
