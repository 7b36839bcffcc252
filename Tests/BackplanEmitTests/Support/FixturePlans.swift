import BackplanCore
import BackplanEmit
import Foundation
import Testing

/// The fixture plans of this test target, compiled in process.
enum FixturePlans {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/plans").path
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Goldens").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static let names = ["compose", "cron-units", "hostile"]

    /// Decodes, validates and lowers `plans/<name>.yaml` of the fixtures (no deployment: they give data_dir).
    static func compile(_ name: String) throws -> CompiledPlan {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).yaml")))
        return try compile(bytes: bytes, file: "plans/\(name).yaml")
    }

    static func compile(yaml: String, file: String = "plans/test.yaml") throws -> CompiledPlan {
        try compile(bytes: Array(yaml.utf8), file: file)
    }

    static func compile(bytes: [UInt8], file: String, deployment: Deployment? = nil) throws -> CompiledPlan {
        let (plan, found) = PlanFrontEnd.process(bytes, file: file)
        let decoded = try #require(plan, "\(found.map(\.message))")
        #expect(!found.hasErrors, "\(found.map(\.message))")
        let validation = PlanValidator.validate(decoded, deployment: deployment, file: file)
        #expect(!validation.hasErrors, "\(validation.filter { $0.severity == .error }.map(\.message))")
        let (compiled, lowering) = PlanLowering.lower(decoded, deployment: deployment, file: file)
        return try #require(compiled, "\(lowering.map(\.message))")
    }
}

/// Runs a program and returns its exit status and output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
             input: String? = nil, directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let input {
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    nonisolated(unsafe) var outData = Data()
    let reader = Thread { outData = out.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// A temporary folder removed when the value goes away.
final class TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("backplan-emit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
