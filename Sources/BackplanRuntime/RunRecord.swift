import BackplanCore
import Foundation

/// One line of `<state_dir>/runs.jsonl`, the same fields as the bash script's (keys sorted).
public struct RunRecord: Codable, Hashable, Sendable {
    public struct Target: Codable, Hashable, Sendable {
        public var error: String?
        public var name: String
        public var status: String

        typealias CodingKeys = RunContract.TargetField
    }

    public var bytes: Int64
    public var downtimeMs: Int
    public var error: String?
    public var executor: String
    public var exit: Int32
    public var files: Int
    public var finished: String
    public var id: String
    public var job: String
    /// `--label NAME` of the run; absent without one.
    public var label: String?
    public var plan: String
    public var started: String
    public var status: String
    public var targets: [Target]

    typealias CodingKeys = RunContract.RunField

    /// `ok`, `partial` or `failed` for an exit status.
    public static func status(exit: Int32) -> String { RunContract.Exit.status(exit) }

    /// Appends the record as one line to `<stateDir>/runs.jsonl`; returns the line without its line break.
    @discardableResult
    public func append(stateDir: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(self)
        let line = json + Data("\n".utf8)
        let path = stateDir + "/" + RunContract.runsLog
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunError("cannot append to \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        return String(decoding: json, as: UTF8.self)
    }
}
