/// The UTC time a snapshot ID names: `YYYYMMDDTHHMMSSZ`, e.g. `20261127T031500Z` (docs/run-contract.md, "Snapshot layout");
/// the shape is `RunContract.idPattern`, which this parser matches and narrows to dates that exist.
///
/// Retention reads a snapshot's time from its ID only. Dates are proleptic Gregorian, years 0000–9999;
/// seconds run 00–59 (no leap second). Anything else (other lengths, lower-case letters, spaces, a
/// trailing `\r`, 31 April, 29 February of a common year) is not an ID. The fields and the calendar
/// arithmetic (`secondsSinceEpoch`, `isoWeek`, …) are the `CivilTime`'s it wraps, read as members.
@dynamicMemberLookup
public struct SnapshotTime: Hashable, Comparable, Sendable {
    /// The time's fields, always valid and in years 0000–9999.
    public let civil: CivilTime

    /// The time `civil` names; nil when it is no valid time (`CivilTime.isValid`) or outside years 0000–9999.
    public init?(_ civil: CivilTime) {
        guard (0...9999).contains(civil.year), civil.isValid else { return nil }
        self.civil = civil
    }

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
        self.init(CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// The time `seconds` after 1970-01-01T00:00:00Z (the ID of a run starting then); nil outside
    /// years 0000–9999.
    public init?(secondsSinceEpoch seconds: Int) {
        self.init(CivilTime(secondsSinceEpoch: seconds))
    }

    /// The ID naming this time.
    public var id: String { civil.basicUTC }

    /// The civil fields and arithmetic: `year`, …, `second`, `secondsSinceEpoch`, `isoWeek`, ….
    public subscript<Value>(dynamicMember member: KeyPath<CivilTime, Value>) -> Value { civil[keyPath: member] }

    public static func < (lhs: SnapshotTime, rhs: SnapshotTime) -> Bool { lhs.civil < rhs.civil }
}
