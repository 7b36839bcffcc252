import BackplanCore
import Foundation
import Testing

/// Plans that once made `check` quadratic or its output enormous (issue 9): many jobs on one schedule,
/// long lists, and many findings on one long line.
@Suite struct HostileScaleTests {
    static func seconds(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }

    static func plan(jobs: [String], ignore: String = "[cache]", exclude: String = "[]") -> String {
        """
        version: 1
        name: openwebui
        deployment:
          compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}
        sources:
          database: {path: webui.db, kind: sqlite}
          vectors: {path: vector_db, kind: chroma}
          uploads: {path: uploads, kind: files, exclude: \(exclude)}
        ignore: \(ignore)
        targets:
          local: {type: local, path: /srv/backups/openwebui}
          b2: {type: rclone, remote: "b2:openwebui-backups", config_file: /etc/backplan/rclone.conf}
        jobs:
        \(jobs.joined(separator: "\n"))

        """
    }

    static func job(_ i: Int, _ schedule: String) -> String {
        "  job-\(i): {schedule: \"\(schedule)\", quiesce: none, targets: [local, b2], retention: {keep_daily: 7}}"
    }

    /// 1,000 jobs on one schedule gave 499,500 BP314 warnings (two minutes); now one lists them.
    @Test func manyJobsOnOneScheduleGiveOneWarning() {
        let source = MarkedSource(Self.plan(jobs: (1...1000).map { Self.job($0, "*-*-* 03:15") }))
        var diagnostics: [Diagnostic] = []
        let time = Self.seconds { diagnostics = validate(source) }
        let sameMinute = diagnostics.filter { $0.code == .sameMinuteTarget }
        #expect(sameMinute.count == 1, "\(sameMinute.count) warnings")
        let message = sameMinute.first?.message ?? ""
        #expect(message.hasPrefix("1000 jobs on schedule '*-*-* 03:15' write targets 'b2', 'local' and start in the same minute (first at 2026-01-01T03:15:00Z): 'job-1', 'job-2'"),
                "\(message.prefix(300))")
        #expect(message.hasSuffix("'job-20' and 980 more"))
        #expect(time < 20, "\(time) s")
    }

    /// 5,000 `ignore` entries missing from the data dir gave 5,000 BP315 notes; now one names the first few.
    @Test(arguments: ["flow", "block"])
    func manyMissingIgnoredEntriesGiveOneNote(layout: String) {
        let names = ["cache"] + (1...5000).map { "missing-\($0)" }
        let ignore = layout == "flow" ? "[" + names.joined(separator: ", ") + "]"
            : "\n" + names.map { "  - \($0)" }.joined(separator: "\n")
        let plan = Self.plan(jobs: [Self.job(1, "*-*-* 03:15")], ignore: ignore)
        var diagnostics: [Diagnostic] = []
        let time = Self.seconds { diagnostics = validate(MarkedSource(plan)) }
        let missing = diagnostics.filter { $0.code == .ignoredEntryMissing }
        #expect(missing.count == 1, "\(missing.count) notes")
        #expect(missing.first?.message == "ignore names 5000 entries that are not in the data dir: 'missing-1', 'missing-2', 'missing-3', 'missing-4', 'missing-5' and 4995 more")
        #expect(missing.first?.location?.line == (layout == "flow" ? 9 : 11), "at the first missing entry")
        let out = DiagnosticPrinter(format: .text, sources: ["plans/openwebui.yaml": plan]).render(diagnostics)
        #expect(out.utf8.count < 5_000, "\(out.utf8.count) bytes")
        #expect(time < 10, "\(time) s")
    }

    /// One missing entry keeps its own message; entries the data dir holds are never named.
    @Test func oneMissingIgnoredEntryIsNamedAlone() {
        let diagnostics = validate(MarkedSource(Self.plan(jobs: [Self.job(1, "*-*-* 03:15")], ignore: "[cache, logs]")))
        #expect(diagnostics.filter { $0.code == .ignoredEntryMissing }.map(\.message) == ["ignore names 'logs', which is not in the data dir"])
    }

    /// Distinct minutes are linear; two groups that meet are still found, once per pair of groups.
    @Test func distinctSchedulesAreComparedOnlyWhereTheyMeet() {
        var jobs: [String] = []
        for i in 1...1400 {
            let minuteOfDay: Int = (i * 7 + 5) % 1440
            jobs.append(Self.job(i, String(format: "*-*-* %02d:%02d", minuteOfDay / 60, minuteOfDay % 60)))
        }
        jobs.append(Self.job(1401, "*-*-* 00:12"))  // job-1's schedule (00:12 = 1 * 7 + 5 minutes)
        jobs.append(Self.job(1402, "Sun 00:12"))  // another schedule meeting it on Sundays
        var diagnostics: [Diagnostic] = []
        let time = Self.seconds { diagnostics = validate(MarkedSource(Self.plan(jobs: jobs))) }
        let sameMinute = diagnostics.filter { $0.code == .sameMinuteTarget }.map(\.message).sorted()
        #expect(sameMinute.count == 2, "\(sameMinute)")
        #expect(sameMinute.contains { $0.hasPrefix("2 jobs on schedule '*-*-* 00:12' write targets 'b2', 'local'") })
        #expect(sameMinute.contains { $0.hasPrefix("jobs 'job-1' and 'job-1402' both write target 'local' and can start in the same minute") })
        #expect(time < 20, "\(time) s")
    }

    /// The duplicate check of a list compared each entry with every earlier one (19 s for 20,000).
    @Test func longListsAreCheckedForDuplicatesInLinearTime() {
        let patterns = (0..<20_000).map { "\"p\($0).tmp\"" } + ["\"p7.tmp\""]
        let source = MarkedSource(Self.plan(jobs: [Self.job(1, "*-*-* 03:15")], exclude: "[" + patterns.joined(separator: ", ") + "]"))
        var diagnostics: [Diagnostic] = []
        let time = Self.seconds { diagnostics = frontEnd(source, file: "plans/openwebui.yaml").1 }
        #expect(diagnostics.map(\.code) == [.duplicateEntry], "\(describe(Array(diagnostics.prefix(3))))")
        #expect(diagnostics.first?.help == "remove one (first at line 8)")
        #expect(time < 10, "\(time) s")
    }

    /// 2,000 findings on one 20 kB line printed the line 2,000 times (32.5 MB); 5,000 findings on
    /// 5,000 lines re-split the file for each one (17 s).
    @Test func thePrinterCutsLongLinesAndSplitsTheFileOnce() {
        let names = (0..<2000).map { "missing-\($0)" }
        let line = "ignore: [" + names.joined(separator: ", ") + "]"
        var diagnostics: [Diagnostic] = []
        var column = 10
        for name in names {
            diagnostics.append(Diagnostic(.ignoredEntryMissing, "ignore names '\(name)'", file: "p.yaml",
                                          at: SourceLocation(line: 2, column: column), length: name.count))
            column += name.count + 2
        }
        let printer = DiagnosticPrinter(format: .text, sources: ["p.yaml": "version: 1\n" + line + "\n"])
        let out = printer.render(diagnostics)
        #expect(out.utf8.count < 2_000 * 600, "\(out.utf8.count) bytes")
        let quoted = out.split(separator: "\n").filter { $0.hasPrefix(" 2 |") }
        #expect(quoted.count == 2000)
        #expect(quoted.allSatisfy { $0.unicodeScalars.count <= DiagnosticPrinter.quotedLineLimit + 8 })
        // The caret still points at the name the message is about, in the middle of the line too.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        let at = lines.firstIndex { $0.contains("ignore names 'missing-1000'") } ?? 0
        let text = Array(lines[at + 1].unicodeScalars), caret = Array(lines[at + 2].unicodeScalars)
        let start = caret.firstIndex(of: "^") ?? 0
        #expect(String(String.UnicodeScalarView(text[start..<(start + 12)])) == "missing-1000")
        #expect(lines[at + 1].contains("…"))

        let many = (1...5000).map { "line \($0)" }.joined(separator: "\n")
        let findings = (1...5000).map { Diagnostic(.ignoredEntryMissing, "n", file: "q.yaml", at: SourceLocation(line: $0, column: 1)) }
        let time = Self.seconds { _ = DiagnosticPrinter(format: .text, sources: ["q.yaml": many]).render(findings) }
        #expect(time < 5, "\(time) s")
    }
}
