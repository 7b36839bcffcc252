import Foundation
import Testing

/// What one run of the built `backplan` binary did.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the process ended by a signal (a crash or a trap), not by exit.
    var crashed: Bool
}

/// Runs the built binary, as a user would, and captures everything it says.
enum Backplan {
    /// The repository root (tests run the binary from there, where plans/ is).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The `backplan` binary built beside this test bundle (or BACKPLAN_BIN).
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["BACKPLAN_BIN"] { return explicit }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("backplan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository + "/.build/debug/backplan"
    }()

    /// Runs `backplan ARGS` in `directory` with a time limit; a hang fails the test.
    /// `wrapper` runs the binary through another command (`setpriv … --`), given as its arguments.
    static func run(_ arguments: [String], in directory: String = repository, environment: [String: String] = [:],
                    timeout: TimeInterval = 30, wrapper: [String] = []) throws -> RunResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        process.arguments = wrapper.isEmpty ? arguments : Array(wrapper.dropFirst()) + [binary] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes while the process runs so a large output cannot block it.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            // SIGKILL, not terminate()'s SIGTERM: the child inherits the test runner's blocked signals.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("backplan \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        group.wait()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         crashed: process.terminationReason == .uncaughtSignal)
    }
}

/// A temporary folder removed at the end of a test.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("backplan-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
