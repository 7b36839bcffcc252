import Foundation
import Testing
@testable import BackplanCore

@Suite("Schedule: instants and overlaps")
struct ScheduleInstantTests {
    @Test func unionOfEventsIsSortedAndUnique() throws {
        // 2026-02-01 is a Sunday: both events fire on it, once.
        let schedule = try ScheduleParser.parseCron("0 0 1 * 0")
        let instants = schedule.nextInstants(after: utc(2026, 1, 25), count: 3, localTimeZone: utcZone)
        #expect(iso(instants) == ["2026-02-01T00:00:00Z", "2026-02-08T00:00:00Z", "2026-02-15T00:00:00Z"])
    }

    @Test func strictlyAfterAndFractionalStart() throws {
        let schedule = try ScheduleParser.parseCalendar("*:0/15")
        #expect(iso(schedule.nextInstants(after: utc(2026, 1, 1, 0, 15), count: 1, localTimeZone: utcZone)) == ["2026-01-01T00:30:00Z"])
        let justBefore = utc(2026, 1, 1, 0, 15).addingTimeInterval(-0.25)
        #expect(iso(schedule.nextInstants(after: justBefore, count: 1, localTimeZone: utcZone)) == ["2026-01-01T00:15:00Z"])
        #expect(schedule.nextInstants(after: .distantFuture, count: 3).isEmpty)
        #expect(schedule.nextInstants(after: utc(2026, 1, 1), count: 0).isEmpty)
    }

    /// Berlin: 02:30 does not exist on 2026-03-29 and happens twice on 2026-10-25 (fires once).
    @Test func daylightSavingInBerlin() throws {
        let schedule = try ScheduleParser.parseCalendar("*-*-* 02:30")
        let spring = schedule.nextInstants(after: utc(2026, 3, 28, 12), count: 2, localTimeZone: berlin)
        #expect(iso(spring) == ["2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
        let fall = schedule.nextInstants(after: utc(2026, 10, 24, 12), count: 2, localTimeZone: berlin)
        #expect(iso(fall) == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        let utcDays = schedule.nextInstants(after: utc(2026, 3, 28, 12), count: 2, localTimeZone: utcZone)
        #expect(iso(utcDays) == ["2026-03-29T02:30:00Z", "2026-03-30T02:30:00Z"])
    }

    @Test func unreachableSchedulesEndQuickly() throws {
        #expect(try ScheduleParser.parseCalendar("*-02-30").nextInstants(after: utc(2026, 1, 1), count: 5).isEmpty)
        #expect(try ScheduleParser.parseCalendar("2026-*-01").nextInstants(after: utc(2026, 1, 1), count: 50, localTimeZone: utcZone).count == 11)
    }

    /// 50 instants of any schedule in under a millisecond (about 0.2-0.6 ms in a debug build; the
    /// bound is generous because tests run in parallel on a busy machine).
    @Test(arguments: ["*:*:*", "Mon *-02-29 12:00", "Thu *-*-29..31 23:59:59", "*:0/15 Europe/Berlin", "Fri *-*-13 00:00"])
    func fastEnough(_ expression: String) throws {
        let schedule = try ScheduleParser.parseCalendar(expression)
        let clock = ContinuousClock()
        var instants: [Date] = []
        let elapsed = clock.measure {
            for _ in 0..<10 { instants = schedule.nextInstants(after: utc(2026, 1, 1), count: 50, localTimeZone: berlin) }
        }
        #expect(!instants.isEmpty)
        #expect(elapsed < .milliseconds(200), "10 × 50 instants took \(elapsed)")
    }

    @Test func firstCommonMinuteSameZone() throws {
        let every15 = try ScheduleParser.parseCalendar("*:0/15")
        let daily = try ScheduleParser.parseCalendar("*-*-* 03:15:30")
        let found = every15.firstCommonMinute(with: daily, after: utc(2026, 1, 1, 4), within: 86_400 * 2, localTimeZone: utcZone)
        #expect(found == utc(2026, 1, 2, 3, 15))
        let odd = try ScheduleParser.parseCalendar("*:1/15")
        #expect(every15.firstCommonMinute(with: odd, after: utc(2026, 1, 1), within: 86_400 * 365, localTimeZone: utcZone) == nil)
        let weekly = try ScheduleParser.parseCron("15 3 * * 1")
        #expect(daily.firstCommonMinute(with: weekly, after: utc(2026, 1, 1), within: 3 * 86_400, localTimeZone: utcZone) == nil)
        #expect(daily.firstCommonMinute(with: weekly, after: utc(2026, 1, 1), within: 7 * 86_400, localTimeZone: utcZone)
            == utc(2026, 1, 5, 3, 15))
    }

    @Test func firstCommonMinuteAcrossZones() throws {
        let berlinDaily = try ScheduleParser.parseCalendar("*-*-* 04:00 Europe/Berlin")
        let utcHourly = try ScheduleParser.parseCalendar("hourly UTC")
        // 04:00 in Berlin is 03:00 UTC in winter.
        #expect(berlinDaily.firstCommonMinute(with: utcHourly, after: utc(2026, 1, 1), within: 86_400) == utc(2026, 1, 1, 3))
        let utcAt0330 = try ScheduleParser.parseCalendar("03:30 UTC")
        #expect(berlinDaily.firstCommonMinute(with: utcAt0330, after: utc(2026, 1, 1), within: 86_400 * 30) == nil)
    }

    @Test func codableRoundTrip() throws {
        let schedule = try ScheduleParser.parseCron("0 0 1 * 1")
        let data = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(Schedule.self, from: data) == schedule)
    }
}
