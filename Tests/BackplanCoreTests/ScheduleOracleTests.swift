import Foundation
import Testing
@testable import BackplanCore

/// Compares the calendar model with `systemd-analyze calendar`: normalized form and 50 instants.
@Suite("Schedule: systemd-analyze oracle", .enabled(if: SystemdAnalyze.path != nil, "systemd-analyze is not installed"))
struct ScheduleOracleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var expression: String
        var hostZone = "UTC"
        var base = "2026-01-01 00:00:00"
        var testDescription: String { "\(expression) [TZ=\(hostZone), base \(base)]" }
    }

    static let springForward = "2026-03-28 22:00:00"
    static let fallBack = "2026-10-24 22:00:00"

    static let corpus: [Case] = [
        Case(expression: "*-*-* 03:15"), Case(expression: "Sun 04:00"), Case(expression: "Mon..Fri 03:15"),
        Case(expression: "*:0/15"), Case(expression: "Mon,Wed *-*-1..7 12:00"), Case(expression: "2026-*-01 00:00:00"),
        Case(expression: "minutely"), Case(expression: "hourly"), Case(expression: "daily"), Case(expression: "weekly"),
        Case(expression: "monthly"), Case(expression: "yearly"), Case(expression: "annually"),
        Case(expression: "quarterly"), Case(expression: "semiannually"), Case(expression: "daily UTC"),
        Case(expression: "Sat,Sun 10:30 Europe/Berlin"), Case(expression: "*-02-29 12:00"),
        Case(expression: "Mon-Wed,Fri *-*-* 01..10/3:05,35:20"), Case(expression: "*-*-* *:00:1..3/2"),
        Case(expression: "26-01,07-15 8:00"), Case(expression: "*:*:0/20"), Case(expression: "Mon..Sun 02:05..10/2"),
        Case(expression: "*-*-* 1..2:00 utc"), Case(expression: "2026..2030/2-*-* 00:00:00"),
        Case(expression: "Thu *-*-29..31 23:59:59"),
        // Clocks change in Europe/Berlin on 2026-03-29 (02:00 → 03:00) and 2026-10-25 (03:00 → 02:00).
        Case(expression: "*:0/15", hostZone: "Europe/Berlin", base: springForward),
        Case(expression: "*-*-* 02:30", hostZone: "Europe/Berlin", base: springForward),
        Case(expression: "*:0/20", hostZone: "Europe/Berlin", base: fallBack),
        Case(expression: "*-*-* 02:30", hostZone: "Europe/Berlin", base: fallBack),
        Case(expression: "*-*-* 02,03:00/20", hostZone: "Europe/Berlin", base: fallBack),
        Case(expression: "*:30 Europe/Berlin", base: springForward),
        Case(expression: "*:0/30 Europe/Berlin", base: fallBack),
        // Australia/Lord_Howe jumps from 02:00 to 02:30 (+10:30 → +11) on 2026-10-04 and back on 2027-04-04.
        Case(expression: "*-*-* *:22,39:00", hostZone: "Australia/Lord_Howe", base: "2026-10-03 05:50:30"),
        Case(expression: "*-*-* 02:22,39:00", hostZone: "Australia/Lord_Howe", base: "2026-10-03 05:50:30"),
        Case(expression: "*:0/20", hostZone: "Australia/Lord_Howe", base: "2026-10-03 05:50:30"),
        Case(expression: "*:0/20", hostZone: "Australia/Lord_Howe", base: "2027-04-03 05:50:30"),
    ]

    @Test(arguments: corpus)
    func matchesSystemd(_ test: Case) throws {
        let schedule = try ScheduleParser.parseCalendar(test.expression)
        let oracle = try SystemdAnalyze.calendar(test.expression, hostZone: test.hostZone, base: test.base, iterations: 50)
        #expect(oracle.exitCode == 0)
        #expect(oracle.instants.count >= 2)
        #expect(schedule.normalizedForm == oracle.normalizedForm)
        let mine = schedule.nextInstants(after: utc(test.base), count: 50, localTimeZone: TimeZone(identifier: test.hostZone)!)
        #expect(iso(mine) == iso(oracle.instants))
    }

    /// What backplan renders from the event values (used for cron-born schedules) must mean the same.
    @Test(arguments: corpus)
    func renderedEventsFireAtTheSameInstants(_ test: Case) throws {
        let schedule = try ScheduleParser.parseCalendar(test.expression)
        let reference = try SystemdAnalyze.calendar(test.expression, hostZone: test.hostZone, base: test.base, iterations: 50)
        for line in schedule.events.map(\.onCalendarLine) + schedule.onCalendarLines {
            let rendered = try SystemdAnalyze.calendar(line, hostZone: test.hostZone, base: test.base, iterations: 50)
            #expect(rendered.exitCode == 0, "systemd-analyze rejects '\(line)'")
            #expect(iso(rendered.instants) == iso(reference.instants), "'\(line)'")
        }
    }

    /// Expressions both reject, and the ones only backplan rejects (on purpose, see
    /// `CalendarExpressionParser`): `~`, fractional seconds, `@SECONDS`.
    static let rejected: [(String, rejectedBySystemd: Bool)] = [
        ("", true), ("*", true), ("25:00", true), ("*-*-* 24:00", true), ("12:60", true), ("12:00:60", true),
        ("*/15:00", true), ("Fri..Mon", true), ("Mond 03:00", true), ("daily 03:15", true), ("5..3:00", true),
        ("*:50/15", true), ("*-13-01", true), ("*-*-32", true), ("2300-01-01", true), ("Mon..", true),
        ("03:15 Mars/Olympus", true), ("03:15 ", true), (" daily", true), ("*:0/0", true), ("Mon.Fri", true),
        ("*-*~1", false), ("*:0:00.5", false), ("@1700000000", false),
    ]

    @Test(arguments: rejected)
    func rejectsLikeSystemd(_ expression: String, rejectedBySystemd: Bool) throws {
        #expect(throws: ScheduleError.self) { try ScheduleParser.parseCalendar(expression) }
        let oracle = try SystemdAnalyze.calendar(expression, hostZone: "UTC", base: "2026-01-01 00:00:00", iterations: 1)
        #expect((oracle.exitCode != 0) == rejectedBySystemd)
    }
}
