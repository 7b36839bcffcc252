import BackplanCore
import Foundation

/// Runs a remote target's tool (rclone, restic, ssh, rsync) the way both executors must: the arguments
/// hold no secret (credentials come from files the plan names), the environment is this process's plus
/// the target's `env_file`, stdin is /dev/null (or a file), and stdout and stderr are captured so that
/// what the tool prints is redacted, never logged as is: every env-file value `EnvFile.isSecret` calls a
/// secret (all but booleans, numbers and plain settings such as a host or a type) becomes `[redacted]`.
public struct RemoteTool: Sendable {
    /// The variables added to this process's environment.
    public var environment: [String: String]
    /// The values never shown.
    public var secrets: [String]

    /// Reads `envFile` (KEY=value lines, as compose's env files; see `EnvFile`); `extra` is set on top.
    public init(envFile: String?, extra: [String: String] = [:]) throws(RunError) {
        var variables: [String: String] = [:]
        if let envFile {
            guard let text = try? String(contentsOfFile: envFile, encoding: .utf8) else {
                throw RunError("cannot read env_file \(envFile): \(String(cString: strerror(errno))); it must be readable by the user running the backup")
            }
            let parsed = EnvFile(parsing: text)
            if let problem = parsed.problems.first {
                throw RunError("env_file \(envFile): \(problem.message) (KEY=value lines only)")
            }
            // Exported to a tool, a name must be a shell identifier (compose also allows `.` and `-`).
            if let bad = parsed.entries.first(where: { !Self.isIdentifier($0.key) }) {
                throw RunError("env_file \(envFile) line \(parsed.lines[bad.key] ?? 0): the name before '=' is not a shell variable name (letters, digits and '_'; KEY=value lines only)")
            }
            variables = parsed.values
        }
        secrets = variables.filter { EnvFile.isSecret(key: $0.key, value: $0.value) }.map(\.value).sorted { $0.count > $1.count }
        variables.merge(extra) { $1 }
        environment = variables
    }

    /// What a run of the tool gave.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        /// Redacted.
        public var stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments` (searched in PATH) in `directory` with `input` as stdin (a file path).
    public func run(_ arguments: [String], input: String = "/dev/null", directory: String? = nil) -> Result {
        let temp = NSTemporaryDirectory()
        let base = temp + "/backplan-tool.\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        guard let pid = ChildProcess.spawn(arguments, environment: env, input: input, output: outPath, errors: errPath,
                                           directory: directory) else {
            return Result(status: 127, stdout: Data(), stderr: "\(arguments.first ?? "?"): command not found")
        }
        let status = ChildProcess.wait(pid)
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        return Result(status: status, stdout: stdout, stderr: redact(stderr))
    }

    /// Runs `arguments` and returns stdout; throws `what failed (status N): <last lines of stderr>` otherwise.
    @discardableResult
    public func check(_ arguments: [String], _ what: String, input: String = "/dev/null", directory: String? = nil) throws(RunError) -> Data {
        let result = run(arguments, input: input, directory: directory)
        guard result.succeeded else { throw RunError("\(what) failed (status \(result.status))\(Self.tail(result.stderr))") }
        return result.stdout
    }

    /// `text` with every secret replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// `: ` and the last three non-empty lines of `stderr`, joined by ` | `; empty when there are none.
    static func tail(_ stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? "" : ": " + lines.suffix(3).joined(separator: " | ")
    }
}
