import Foundation
import Testing
@testable import BackplanCore

@Suite("Schedule: cron expressions")
struct ScheduleCronTests {
    static let valid: [(String, [CalendarEvent])] = [
        ("15 3 * * *", [CalendarEvent(hours: [3], minutes: [15])]),
        ("*/15 * * * *", [CalendarEvent(hours: Array(0...23), minutes: [0, 15, 30, 45])]),
        ("0 4 * * sun", [CalendarEvent(weekdays: [7], hours: [4])]),
        ("0 4 * * 7", [CalendarEvent(weekdays: [7], hours: [4])]),
        ("0 4 * * MON-fri", [CalendarEvent(weekdays: [1, 2, 3, 4, 5], hours: [4])]),
        ("30 2 1,15 jan-mar *", [CalendarEvent(months: [1, 2, 3], days: [1, 15], hours: [2], minutes: [30])]),
        ("0 0 1 * 1", [CalendarEvent(days: [1], hours: [0]), CalendarEvent(weekdays: [1], hours: [0])]),
        ("0 0 */2 * 1", [CalendarEvent(weekdays: [1], days: Array(stride(from: 1, through: 31, by: 2)), hours: [0])]),
        ("0 0 1-31/2 * 1", [CalendarEvent(days: Array(stride(from: 1, through: 31, by: 2)), hours: [0]),
                            CalendarEvent(weekdays: [1], hours: [0])]),
        ("5/20 0-6/3 * * 0,6", [CalendarEvent(weekdays: [6, 7], hours: [0, 3, 6], minutes: [5, 25, 45])]),
        ("@daily", [CalendarEvent()]),
        ("@weekly", [CalendarEvent(weekdays: [7])]),
        ("@hourly", [CalendarEvent(hours: Array(0...23))]),
    ]

    @Test(arguments: valid)
    func parses(_ expression: String, _ events: [CalendarEvent]) throws {
        let schedule = try ScheduleParser.parseCron(expression)
        #expect(schedule.events == events)
        #expect(schedule.syntax == .cron)
    }

    static let invalid: [(String, String, Int)] = [
        ("@reboot", "'@reboot' runs a job at boot, not on a schedule; backplan jobs need a schedule", 0),
        ("60 * * * *", "'60' is not a minute (0-59)", 0),
        ("0 24 * * *", "'24' is not an hour (0-23)", 2),
        ("0 0 * * 8", "'8' is not a day of the week (0-7)", 8),
        ("0 0 * foo *", "'foo' is not a month (1-12)", 6),
        ("0 0 5-1 * *", "the range '5-1' runs backwards", 4),
        ("*/0 * * * *", "'0' is not a step; write a whole number of 1 or more after '/'", 0),
        ("0 0 L * *", "'L' in 'L' is not supported by backplan (nor by Debian's cron)", 4),
        ("0 3 * *", "the cron expression has 4 fields; missing: day of the week", 7),
        ("0 0 3 * * * /bin/true", "'*' is a sixth field; cron expressions have 5 (no seconds, no command)", 10),
        ("0 0 1,,2 * *", "empty item in the day of the month field", 6),
    ]

