import TestSupport
import Testing
@testable import BackplanCore

@Suite("Schedule: calendar expressions")
struct ScheduleCalendarParseTests {
    static let valid: [(String, CalendarEvent)] = [
        ("*-*-* 03:15", CalendarEvent(hours: [3], minutes: [15])),
        ("Sun 04:00", CalendarEvent(weekdays: [7], hours: [4])),
        ("Mon..Fri 03:15", CalendarEvent(weekdays: [1, 2, 3, 4, 5], hours: [3], minutes: [15])),
        ("*:0/15", CalendarEvent(hours: Array(0...23), minutes: [0, 15, 30, 45])),
        ("Mon,Wed *-*-1..7 12:00", CalendarEvent(weekdays: [1, 3], days: Array(1...7), hours: [12])),
        ("2026-*-01 00:00:00", CalendarEvent(years: [2026], days: [1])),
        ("weekly", CalendarEvent(weekdays: [1])),
        ("quarterly", CalendarEvent(months: [1, 4, 7, 10], days: [1])),
        ("Daily Europe/Berlin", CalendarEvent(timeZone: "Europe/Berlin")),
        ("03:15 utc", CalendarEvent(hours: [3], minutes: [15], timeZone: "UTC")),
        ("Mon..Sun *-*-1..31 1:2:3", CalendarEvent(hours: [1], minutes: [2], seconds: [3])),
        ("*:*:*", CalendarEvent(hours: Array(0...23), minutes: Array(0...59), seconds: Array(0...59))),
    ]

    @Test(arguments: valid)
    func parses(_ expression: String, _ event: CalendarEvent) throws {
        let schedule = try ScheduleParser.parseCalendar(expression)
        #expect(schedule.events == [event])
        #expect(schedule.syntax == .calendar)
        #expect(schedule.expression == expression)
    }

    /// Expression, message, 0-based offset of the caret.
    static let invalid: [(String, String, Int)] = [
        ("*-*-* 25:00", "'25' is not an hour (0-23)", 6),
        ("daily 03:15", "'daily 03:15' is not a calendar expression; write '*-*-* 03:15' or 'daily'", 0),
        ("weekly 04:00", "'weekly 04:00' is not a calendar expression; write 'Mon *-*-* 04:00' or 'weekly'", 0),
        ("Mond 03:00", "'Mond' is not a weekday", 0),
        ("Fri..Mon 03:00", "the weekday range 'Fri..Mon' runs backwards", 0),
        ("*-*-* 03:15:00.5", "fractional seconds are not supported by backplan", 14),
        ("*-*~1 03:00", "'~' (days counted from the end of the month) is not supported by backplan", 3),
        ("*/15:00", "'*/15:00' is cron syntax, not a calendar expression", 0),
        ("12:60", "'60' is not a minute (0-59)", 3),
        ("*-*-* 03:15 Mars/Olympus", "'Mars/Olympus' is not a known time zone", 12),
        ("*:50/15", "'50/15' never repeats: 50 + 15 is past 59", 2),
        ("*-*-* 5..3:00", "the range '5..3' runs backwards", 6),
        ("2300-01-01", "'2300' is not a year (1970-2199)", 0),
        ("*:0/0", "a step of 0 never advances", 4),
        ("", "the schedule is empty", 0),
        ("Mon 03", "a time needs minutes", 6),
        ("*-*-* 03:15x", "unexpected 'x'", 11),
        ("@1700000000", "'@SECONDS' (a single instant) is not supported by backplan", 0),
        ("03:15 ", "unexpected space", 5),
    ]

    @Test(arguments: invalid)
    func rejects(_ expression: String, _ message: String, _ offset: Int) {
        #expect {
            _ = try ScheduleParser.parseCalendar(expression)
        } throws: { error in
            guard let error = error as? ScheduleError else { return false }
            return error.message == message && error.offset == offset
        }
    }

    @Test func normalizedFormKeepsTheWrittenShape() throws {
        #expect(try ScheduleParser.parseCalendar("Mon-Fri 3:15").normalizedForm == "Mon..Fri *-*-* 03:15:00")
        #expect(try ScheduleParser.parseCalendar("*:0/15").normalizedForm == "*-*-* *:00/15:00")
        #expect(try ScheduleParser.parseCalendar("02:05..10/2").normalizedForm == "*-*-* 02:05..09/2:00")
    }

    /// systemd 252 mis-evaluates `/` repetitions, so the emitted lines list the values instead.
    @Test func onCalendarLinesHaveNoSteps() throws {
        #expect(try ScheduleParser.parseCalendar("Mon-Fri 3:15").onCalendarLines == ["Mon..Fri *-*-* 03:15:00"])
        #expect(try ScheduleParser.parseCalendar("*:0/15").onCalendarLines == ["*-*-* *:00,15,30,45:00"])
        #expect(try ScheduleParser.parseCalendar("02:05..10/2").onCalendarLines == ["*-*-* 02:05,07,09:00"])
        #expect(try ScheduleParser.parseCalendar("*-*-01/4 11:23").onCalendarLines == ["*-*-01,05,09,13,17,21,25,29 11:23:00"])
    }

    /// Random strings, mutated expressions and odd scalars never crash the parsers.
    @Test func fuzzNeverTraps() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("0123456789*-:.,/~@ MonTueSatUTCEurope/Berlinjan#LW?\t\u{00E9}\u{1F600}")
        let seeds = ["*-*-* 03:15", "Mon..Fri 03:15", "*:0/15", "15 3 * * *", "0 0 */2 * 1", "daily UTC"]
        for round in 0..<3000 {
            var text: [Character]
            if round % 2 == 0 {
                text = (0..<Int(generator.next() % 24)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            } else {
                text = Array(seeds[round % seeds.count])
                for _ in 0..<3 where !text.isEmpty {
                    text[Int(generator.next() % UInt64(text.count))] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
            }
            for schedule in [try? ScheduleParser.parseCalendar(String(text)), try? ScheduleParser.parseCron(String(text))] {
                guard let schedule else { continue }
                _ = schedule.nextInstants(after: utc(2026, 1, 1), count: 3, localTimeZone: utcZone)
                _ = schedule.onCalendarLines
                _ = schedule.cronLine()
            }
        }
    }
}

