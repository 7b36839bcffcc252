import Foundation
import Testing
@testable import BackplanCore

/// Compares cron instants with croniter (PyPI), the cron oracle `.ci/run` installs.
///
/// The Python is the project's `.venv/bin/python` (`make deps` installs croniter there), or
/// `CRONITER_PYTHON`. Without croniter the test fails and says how to install it.
/// Expressions whose day-of-month starts with `*/` while day-of-week is restricted are left out:
/// Debian's cron (and backplan) AND the two fields then, croniter ORs them.
@Suite("Schedule: croniter oracle")
struct ScheduleCroniterTests {
    static let corpus = [
        "15 3 * * *", "*/15 * * * *", "0 4 * * sun", "0 4 * * 7", "0 0 1 * 1", "0 0 1-31/2 * 1",
        "0 0 1,15 * mon-fri", "30 2 1,15 jan-mar *", "0 0 * * */2", "0 */6 * * 1-5", "5 4 29 2 *",
        "0 0 13 * fri", "59 23 31 * *", "0 12 * 2,4,6 0-2", "10-20/5 1,13 * * *", "@weekly", "@monthly",
    ]

    @Test func matchesCroniter() throws {
        try #require(Croniter.python != nil, "croniter is not installed: run 'make deps' (it installs croniter into .venv)")
        let base = utc(2026, 1, 1)
        let lines = try Croniter.next(Self.corpus, after: base, count: 100)
        try #require(lines.count == Self.corpus.count)
        for (expression, expected) in zip(Self.corpus, lines) {
            let schedule = try ScheduleParser.parseCron(expression)
            let mine = schedule.nextInstants(after: base, count: 100, localTimeZone: utcZone)
            // backplan (like systemd) stops at the end of 2199; croniter goes on.
            #expect(iso(mine) == iso(Array(expected.prefix(mine.count))), "\(expression)")
            #expect(mine.count == expected.count || expected[mine.count] >= utc(2200, 1, 1), "\(expression)")
        }
    }
}

enum Croniter {
    static let python: String? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var candidates = [repository.appendingPathComponent(".venv/bin/python").path, "/usr/bin/python3"]
        if let configured = ProcessInfo.processInfo.environment["CRONITER_PYTHON"] { candidates.insert(configured, at: 0) }
        return candidates.first { path in
            FileManager.default.isExecutableFile(atPath: path) && ((try? run(path, ["-c", "import croniter"])) ?? nil) != nil
        }
    }()

    private static let script = """
        import sys, datetime
        from croniter import croniter
        base = datetime.datetime.fromtimestamp(int(sys.argv[1]), tz=datetime.timezone.utc)
        count = int(sys.argv[2])
        for expression in sys.argv[3:]:
            it = croniter(expression, base)
            print(" ".join(str(int(it.get_next(float))) for _ in range(count)))
        """

    static func next(_ expressions: [String], after base: Date, count: Int) throws -> [[Date]] {
        guard let python,
              let output = try run(python, ["-c", script, String(Int(base.timeIntervalSince1970)), String(count)] + expressions)
        else { return [] }
        return output.split(separator: "\n").map { line in
            line.split(separator: " ").compactMap { Double($0) }.map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Standard output, or nil when the process fails.
    private static func run(_ executable: String, _ arguments: [String]) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
