@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// `backplan run`'s output: a redrawn progress line per source when standard error is a terminal (run
/// under a pseudo-terminal with util-linux `script`), bold only without NO_COLOR; plain log lines without
/// a single escape code otherwise; JSON lines with --json.
@Suite struct RunProgressTests {
    /// Any SGR (colour, bold, reset) sequence.
    static var sgr: Regex<Substring> { /\u{1B}\[[0-9;]*m/ }

    /// Runs `backplan run PLAN daily ARGS` on a pseudo-terminal; its status and everything it printed.
    static func runOnTerminal(_ h: RunHarness, _ planPath: String, _ args: [String] = [], noColor: Bool) throws -> JobScriptHarness.Result {
        let binary = try #require(RunHarness.binary, "the built backplan binary is missing (swift build first)")
        let command = ([binary, "run", planPath, "daily"] + args).map(Shell.quote).joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = noColor ? "1" : nil
        environment["TERM"] = "xterm"
        return RunHarness.run("/usr/bin/script", ["-qfec", command, "/dev/null"], scratch: h.root, environment: environment)
    }

    static func harness() throws -> (RunHarness, String) {
        let h = try RunHarness()
        try h.copyFixture()
        try RunHarness.bash("for i in $(seq 1 50); do head -c 10000 /dev/urandom > \(Shell.quote(h.dataDir))/uploads/bulk-$i.bin; done")
        return (h, try h.writePlan(h.plan()))
    }

    @Test func aTerminalGetsAProgressLinePerSource() throws {
        let (h, plan) = try Self.harness()
        defer { h.remove() }
        let first = try Self.runOnTerminal(h, plan, noColor: false)
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("\r\u{1B}[K\u{1B}[1mcapture database\u{1B}[0m: SQLite online backup of "), "\(first.stdout)")
        #expect(first.stdout.contains(/\r\u{1B}\[K\u{1B}\[1mcapture uploads\u{1B}\[0m: 5\d files, [0-9.]+ KiB/), "\(first.stdout)")
        #expect(first.stdout.contains("\u{1B}[1mcapture vectors\u{1B}[0m: "))
        // The line is cleared before the next log line, which stays plain.
        #expect(first.stdout.contains("\r\u{1B}[Kbackplan[openwebui/daily]: capture: done"))

        // With a previous snapshot, its counts are the expected totals.
        sleep(1)
        let second = try Self.runOnTerminal(h, plan, noColor: false)
        #expect(second.status == 0)
        #expect(second.stdout.contains(/capture uploads\u{1B}\[0m: (5\d) of ~(5\d) files, [0-9.]+ KiB of ~[0-9.]+ KiB/), "\(second.stdout)")
    }

    @Test func noColorKeepsTheProgressWithoutColour() throws {
        let (h, plan) = try Self.harness()
        defer { h.remove() }
        let result = try Self.runOnTerminal(h, plan, noColor: true)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains(/\r\u{1B}\[Kcapture uploads: 5\d files/), "\(result.stdout)")
        #expect(!result.stdout.contains(Self.sgr), "no colour or bold with NO_COLOR: \(result.stdout)")

        // --json on a terminal: JSON lines only, no progress line.
        let json = try Self.runOnTerminal(h, plan, ["--json"], noColor: false)
        #expect(json.status == 0)
        #expect(!json.stdout.contains("\u{1B}"), "\(json.stdout)")
    }

    @Test func withoutATerminalThereAreNoEscapeCodes() throws {
        let (h, plan) = try Self.harness()
        defer { h.remove() }
        let binary = try #require(RunHarness.binary)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        let text = RunHarness.run(binary, ["run", plan, "daily"], scratch: h.root, environment: environment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stderr.contains("\u{1B}") && !text.stderr.contains("\r"), "\(text.stderr)")
        #expect(text.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("backplan[openwebui/daily]: ") })
        #expect(!text.stderr.contains("capture uploads:"), "no progress lines in a log")

        sleep(1)
        let json = RunHarness.run(binary, ["run", plan, "daily", "--json"], scratch: h.root, environment: environment)
        #expect(json.status == 0 && json.stderr.isEmpty, "\(json.stderr)")
        let objects = json.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(objects.count == json.stdout.split(separator: "\n").count && objects.count > 5)
        #expect(objects.allSatisfy { $0["plan"] == "openwebui" && $0["job"] == "daily" && $0["step"] != nil && $0["time"] != nil })
        #expect(objects.contains { $0["step"] == "capture" && $0["message"] == "capture: done" })
    }
}
