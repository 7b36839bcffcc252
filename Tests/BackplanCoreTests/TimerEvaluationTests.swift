import Testing
@testable import BackplanCore

/// BP506: `check` refuses OnCalendar= lines systemd does not evaluate as the schedule says.
@Suite("Schedule: the timer's lines evaluate")
struct TimerEvaluationTests {
    /// The stepped lines earlier versions emitted (issue 10, parts 3 and 4) are refused.
    @Test func steppedLinesAreRefused() throws {
        let days = try ScheduleParser.parseCalendar("*-*-01/4 11:23")
        #expect(TimerEvaluation.problem(lines: ["*-*-01/4 11:23:00"], for: days)?.contains("'/' repetition") == true)
        let hours = try ScheduleParser.parseCron("1 */10 8,13,14,25 */2 sat")
        let old = ["*-01/2-08,13,14,25 00/10:01:00", "Sat *-01/2-* 00/10:01:00"]
        #expect(TimerEvaluation.problem(lines: old, for: hours)?.contains("Infinite loop") == true)
        #expect(TimerEvaluation.problem(lines: hours.onCalendarLines, for: hours) == nil)
    }

    @Test func aLineMeaningAnotherEventIsRefused() throws {
        let schedule = try ScheduleParser.parseCalendar("*-*-* 02:30")
        #expect(TimerEvaluation.problem(lines: ["*-*-* 03:30:00"], for: schedule)?.contains("another event") == true)
        #expect(TimerEvaluation.problem(lines: [], for: schedule) != nil)
    }

    @Test(arguments: ["*-*-* 03:15", "hourly", "Mon *-02-29 00:00", "*-*-* *:0/15", "2026..2027-*-* 02:30", "Sun 04:00 Europe/Berlin"])
    func emittedLinesEvaluate(_ expression: String) throws {
        let schedule = try ScheduleParser.parseCalendar(expression)
        #expect(TimerEvaluation.problem(lines: schedule.onCalendarLines, for: schedule) == nil)
    }
}
