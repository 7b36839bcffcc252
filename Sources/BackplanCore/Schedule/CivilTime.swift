import Foundation

/// A wall-clock time (proleptic Gregorian, no zone), with the arithmetic the instant search needs.
struct CivilTime: Hashable, Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// The wall time that is `seconds` after 1970-01-01 00:00:00.
    init(seconds: Int) {
        let days = Self.floorDiv(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (y, m, d) = Self.civil(fromDays: days)
        self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }

    /// Seconds since 1970-01-01 00:00:00 of this wall time read as UTC.
    var seconds: Int {
        Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// ISO weekday, 1 = Monday … 7 = Sunday.
    var isoWeekday: Int {
        let days = Self.days(year: year, month: month, day: day)
        return ((days % 7 + 7 + 3) % 7) + 1  // 1970-01-01 was a Thursday
    }

    static func < (lhs: CivilTime, rhs: CivilTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// Converts between instants (seconds since the epoch) and wall times in one time zone.
struct ZoneClock: Sendable {
    let zone: TimeZone

    /// How a wall time maps to instants.
    enum Resolution: Equatable {
        /// One instant, or two (earlier first) when clocks were set back and the time repeats.
        case instants([Int])
        /// The wall time was skipped when clocks were set forward; the payload is the instant
        /// read with the offset before the change (glibc `mktime`'s answer), whose wall time is later.
        case skipped(Int)
    }

    func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    func wall(at instant: Int) -> CivilTime {
        CivilTime(seconds: instant + offset(at: instant))
    }

    /// Assumes at most one offset change within a day of `wall`, as in every real zone.
    func resolve(_ wall: CivilTime) -> Resolution {
        let local = wall.seconds
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        if before == after {
            let guess = local - before
            return .instants([local - offset(at: guess)])
        }
        let candidates = [local - before, local - after].filter { offset(at: $0) == local - $0 }
        if candidates.isEmpty { return .skipped(local - before) }
        return .instants(Array(Set(candidates)).sorted())
    }
}
