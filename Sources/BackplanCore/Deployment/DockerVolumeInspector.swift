import Foundation

/// Asks a Docker engine (or podman serving the Docker API) where a named volume lives, through
/// `docker volume inspect --format '{{ .Mountpoint }}' NAME`.
public struct DockerVolumeInspector: Sendable {
    /// The environment the `docker` CLI runs with (PATH to find it, DOCKER_HOST to reach the engine).
    public var environment: [String: String]
    /// How long to wait for the CLI before giving up.
    public var timeout: TimeInterval

    public init(environment: [String: String], timeout: TimeInterval = 5) {
        self.environment = environment
        self.timeout = timeout
    }

    /// Whether an engine may answer: DOCKER_HOST is set, or the default socket exists (looked up
    /// through `fileSystem`, so under `--root` it is the root's `/var/run/docker.sock`).
    public func engineMayAnswer(fileSystem: HostFileSystem) -> Bool {
        if let host = environment["DOCKER_HOST"], !host.isEmpty { return true }
        return fileSystem.fileType("/var/run/docker.sock") != nil
    }

    /// The volume's mountpoint, or why it could not be had (a phrase for a note).
    public func mountpoint(of volume: String) -> Result<String, FileReadFailure> {
        guard let docker = ProcessRunner.executable("docker", environment: environment) else {
            return .failure(FileReadFailure(reason: "the docker CLI is not on PATH"))
        }
        let result = ProcessRunner.run(docker, ["volume", "inspect", "--format", "{{ .Mountpoint }}", volume],
                                       environment: environment, timeout: timeout)
        switch result {
        case .failure(let failure):
            return .failure(failure)
        case .success(let output):
            guard output.status == 0 else {
                let detail = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                return .failure(FileReadFailure(reason: "'docker volume inspect \(volume)' exited with \(output.status)"
                                                + (detail.isEmpty ? "" : ": \(detail)")))
            }
            let path = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard path.hasPrefix("/") else {
                return .failure(FileReadFailure(reason: "'docker volume inspect \(volume)' gave no absolute mountpoint"))
            }
            return .success(path)
        }
    }

}

/// Runs a short-lived program with a deadline, capturing its output.
enum ProcessRunner {
    /// The first `name` on `environment`'s PATH that is executable.
    static func executable(_ name: String, environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `outputLimit` caps what is kept of stdout: a program printing more is stopped and the run is a
    /// failure (an engine's answer is input from elsewhere: it must not fill the memory).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    timeout: TimeInterval, outputLimit: Int? = nil) -> Result<Output, FileReadFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            return .failure(FileReadFailure(reason: "\(executable) could not start: \(error.localizedDescription)"))
        }
        // Output is read concurrently so a chatty program cannot block on a full pipe.
        let outBox = DataBox()
        let errBox = DataBox()
        let readers = DispatchGroup()
        // Stdout past its limit stops the program (SIGKILL: a child may inherit SIGTERM blocked); stderr (it
        // only feeds a message) is kept up to 1 MiB and the rest drained.
        let pid = process.processIdentifier
        for (pipe, box, limit, stops) in [(stdout, outBox, outputLimit ?? Int.max, true), (stderr, errBox, 1 << 20, false)] {
            readers.enter()
            DispatchQueue.global().async {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    if !box.append(chunk, limit: limit), stops {
                        kill(pid, SIGKILL)
                        break
                    }
                }
                readers.leave()
            }
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 1)
            return .failure(FileReadFailure(reason: "\(HostPath.lastComponent(executable)) did not answer within \(Int(timeout)) s"))
        }
        _ = readers.wait(timeout: .now() + 1)
        if outBox.overflowed, let outputLimit {
            return .failure(FileReadFailure(reason: "'\(HostPath.lastComponent(executable)) \(arguments.first ?? "")' printed more than \(outputLimit) bytes"))
        }
        return .success(Output(status: process.terminationStatus,
                               stdout: String(decoding: outBox.get(), as: UTF8.self),
                               stderr: String(decoding: errBox.get(), as: UTF8.self)))
    }
}

/// A lock-protected buffer handed between the reader threads and the caller.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var over = false

    /// Appends a chunk; false (and nothing kept of it) when the total would exceed `limit`.
    func append(_ chunk: Data, limit: Int) -> Bool {
        lock.withLock {
            guard data.count + chunk.count <= limit else {
                over = true
                return false
            }
            data.append(chunk)
            return true
        }
    }

    var overflowed: Bool { lock.withLock { over } }
    func get() -> Data { lock.withLock { data } }
}
