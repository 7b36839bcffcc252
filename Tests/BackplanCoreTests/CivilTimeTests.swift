import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// `CivilTime` and `ZoneClock` against the C library and Foundation, the mechanisms they replaced:
/// `gmtime_r` with printf (the runtime's run times and IDs), `ISO8601DateFormatter` (BP314's message)
/// and `DateFormatter` in a zone (`explain`'s next runs).
@Suite("Civil time")
struct CivilTimeTests {
    /// Random instants from about 1200 BC to 5100 AD (the schedule search's range), with fractions.
    static func instants(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix(state: seed)
        let edges: [Double] = [0, -1, -0.5, 0.999, 951_868_799, 1_795_749_300.75, -62_167_219_200, 253_402_300_799]
        return edges + (0..<count).map { _ in
            Double(Int.random(in: -99_999_999_999...99_999_999_999, using: &rng)) + Double(Int.random(in: 0..<1000, using: &rng)) / 1000
        }
    }

    @Test func utcTextAgreesWithGmtime() {
        var mismatches: [String] = []
        for seconds in Self.instants(20_000, seed: 1) {
            var t = time_t(seconds.rounded(.down))
            var parts = tm()
            gmtime_r(&t, &parts)
            let fields = [Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                          Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)]
            let civil = CivilTime(utc: Date(timeIntervalSince1970: seconds))
            let extended = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
            let basic = String(format: "%04d%02d%02dT%02d%02d%02dZ", fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
            if civil.extendedUTC != extended || civil.basicUTC != basic || !civil.isValid
                || civil.secondsSinceEpoch != Int(seconds.rounded(.down)) {
                mismatches.append("\(seconds): \(civil.extendedUTC) \(civil.basicUTC), gmtime \(extended)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func extendedUTCAgreesWithISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        for seconds in Self.instants(2_000, seed: 2) where seconds >= 0 && seconds < 253_402_300_800 {
            let date = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(CivilTime(utc: date).extendedUTC == formatter.string(from: date))
        }
    }

    /// Offsets of whole, half and three-quarter hours, negative ones, and a zone that skipped a day (Kiritimati, 1994).
    @Test(arguments: ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                      "America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu", "Pacific/Kiritimati"])
    func minuteTextAgreesWithDateFormatter(_ name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm xxx"
        var rng = SplitMix(state: 3)
        // 1970 to 2100, and every quarter hour around two days of clock changes in 2026.
        var instants = (0..<3_000).map { _ in Int.random(in: 0...4_102_444_800, using: &rng) }
        var cursor = Date(timeIntervalSince1970: 1_767_225_600)
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change.timeIntervalSince1970 < 1_798_761_600 {
            let at = Int(change.timeIntervalSince1970)
            instants += stride(from: at - 86_400, through: at + 86_400, by: 900)
            cursor = change
        }
        let clock = ZoneClock(zone: zone)
        var mismatches: [String] = []
        for instant in instants {
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(instant)))
            let text = clock.minuteText(at: instant)
            if text != expected { mismatches.append("\(instant): \(text), DateFormatter \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func secondsRoundTripAndDaysAreContiguous() {
        for seconds in Self.instants(20_000, seed: 4) {
            let whole = Int(seconds.rounded(.down))
            let civil = CivilTime(secondsSinceEpoch: whole)
            #expect(civil.secondsSinceEpoch == whole)
            let nextDay = CivilTime(secondsSinceEpoch: whole + 86_400)
            #expect(nextDay.daysSinceEpoch == civil.daysSinceEpoch + 1 && nextDay.isoWeekday == civil.isoWeekday % 7 + 1)
        }
    }

    @Test func validity() {
        #expect(CivilTime(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 2023, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 2026, month: 4, day: 31).isValid)
        #expect(!CivilTime(year: 2026, month: 13, day: 1).isValid)
        #expect(!CivilTime(year: 2026, month: 1, day: 1, hour: 24).isValid)
        #expect(!CivilTime(year: 2026, month: 1, day: 1, second: 60).isValid)
        #expect(CivilTime(year: -5, month: 1, day: 1).basicUTC == "-0050101T000000Z")  // as printf's %04d
    }
}
