import Foundation

/// A private sshd on 127.0.0.1 with its own host key, client key and authorized_keys (RECIPES.md),
/// for rsync, rclone sftp and restic sftp targets. Logins are as root with the client key; the
/// known_hosts file lets clients use StrictHostKeyChecking=yes. Started by the test, stopped by its pid.
public final class SSHService {
    /// The service's temp folder (keys, sshd_config, sshd.log); removed by `stop()`.
    public let directory: String
    public let port: Int
    public let host = "127.0.0.1"
    public let user = "root"
    /// The client's private key (ed25519, no passphrase).
    public var clientKey: String { directory + "/client_key" }
    /// A known_hosts file with this sshd's host key for `[127.0.0.1]:PORT`.
    public var knownHosts: String { directory + "/known_hosts" }
    /// `root@127.0.0.1`.
    public var destination: String { "\(user)@\(host)" }
    /// Options for `ssh` that reach this sshd with the client key and strict host key checking, and
    /// ignore the caller's ~/.ssh (config, keys, known hosts): `ssh <options> root@127.0.0.1 CMD`.
    public var sshOptions: [String] { Self.options(port: port, directory: directory) }
    /// `ssh <options>` as one shell word list, for `rsync -e` and restic's `-o sftp.command=`
    /// (paths here are temp paths without spaces).
    public var sshCommand: String { (["ssh"] + sshOptions).joined(separator: " ") }
    /// The value of restic's `-o sftp.command=...` for a repository `sftp:root@127.0.0.1:/PATH`.
    public var resticSFTPCommand: String { "\(sshCommand) \(destination) -s sftp" }
    /// The pid of sshd while it runs.
    public private(set) var pid: pid_t

    /// Starts sshd on a free port and waits until a real `ssh ... true` works. With
    /// `authorizeClientKey: false` the authorized_keys file holds another key only, so sshd refuses the
    /// client key (ssh exits 255); then it waits until sshd answers with that refusal.
    public init(authorizeClientKey: Bool = true) throws {
        guard let sshd = LocalServer.tool("sshd", candidates: ["/usr/sbin/sshd"]),
              LocalServer.tool("ssh") != nil, LocalServer.tool("ssh-keygen") != nil else {
            throw LocalServer.Failure("OpenSSH is not installed: `make deps` installs openssh-server and openssh-client")
        }
        let directory = try LocalServer.makeDirectory("sshd")
        self.directory = directory
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)  // sshd requires it
        for key in ["host_key", "client_key", "other_key"] {
            try Self.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", directory + "/" + key])
        }
        let authorized = try String(contentsOfFile: directory + (authorizeClientKey ? "/client_key.pub" : "/other_key.pub"), encoding: .utf8)
        try LocalServer.writePrivate(authorized, to: directory + "/authorized_keys")
        let hostKey = try String(contentsOfFile: directory + "/host_key.pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        (port, pid) = try LocalServer.onFreePort { port in
            try LocalServer.writePrivate("[127.0.0.1]:\(port) \(hostKey)\n", to: directory + "/known_hosts")
            try LocalServer.writePrivate("""
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(directory)/host_key
                PidFile \(directory)/sshd.pid
                AuthorizedKeysFile \(directory)/authorized_keys
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                UsePAM no
                StrictModes no
                Subsystem sftp internal-sftp

                """, to: directory + "/sshd_config")
            let log = directory + "/sshd.log"
            guard let pid = CleanProcess.spawn(sshd, ["-D", "-f", directory + "/sshd_config", "-E", log]) else {
                throw LocalServer.Failure("cannot start \(sshd)")
            }
            try LocalServer.waitUntil("sshd on port \(port)", pid: pid, log: log) {
                let result = Self.ssh(Self.options(port: port, directory: directory) + ["root@127.0.0.1", "true"])
                return authorizeClientKey ? result.status == 0
                    : result.status == 255 && result.stderr.contains("Permission denied")
            }
            return pid
        }
    }

    /// Runs `ssh <options> root@127.0.0.1 ARGS` and waits.
    public func ssh(_ arguments: [String]) -> CleanProcess.Result {
        Self.ssh(sshOptions + [destination] + arguments)
    }

    static func ssh(_ arguments: [String]) -> CleanProcess.Result {
        CleanProcess.run(LocalServer.tool("ssh") ?? "/usr/bin/ssh", arguments)
    }

    static func options(port: Int, directory: String) -> [String] {
        ["-F", "/dev/null", "-p", String(port), "-i", directory + "/client_key", "-o", "IdentitiesOnly=yes",
         "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(directory)/known_hosts",
         "-o", "LogLevel=ERROR"]
    }

    /// A service released without `stop()` (a test that threw) stops here.
    deinit { stop() }

    /// Stops sshd (SIGTERM to its pid, then waits) and removes the temp folder.
    public func stop() {
        LocalServer.end(pid, signal: SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let result = CleanProcess.run(LocalServer.tool(tool) ?? tool, arguments)
        guard result.status == 0 else { throw LocalServer.Failure("\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
    }
}
