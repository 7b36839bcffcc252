import Foundation

/// Converts between instants (seconds since the epoch) and wall times in one time zone; the zone's
/// offsets come from Foundation's `TimeZone` (the system's tz database), the civil fields from
/// `CivilTime`.
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

    /// Seconds the zone is ahead of UTC at `instant`.
    func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    func wall(at instant: Int) -> CivilTime {
        CivilTime(secondsSinceEpoch: instant + offset(at: instant))
    }

    /// Assumes at most one offset change within a day of `wall`, as in every real zone.
    func resolve(_ wall: CivilTime) -> Resolution {
        let local = wall.secondsSinceEpoch
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

    /// `Thu 2026-11-26 04:15 +01:00`: the wall time at `instant` to the minute, its weekday and the
    /// zone's offset (hours and minutes), as `explain` prints the next runs.
    func minuteText(at instant: Int) -> String {
        let offset = offset(at: instant)
        let wall = CivilTime(secondsSinceEpoch: instant + offset)
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][wall.isoWeekday - 1]
        let minutes = offset.magnitude / 60
        return "\(weekday) \(CivilTime.pad(wall.year, 4))-\(CivilTime.pad(wall.month, 2))-\(CivilTime.pad(wall.day, 2)) "
            + "\(CivilTime.pad(wall.hour, 2)):\(CivilTime.pad(wall.minute, 2)) "
            + "\(offset < 0 ? "-" : "+")\(CivilTime.pad(Int(minutes / 60), 2)):\(CivilTime.pad(Int(minutes % 60), 2))"
    }
}
