import Foundation

/// Runs `scripts/schedule-oracle.py` once over many cases: `systemd-analyze calendar` on the emitted
/// OnCalendar= lines and croniter with Debian's rules on the emitted cron line (see the script).
enum ScheduleOracleRunner {
    struct Case: Encodable {
        var zone: String
        var base: Int
        var lines: [String]
        var cron: String
    }

    struct Answer: Decodable {
        var systemd: [Int]
        var failed: [String]
        var cron: [Int]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(_ cases: [Case], count: Int) throws -> [Answer] {
        guard let python = Croniter.python else { throw Failure(description: "croniter is not installed: run 'make deps'") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-oracle-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: input) }
        struct Request: Encodable { var count: Int; var cases: [Case] }
        try JSONEncoder().encode(Request(count: count, cases: cases)).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repository.appendingPathComponent("scripts/schedule-oracle.py").path]
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C"]
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "schedule-oracle.py failed: \(errorText)") }
        let answers = try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Answer.self, from: Data($0)) }
        guard answers.count == cases.count else { throw Failure(description: "\(answers.count) answers for \(cases.count) cases") }
        return answers
    }
}
