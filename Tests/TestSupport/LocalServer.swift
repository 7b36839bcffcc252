import Foundation

/// What TestSupport's servers (S3Service, SSHService) share: a free loopback port, a child process
/// started with a clean signal mask and stopped by its pid, and the repository's tools.
public enum LocalServer {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The repository root (for `.venv/bin/...`).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed). Another
    /// process may take it before the server binds it: servers retry with a new port if they die at once.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure("cannot bind a free port on 127.0.0.1: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `start` on a free port, trying another port twice if it fails (the port was taken in between).
    static func onFreePort(_ start: (Int) throws -> pid_t) throws -> (port: Int, pid: pid_t) {
        var attempt = 0
        while true {
            let port = try freePort()
            do {
                return (port, try start(port))
            } catch where attempt < 2 {
                attempt += 1
            }
        }
    }

    /// The first executable among `candidates` (absolute paths) and then `name` on PATH.
    public static func tool(_ name: String, candidates: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let onPath = path.split(separator: ":").map { "\($0)/\(name)" }
        return (candidates + onPath).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes `lines` (each ended by LF) to `path`, readable by its owner only.
    static func writePrivate(_ lines: [String], to path: String) throws {
        try writePrivate(lines.map { $0 + "\n" }.joined(), to: path)
    }

    static func writePrivate(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// A new temp folder for one server.
    static func makeDirectory(_ prefix: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.path + "/backplan-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Whether the child `pid` has ended; reaps it if so.
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) != 0
    }

    /// Sends `signal` to the child `pid` and waits for it (a child is reaped by us, so no zombie stays).
    static func end(_ pid: pid_t, signal: Int32) {
        guard !hasExited(pid) else { return }
        Foundation.kill(pid, signal)
        _ = CleanProcess.wait(pid)
    }

    /// Polls `ready` every 0.1 s until it holds; throws with the log's text if `pid` dies or `seconds` pass.
    static func waitUntil(_ what: String, pid: pid_t, log: String, seconds: Double = 30, ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !ready() {
            let died = hasExited(pid)
            guard !died, Date() < deadline else {
                if !died { end(pid, signal: SIGKILL) }
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw Failure("\(what) \(died ? "exited" : "was not ready within \(Int(seconds)) s"):\n\(text)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
