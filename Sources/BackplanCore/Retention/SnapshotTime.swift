/// The UTC time a snapshot ID names: `YYYYMMDDTHHMMSSZ`, e.g. `20261127T031500Z` (docs/run-contract.md, "Snapshot layout");
/// the shape is `RunContract.idPattern`, which this parser matches and narrows to dates that exist.
///
/// Retention reads a snapshot's time from its ID only. Dates are proleptic Gregorian, years 0000–9999;
/// seconds run 00–59 (no leap second). Anything else (other lengths, lower-case letters, spaces, a
/// trailing `\r`, 31 April, 29 February of a common year) is not an ID.
public struct SnapshotTime: Hashable, Comparable, Sendable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    /// Parses an ID; nil when `id` is not exactly a valid `YYYYMMDDTHHMMSSZ`.
    public init?(id: String) {
        var (year, month, day, hour, minute, second) = (0, 0, 0, 0, 0, 0)
        var count = 0
        for byte in id.utf8 {
            defer { count += 1 }
            let digit = Int(byte) - 48
            switch count {
            case 8: guard byte == UInt8(ascii: "T") else { return nil }
            case 15: guard byte == UInt8(ascii: "Z") else { return nil }
            case 16...: return nil
            default: guard (0...9).contains(digit) else { return nil }
            }
            switch count {
            case 0..<4: year = year * 10 + digit
            case 4, 5: month = month * 10 + digit
            case 6, 7: day = day * 10 + digit
            case 9, 10: hour = hour * 10 + digit
            case 11, 12: minute = minute * 10 + digit
            case 13, 14: second = second * 10 + digit
            default: break
            }
        }
        guard count == 16 else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// A time from its fields; nil when they name no instant (month 13, 30 February, hour 24, …).
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
              (1...Self.daysInMonth(year: year, month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// The time `seconds` after 1970-01-01T00:00:00Z (the ID of a run starting then); nil outside
    /// years 0000–9999.
    public init?(secondsSinceEpoch seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        // Howard Hinnant's `civil_from_days`.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day, hour: time / 3_600, minute: time % 3_600 / 60, second: time % 60)
    }

    /// The ID naming this time.
    public var id: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2) + "Z"
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { Self.daysSinceEpoch(year: year, month: month, day: day) }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    public var secondsSinceEpoch: Int { daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second }

    /// ISO 8601 weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int { ((daysSinceEpoch % 7 + 7 + 3) % 7) + 1 }

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

    public static func < (lhs: SnapshotTime, rhs: SnapshotTime) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's `days_from_civil`, with floor division so years before 1 work too.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
