import Foundation

/// A civil date and time: proleptic Gregorian fields with no zone and no leap second.
///
/// The one place backplan converts between seconds since the epoch, civil fields and their text.
/// Read as UTC, a civil time is an instant: a snapshot ID (`SnapshotTime`, whose fields retention
/// buckets) and the run times the runtime writes (`RunClock`). Read in a zone, it is a wall time:
/// the schedule search and `explain` get theirs from `ZoneClock`. Any year works here (the schedule
/// search starts from any instant); `SnapshotTime` is the checked one, years 0000–9999.
public struct CivilTime: Hashable, Comparable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// The fields as given, unchecked (`isValid` says whether they name a day and a time).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// The civil time `seconds` after 1970-01-01T00:00:00: the UTC time of that instant, or the wall
    /// time in a zone when `seconds` includes the zone's offset.
    public init(secondsSinceEpoch seconds: Int) {
        let days = Self.floorDiv(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (y, m, d) = Self.civil(fromDays: days)
        self.init(year: y, month: m, day: d, hour: rest / 3_600, minute: rest % 3_600 / 60, second: rest % 60)
    }

    /// The UTC time of `date`, its fraction of a second dropped (rounded down, as `gmtime` does).
    public init(utc date: Date) {
        self.init(secondsSinceEpoch: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// Seconds since 1970-01-01T00:00:00 of this time read as UTC (negative before).
    public var secondsSinceEpoch: Int { daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { Self.daysSinceEpoch(year: year, month: month, day: day) }

    /// True when the fields name a day and a time: month 1–12, a day of that month, hour 0–23,
    /// minute and second 0–59.
    public var isValid: Bool {
        (1...12).contains(month) && (1...Self.daysInMonth(year: year, month: month)).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
    }

    /// ISO 8601 weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int { ((daysSinceEpoch % 7 + 7 + 3) % 7) + 1 }  // 1970-01-01 was a Thursday

    /// ISO 8601 week-numbering year and week (1–53), like Go's `time.Time.ISOWeek` and GNU date's
    /// `%G` and `%V`: the week belongs to the year of its Thursday (2026-12-31 is 2026-W53,
    /// 2027-01-01 too; 2024-12-30 is 2025-W01).
    public var isoWeek: (year: Int, week: Int) {
        let thursday = daysSinceEpoch - isoWeekday + 4
        var weekYear = year
        if thursday < Self.daysSinceEpoch(year: year, month: 1, day: 1) {
            weekYear -= 1
        } else if thursday >= Self.daysSinceEpoch(year: year + 1, month: 1, day: 1) {
            weekYear += 1
        }
        return (weekYear, (thursday - Self.daysSinceEpoch(year: weekYear, month: 1, day: 1)) / 7 + 1)
    }

    /// ISO 8601's basic format in UTC, `20261127T031500Z`: a snapshot ID.
    public var basicUTC: String {
        Self.pad(year, 4) + Self.pad(month, 2) + Self.pad(day, 2) + "T"
            + Self.pad(hour, 2) + Self.pad(minute, 2) + Self.pad(second, 2) + "Z"
    }

    /// ISO 8601's extended format in UTC, `2026-11-27T03:15:00Z`: the times of runs.jsonl and SNAPSHOT.json.
    public var extendedUTC: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) + "T"
            + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2) + "Z"
    }

    public static func < (lhs: CivilTime, rhs: CivilTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`, with floor division so years
    /// before 1 work too).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Year, month and day of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// `value` in decimal, zero-padded to `width` characters like printf's `%0*d` (a minus sign counts).
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }
}
