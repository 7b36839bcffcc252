import Foundation

/// An S3 API on 127.0.0.1: `moto_server` on a free port (RECIPES.md), memory only, started by the test
/// and stopped by its pid. Credentials are fixed test secrets: tests grep outputs, logs and `ps` for them.
///
/// The AWS_CA_BUNDLE trap: with AWS_CA_BUNDLE set (this image exports it), rclone 1.60's S3 backend,
/// and so restic's `rclone:` backend, fails with `LoadCustomCABundleError`. Decision: backplan's own
/// rclone invocations (generated scripts and `backplan run`) run rclone without AWS_CA_BUNDLE in their
/// environment; a user's env file is not trusted to clear it. So the env files written here leave it
/// alone, and tests of backplan's rclone path set `S3Service.caBundleTrap` in backplan's environment to
/// prove that backplan drops it. restic's own `s3:` backend is not affected.
public final class S3Service {
    public static let accessKeyID = "BACKPLANTESTKEYID7Q2X"
    public static let secretAccessKey = "backplan-test-secret-Zq8Vw3JkP0"
    /// The variable (with this image's value) that breaks rclone 1.60's S3 backend; see the type's comment.
    public static let caBundleTrap = ["AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"]

    /// The service's temp folder (moto.log); removed by `stop()`.
    public let directory: String
    public let port: Int
    /// `http://127.0.0.1:PORT`, the S3 endpoint.
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The pid of moto_server while it runs.
    public private(set) var pid: pid_t
    let executable: String

    /// Starts moto_server (the project's `.venv/bin/moto_server`, else the one on PATH) on a free port and
    /// waits until it answers HTTP.
    public init() throws {
        guard let executable = LocalServer.tool("moto_server", candidates: [LocalServer.repository + "/.venv/bin/moto_server"]) else {
            throw LocalServer.Failure("moto_server is not installed: `make deps` installs moto[server] into .venv")
        }
        self.executable = executable
        let directory = try LocalServer.makeDirectory("s3")
        self.directory = directory
        (port, pid) = try LocalServer.onFreePort { port in
            try Self.start(executable, port: port, log: directory + "/moto.log")
        }
    }

    static func start(_ executable: String, port: Int, log: String) throws -> pid_t {
        // Not the caller's environment: only what moto_server needs to run.
        let base = ProcessInfo.processInfo.environment
        let environment = ["PATH": base["PATH"] ?? "/usr/bin:/bin", "HOME": base["HOME"] ?? "/root", "LANG": "C.UTF-8"]
        guard let pid = CleanProcess.spawn(executable, ["-H", "127.0.0.1", "-p", String(port)], stdout: log, stderr: log,
                                           environment: environment) else {
            throw LocalServer.Failure("cannot start \(executable)")
        }
        let url = "http://127.0.0.1:\(port)/moto-api/"
        try LocalServer.waitUntil("moto_server on port \(port)", pid: pid, log: log) {
            curl(["-o", "/dev/null", url]).status == 0
        }
        return pid
    }

    /// Deletes every bucket and object (`POST /moto-api/reset`).
    public func reset() throws {
        let result = Self.curl(["-X", "POST", "-o", "/dev/null", endpoint + "/moto-api/reset"])
        guard result.status == 0 else { throw LocalServer.Failure("moto reset failed: \(result.stderr)") }
    }

    /// A service released without `stop()` (a test that threw) stops here.
    deinit { stop() }

    /// Stops moto_server (SIGTERM to its pid, then waits) and removes the temp folder.
    public func stop() {
        LocalServer.end(pid, signal: SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Kills moto_server with SIGKILL (a fault: the target vanishes) and waits for it; the folder stays
    /// so that `restart()` can bring it back. All data is lost.
    public func kill() {
        LocalServer.end(pid, signal: SIGKILL)
    }

    /// Starts moto_server again on the same port and endpoint, empty (after `kill()`; a running one is
    /// killed first; not after `stop()`, which removes the folder).
    public func restart() throws {
        LocalServer.end(pid, signal: SIGKILL)
        pid = try Self.start(executable, port: port, log: directory + "/moto.log")
    }

    /// The rclone settings of an S3 remote on this service (a config-file section's keys, in order).
    func rcloneSettings() -> [(String, String)] {
        [("type", "s3"), ("provider", "Other"), ("endpoint", endpoint), ("access_key_id", Self.accessKeyID),
         ("secret_access_key", Self.secretAccessKey), ("no_head", "true")]
    }

    /// Writes `folder/rclone.conf` with a `[remote]` section for this service; returns its path.
    @discardableResult
    public func writeRcloneConfig(remote: String, in folder: String) throws -> String {
        let path = folder + "/rclone.conf"
        let lines = ["[\(remote)]"] + rcloneSettings().map { "\($0.0) = \($0.1)" }
        try LocalServer.writePrivate(lines, to: path)
        return path
    }

    /// Writes `folder/rclone.env`: `RCLONE_CONFIG_<REMOTE>_<KEY>=VALUE` lines (rclone without a config
    /// file; use with `RCLONE_CONFIG=/dev/null`); returns its path.
    @discardableResult
    public func writeRcloneEnvFile(remote: String, in folder: String) throws -> String {
        let path = folder + "/rclone.env"
        let prefix = "RCLONE_CONFIG_\(remote.uppercased())_"
        try LocalServer.writePrivate(rcloneSettings().map { "\(prefix)\($0.0.uppercased())=\($0.1)" }, to: path)
        return path
    }

    /// Writes `folder/restic.env` with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for restic's `s3:`
    /// backend; returns its path. The repository is `resticRepository(bucket:)`.
    @discardableResult
    public func writeResticEnvFile(in folder: String) throws -> String {
        let path = folder + "/restic.env"
        try LocalServer.writePrivate(["AWS_ACCESS_KEY_ID=\(Self.accessKeyID)", "AWS_SECRET_ACCESS_KEY=\(Self.secretAccessKey)"], to: path)
        return path
    }

    /// `s3:http://127.0.0.1:PORT/BUCKET`, a restic repository here (`restic init` creates the bucket).
    public func resticRepository(bucket: String) -> String { "s3:\(endpoint)/\(bucket)" }

    /// Reads a KEY=VALUE env file (as written here) into a dictionary.
    public static func readEnvFile(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Dictionary(text.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }, uniquingKeysWith: { $1 })
    }

    static func curl(_ arguments: [String]) -> CleanProcess.Result {
        CleanProcess.run("/usr/bin/curl", ["-sS", "-f", "--max-time", "5"] + arguments)
    }
}