    @Test(arguments: invalid)
    func rejects(_ expression: String, _ message: String, _ offset: Int) {
        #expect {
            _ = try ScheduleParser.parseCron(expression)
        } throws: { error in
            guard let error = error as? ScheduleError else { return false }
            return error.message == message && error.offset == offset
        }
    }

    /// Hand-computed: 2026-01-01 is a Thursday.
    static let instants: [(String, [String])] = [
        ("15 3 * * *", ["2026-01-01T03:15:00Z", "2026-01-02T03:15:00Z", "2026-01-03T03:15:00Z"]),
        ("0 0 1 * 1", ["2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z",
                       "2026-01-26T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"]),
        ("0 0 */10 * 1", ["2026-05-11T00:00:00Z", "2026-06-01T00:00:00Z", "2026-08-31T00:00:00Z"]),
        ("*/20 9-10 * * sat", ["2026-01-03T09:00:00Z", "2026-01-03T09:20:00Z", "2026-01-03T09:40:00Z",
                               "2026-01-03T10:00:00Z", "2026-01-03T10:20:00Z", "2026-01-03T10:40:00Z",
                               "2026-01-10T09:00:00Z"]),
        ("0 12 29 2 *", ["2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"]),
    ]

    @Test(arguments: instants)
    func firesAtHandComputedInstants(_ expression: String, _ expected: [String]) throws {
        let schedule = try ScheduleParser.parseCron(expression)
        #expect(iso(schedule.nextInstants(after: utc(2026, 1, 1), count: expected.count, localTimeZone: utcZone)) == expected)
    }

    static let roundTrips = [
        "15 3 * * *", "*/15 * * * *", "0 4 * * sun", "0 0 1 * 1", "0 0 */2 * 1", "0 0 1-31/2 * 1",
        "5/20 0-6/3 * * 0,6", "0 0 1,15 * mon-fri", "0 0 * * */2", "0 0 1-10 * */3", "7 7 7 7 *",
        "0 0,12 1 */3 *", "1,2,3,5,8,13 * * * *", "@weekly", "@yearly",
    ]

    /// cron → Schedule → cronLine() → Schedule fires at the same instants; so do the OnCalendar lines.
    @Test(arguments: roundTrips)
    func roundTrip(_ expression: String) throws {
        let schedule = try ScheduleParser.parseCron(expression)
        let line = try schedule.cronLine().get()
        let again = try ScheduleParser.parseCron(line)
        let start = utc(2026, 1, 1)
        let expected = schedule.nextInstants(after: start, count: 150, localTimeZone: utcZone)
        #expect(expected.count == 150)
        #expect(again.nextInstants(after: start, count: 150, localTimeZone: utcZone) == expected, "\(line)")
        let calendar = try schedule.onCalendarLines.map { line throws(ScheduleError) in
            try ScheduleParser.parseCalendar(line).events[0]
        }
        let viaSystemd = Schedule(expression: expression, syntax: .calendar, events: calendar)
        #expect(viaSystemd.nextInstants(after: start, count: 150, localTimeZone: utcZone) == expected)
    }

    @Test func cronLinesAreCompact() throws {
        #expect(try ScheduleParser.parseCalendar("Mon..Fri 03:15").cronLine().get() == "15 3 * * 1-5")
        #expect(try ScheduleParser.parseCalendar("*:0/15").cronLine().get() == "*/15 * * * *")
        #expect(try ScheduleParser.parseCalendar("weekly").cronLine().get() == "0 0 * * 1")
        #expect(try ScheduleParser.parseCron("0 0 1-31/2 * 1").cronLine().get() == "0 0 1-31/2 * 1")
        #expect(try ScheduleParser.parseCron("0 0 */2 * 1").cronLine().get() == "0 0 */2 * 1")
    }

    static let inexpressible: [(String, String)] = [
        ("*-*-* 03:15:30", "cron fires only at second 0, but this schedule fires at second 30"),
        ("2026-*-01 00:00", "cron cannot restrict the year (this schedule names 2026)"),
        ("daily UTC", "cron runs jobs in the host's local time; it cannot use the time zone 'UTC'"),
        ("Mon *-*-1..7 12:00", "cron cannot require both a day of the month and a weekday: systemd fires on days "
            + "matching both, cron on days matching either"),
    ]

    @Test(arguments: inexpressible)
    func cronLineSaysWhatCronCannotExpress(_ expression: String, _ message: String) throws {
        let result = try ScheduleParser.parseCalendar(expression).cronLine()
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.message == message)
    }

    @Test func eventsThatCannotMergeAreAnError() throws {
        let schedule = Schedule(expression: "two", syntax: .calendar, events: [
            CalendarEvent(weekdays: [1], hours: [3]), CalendarEvent(weekdays: [2], hours: [4]),
        ])
        guard case .failure(let error) = schedule.cronLine() else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message.hasPrefix("cron cannot express this schedule in one line"))
        let mergeable = Schedule(expression: "two", syntax: .calendar, events: [
            CalendarEvent(weekdays: [1], hours: [3]), CalendarEvent(weekdays: [2], hours: [3]),
        ])
        #expect(try mergeable.cronLine().get() == "0 3 * * 1,2")
    }
}
