import Foundation

/// The clock of the server a plan's jobs run on, as cron and systemd read local times: the zone of
/// `/etc/localtime`, recorded by `backplan detect` in the saved deployment (`host.time_zone`).
///
/// It decides how an hourly schedule meets the night the clock goes back: a systemd calendar event
/// fires a repeated wall time once, while Debian's cron runs an hour-wildcard job again in the repeated
/// hour. An event that fires every hour of every day is the same set of instants in UTC with the
/// minutes shifted by the zone's offset, as long as that offset's minutes never change (Europe/Berlin
/// +01:00/+02:00, Australia/Adelaide +09:30/+10:30; not Australia/Lord_Howe +10:30/+11:00); written in
/// UTC, the timer then fires every real hour, as cron does (docs/generated-files.md, "daylight saving").
public struct HostClock: Sendable, Hashable {
    public let zone: TimeZone
    /// The offsets from UTC, in seconds, that the zone uses over the years `TimerEvaluation` checks
    /// (2026-2035), read once.
    let offsets: Set<Int>

    public init(zone: TimeZone) {
        self.zone = zone
        self.offsets = Self.offsets(of: zone)
    }

    /// The clock of a saved deployment, nil when it records no zone or one this system does not know.
    public init?(_ deployment: Deployment?) {
        guard let name = deployment?.host?.timeZone, let zone = Self.zone(named: name) else { return nil }
        self.init(zone: zone)
    }

    /// A zone by its IANA name (`Europe/Berlin`, `UTC`); nil for anything else, including names that are
    /// not plain zone names (Foundation would read them as paths under the zone database).
    public static func zone(named name: String) -> TimeZone? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.count <= 64,
              parts.allSatisfy({ part in
                  !part.isEmpty && part.first != "." && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0)) }
              })
        else { return nil }
        return TimeZone(identifier: name)
    }

    static func offsets(of zone: TimeZone) -> Set<Int> {
        var offsets: Set<Int> = []
        var cursor = Date(timeIntervalSince1970: TimeInterval(TimerEvaluation.horizon.lowerBound))
        offsets.insert(zone.secondsFromGMT(for: cursor))
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor),
              Int(change.timeIntervalSince1970) < TimerEvaluation.horizon.upperBound {
            offsets.insert(zone.secondsFromGMT(for: change))
            cursor = change
        }
        return offsets
    }

    /// Whether the zone's clock goes forward or back in those years.
    public var changesClock: Bool { offsets.count > 1 }

    /// The minutes to subtract from a local minute to get the UTC minute, when the same for every
    /// offset the zone uses (whole minutes); nil otherwise.
    var utcMinuteShift: Int? {
        let shifts = Set(offsets.map { offset -> Int? in offset % 60 == 0 ? ((offset / 60) % 60 + 60) % 60 : nil })
        guard shifts.count == 1, let shift = shifts.first else { return nil }
        return shift
    }
}

extension CalendarEvent {
    /// Every hour of every day in the host's local time (`hourly`, `*:07`, `*:*:30`).
    var isEveryHourOfEveryDay: Bool {
        timeZone == nil && weekdays == nil && years == nil && months == nil && days == nil
            && hours.count == CalendarField.hour.bounds.count
    }

    /// This every-hour event as the same instants in UTC, for a zone whose offset has `shift` minutes.
    func inUTC(minuteShift shift: Int) -> CalendarEvent {
        CalendarEvent(hours: hours, minutes: minutes.map { (($0 - shift) % 60 + 60) % 60 }, seconds: seconds, timeZone: "UTC")
    }
}

extension Schedule {
    /// The events the systemd timer is written with on a server whose clock is `host` (nil: unknown).
    ///
    /// Where the zone changes its clock and an event fires every hour of every day, the event is
    /// written in UTC (`HostClock`), so that the timer fires every real hour on the night the clock
    /// goes back, as cron does. Everything else is written as the schedule says, in local time.
    public func timerEvents(on host: HostClock?) -> [CalendarEvent] {
        guard let host, host.changesClock, let shift = host.utcMinuteShift else { return events }
        return events.map { $0.isEveryHourOfEveryDay ? $0.inUTC(minuteShift: shift) : $0 }
    }

    /// The `OnCalendar=` values of `timerEvents(on:)`, one per event.
    public func onCalendarLines(on host: HostClock?) -> [String] {
        timerEvents(on: host).map(\.onCalendarLine)
    }
}
