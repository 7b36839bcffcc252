import Foundation

extension Schedule {
    /// The next `count` instants at which the schedule fires, strictly after `date`, sorted and
    /// without duplicates (the union of all events).
    ///
    /// Each event is evaluated in its own time zone, or in `localTimeZone` when it has none (the
    /// zone of the host the job runs on). Clock changes are handled like systemd (see
    /// `CalendarEventSearch`). Fewer than `count` instants come back when the schedule stops
    /// firing (a past year, the year 2200, or an event with an unknown time zone name).
    public func nextInstants(after date: Date, count: Int, localTimeZone: TimeZone = .current) -> [Date] {
        guard count > 0, let start = Self.seconds(date) else { return [] }
        let searches = events.compactMap { event -> CalendarEventSearch? in
            if let name = event.timeZone, TimeZone(identifier: name) == nil { return nil }
            return CalendarEventSearch(event: event, clock: ZoneClock(zone: Self.zone(event, localTimeZone)))
        }
        var heads = searches.map { $0.next(after: start) }
        var result: [Date] = []
        while result.count < count, let earliest = heads.compactMap({ $0 }).min() {
            result.append(Date(timeIntervalSince1970: TimeInterval(earliest)))
            for index in heads.indices where heads[index] == earliest {
                heads[index] = searches[index].next(after: earliest)
            }
        }
        return result
    }

    /// The first minute (a `Date` at a whole minute) in which both schedules fire at instants
    /// strictly after `date`, if it starts no later than `date + within`; nil if there is none.
    ///
    /// Pairs of events in the same zone are intersected field by field (seconds ignored) and the
    /// intersection's first instant is confirmed against both schedules. Events in different zones
    /// are compared by stepping each schedule to the other's next firing minute (at most 100,000
    /// steps). Used to warn about two jobs writing the same target in the same minute.
    public func firstCommonMinute(
        with other: Schedule, after date: Date, within interval: TimeInterval, localTimeZone: TimeZone = .current
    ) -> Date? {
        guard let start = Self.seconds(date), interval >= 0, interval.isFinite else { return nil }
        let limit = start + Int(min(interval, 1e10))
        var crossZone = false
        var best: Int?
        for mine in events {
            for theirs in other.events {
                guard mine.timeZone == theirs.timeZone else {
                    crossZone = true
                    continue
                }
                let both = mine.intersection(theirs, ignoringSeconds: true)
                let search = CalendarEventSearch(event: both, clock: ZoneClock(zone: Self.zone(both, localTimeZone)))
                if let found = search.next(after: Self.minute(of: start) - 1), found <= limit, found < best ?? .max {
                    best = found
                }
            }
        }
        if !crossZone {
            guard let best else { return nil }
            if firesIn(minute: best, after: start, localTimeZone), other.firesIn(minute: best, after: start, localTimeZone) {
                return Date(timeIntervalSince1970: TimeInterval(best))
            }
        }
        return leapfrog(other, from: start, limit: limit, localTimeZone).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Steps both schedules forward, each to the other's next firing minute, until they meet.
    private func leapfrog(_ other: Schedule, from start: Int, limit: Int, _ zone: TimeZone) -> Int? {
        var minute = Self.minute(of: start)
        for _ in 0..<100_000 {
            guard let mine = firstMinute(from: minute, after: start, zone), mine <= limit,
                  let theirs = other.firstMinute(from: mine, after: start, zone), theirs <= limit else { return nil }
            if mine == theirs { return mine }
            minute = theirs
        }
        return nil
    }

    /// The minute of the first instant after both `start` and `minute - 1`.
    private func firstMinute(from minute: Int, after start: Int, _ zone: TimeZone) -> Int? {
        let after = Date(timeIntervalSince1970: TimeInterval(max(start, minute - 1)))
        return nextInstants(after: after, count: 1, localTimeZone: zone).first.map { Self.minute(of: Int($0.timeIntervalSince1970)) }
    }

    private func firesIn(minute: Int, after start: Int, _ zone: TimeZone) -> Bool {
        firstMinute(from: minute, after: start, zone) == minute
    }

    static func minute(of seconds: Int) -> Int {
        CivilTime.floorDiv(seconds, 60) * 60
    }

    static func zone(_ event: CalendarEvent, _ localTimeZone: TimeZone) -> TimeZone {
        event.timeZone.flatMap(TimeZone.init(identifier:)) ?? localTimeZone
    }

    /// Whole seconds of `date` (rounded down), or nil when out of any sensible range.
    static func seconds(_ date: Date) -> Int? {
        let value = date.timeIntervalSince1970.rounded(.down)
        guard value.isFinite, abs(value) < 1e11 else { return nil }
        return Int(value)
    }
}
