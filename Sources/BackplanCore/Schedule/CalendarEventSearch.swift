import Foundation

/// Finds the instants at which one calendar event fires, field by field like systemd's
/// `find_next` (never second by second).
///
/// Wall times are searched in the event's zone. As in `find_next`, the wall time is checked after
/// each field from the day down is chosen: one skipped by a clock change moves the search to the wall
/// time after the change, with the fields below the first changed one reset, and the search starts
/// again there (so `02:30` does not fire on the day clocks jump from 02:00 to 03:00, `*:0/15` fires at
/// 03:00, and on Lord Howe's jump from 02:00 to 02:30 `*:22,39` fires at 02:39); a wall time that
/// happens twice fires once, at the first occurrence. This is what systemd does (checked against
/// `systemd-analyze calendar` in the tests).
struct CalendarEventSearch: Sendable {
    let event: CalendarEvent
    let clock: ZoneClock

    /// The first instant strictly after `instant` (seconds since the epoch), or nil if none
    /// before the year 2200.
    func next(after instant: Int) -> Int? {
        guard !event.isEmpty else { return nil }
        var cursor = clock.wall(at: instant + 1)
        for _ in 0..<10_000 {
            guard let wall = nextWall(from: cursor) else { return nil }
            switch clock.resolve(wall) {
            case .instants(let instants):
                if let found = instants.first(where: { $0 > instant }) { return found }
                cursor = CivilTime(secondsSinceEpoch: wall.secondsSinceEpoch + 1)
            case .skipped(let shiftedInstant):
                cursor = Self.resetBelowFirstChange(from: wall, to: clock.wall(at: shiftedInstant))
            }
        }
        return nil
    }

    /// systemd's `tm_within_bounds`: keep the normalized time, zeroing the fields below the
    /// highest one that normalization changed.
    static func resetBelowFirstChange(from wall: CivilTime, to shifted: CivilTime) -> CivilTime {
        var result = shifted
        if shifted.year != wall.year {
            (result.month, result.day, result.hour, result.minute, result.second) = (1, 1, 0, 0, 0)
        } else if shifted.month != wall.month {
            (result.day, result.hour, result.minute, result.second) = (1, 0, 0, 0)
        } else if shifted.day != wall.day {
            (result.hour, result.minute, result.second) = (0, 0, 0)
        } else if shifted.hour != wall.hour {
            (result.minute, result.second) = (0, 0)
        } else if shifted.minute != wall.minute {
            result.second = 0
        }
        return max(result, CivilTime(secondsSinceEpoch: wall.secondsSinceEpoch + 1))
    }

    /// The first wall time at or after `start` whose fields all match, stepping over skipped wall
    /// times as systemd does (`skippedTo`), or nil if none before 2200.
    func nextWall(from start: CivilTime) -> CivilTime? {
        var t = start
        for _ in 0..<100_000 {
            guard t.year <= CalendarField.year.bounds.upperBound else { return nil }
            guard let year = Self.first(event.years, atLeast: t.year) else { return nil }
            if year != t.year { t = CivilTime(year: year, month: 1, day: 1) }
            guard let month = Self.first(event.months, atLeast: t.month) else {
                t = CivilTime(year: t.year + 1, month: 1, day: 1)
                continue
            }
            if month != t.month { t = CivilTime(year: t.year, month: month, day: 1) }
            let length = CivilTime.daysInMonth(year: t.year, month: t.month)
            guard let day = Self.first(event.days, atLeast: t.day), day <= length else {
                t = Self.startOfNextMonth(t)
                continue
            }
            if day != t.day { t = CivilTime(year: t.year, month: t.month, day: day) }
            if let moved = skippedTo(t) {
                t = moved
                continue
            }
            if let weekdays = event.weekdays, !weekdays.contains(t.isoWeekday) {
                t = Self.startOfNextDay(t)
                continue
            }
            guard let hour = Self.first(event.hours, atLeast: t.hour) else {
                t = Self.startOfNextDay(t)
                continue
            }
            if hour != t.hour { (t.hour, t.minute, t.second) = (hour, 0, 0) }
            if let moved = skippedTo(t) {
                t = moved
                continue
            }
            guard let minute = Self.first(event.minutes, atLeast: t.minute) else {
                t = t.hour == 23 ? Self.startOfNextDay(t) : CivilTime(year: t.year, month: t.month, day: t.day, hour: t.hour + 1)
                continue
            }
            if minute != t.minute { (t.minute, t.second) = (minute, 0) }
            if let moved = skippedTo(t) {
                t = moved
                continue
            }
            guard let second = Self.first(event.seconds, atLeast: t.second) else {
                t = CivilTime(secondsSinceEpoch: t.secondsSinceEpoch - t.second + 60)
                continue
            }
            t.second = second
            return t
        }
        return nil
    }

    /// systemd's `tm_within_bounds`: where the search goes on when the clock skipped `t`, else nil.
    private func skippedTo(_ t: CivilTime) -> CivilTime? {
        guard case .skipped(let shifted) = clock.resolve(t) else { return nil }
        return Self.resetBelowFirstChange(from: t, to: clock.wall(at: shifted))
    }

    private static func first(_ values: [Int]?, atLeast minimum: Int) -> Int? {
        guard let values else { return minimum }
        return values.first { $0 >= minimum }
    }

    private static func startOfNextMonth(_ t: CivilTime) -> CivilTime {
        t.month == 12 ? CivilTime(year: t.year + 1, month: 1, day: 1) : CivilTime(year: t.year, month: t.month + 1, day: 1)
    }

    private static func startOfNextDay(_ t: CivilTime) -> CivilTime {
        CivilTime(secondsSinceEpoch: (t.daysSinceEpoch + 1) * 86_400)
    }
}
