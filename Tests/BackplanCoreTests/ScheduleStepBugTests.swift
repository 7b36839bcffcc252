import Foundation
import Testing
@testable import BackplanCore

/// Issue 10, parts 3 and 4: systemd 252 mis-evaluates `/` repetitions; the emitted lines avoid them.
@Suite("Schedule: systemd's step bugs")
struct ScheduleStepBugTests {
    /// `*-*-01/4 11:23` as written skips 2027-01-01 (systemd gives 2027-01-05 next); the emitted line does not.
    @Test func dayStepAtNewYear() throws {
        let schedule = try ScheduleParser.parseCalendar("*-*-01/4 11:23")
        let base = "2026-12-31 21:07:30"
        let written = try SystemdAnalyze.calendar("*-*-01/4 11:23", hostZone: "UTC", base: base, iterations: 1)
        #expect(iso(written.instants) == ["2027-01-05T11:23:00Z"], "systemd's bug, which the emitted line avoids")
        let emitted = try SystemdAnalyze.calendar(try #require(schedule.onCalendarLines.first), hostZone: "UTC", base: base, iterations: 3)
        #expect(iso(emitted.instants) == ["2027-01-01T11:23:00Z", "2027-01-05T11:23:00Z", "2027-01-09T11:23:00Z"])
        #expect(iso(schedule.nextInstants(after: utc(base), count: 3, localTimeZone: utcZone)) == iso(emitted.instants))
    }

    /// `Sat *-01/2-* 00/10:01:00` fails with "Infinite loop in calendar calculation" in Berlin before the
    /// spring change; every emitted line of `1 */10 8,13,14,25 */2 sat` evaluates, as explain does.
    @Test func hourStepNearClockChange() throws {
        let schedule = try ScheduleParser.parseCron("1 */10 8,13,14,25 */2 sat")
        let base = "2026-03-28 17:26:30"
        let stepped = try SystemdAnalyze.calendar("Sat *-01/2-* 00/10:01:00", hostZone: "Europe/Berlin", base: base, iterations: 40)
        #expect(stepped.exitCode != 0, "systemd's bug, which the emitted lines avoid")
        var timer: [Date] = []
        for line in schedule.onCalendarLines {
            let output = try SystemdAnalyze.calendar(line, hostZone: "Europe/Berlin", base: base, iterations: 40)
            #expect(output.exitCode == 0, "systemd-analyze cannot evaluate '\(line)'")
            #expect(output.instants.count == 40, "'\(line)'")
            timer += output.instants
        }
        let expected = Array(Set(timer).sorted().prefix(40))
        #expect(iso(schedule.nextInstants(after: utc(base), count: 40, localTimeZone: berlin)) == iso(expected))
    }
}
