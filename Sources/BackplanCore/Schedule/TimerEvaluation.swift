import Foundation

/// Whether the systemd timer can evaluate the `OnCalendar=` lines emitted for a schedule over the
/// years ahead (BP506), judged by backplan's own model, the search `explain` uses (systemd is never
/// called at check time).
///
/// Each line must be one of the schedule's events exactly as systemd reads it (parsed back with the
/// systemd calendar parser), must have no `/` repetition (systemd 252 misses instants of stepped
/// dates and can stop with "Infinite loop in calendar calculation" near a clock change), and the
/// search must find its next instant from shortly before every clock change and every new year from
/// 2026 to 2035 on hosts in UTC, Europe/Berlin, America/New_York and Australia/Lord_Howe (and in the
/// event's own zone), unless the event's years have ended.
public enum TimerEvaluation {
    static let hostZones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
    /// 2026-01-01T00:00:00Z and 2036-01-01T00:00:00Z.
    static let horizon = 1_767_225_600..<2_082_758_400

    /// What is wrong with `lines` as the timer of `schedule` on a server whose clock is `host` (the
    /// lines must be its `timerEvents(on:)`), or nil when systemd evaluates them.
    public static func problem(lines: [String], for schedule: Schedule, on host: HostClock? = nil) -> String? {
        let events = schedule.timerEvents(on: host)
        guard lines.count == events.count else {
            return "\(lines.count) OnCalendar= lines for \(events.count) calendar events"
        }
        for (line, event) in zip(lines, events) {
            if line.dropLast(event.timeZone?.count ?? 0).contains("/") {
                return "'\(line)' has a '/' repetition, which systemd 252 mis-evaluates (it misses instants or stops with \"Infinite loop in calendar calculation\")"
            }
            guard let parsed = try? ScheduleParser.parseCalendar(line), parsed.events == [event] else {
                return "systemd reads '\(line)' as another event than the schedule's"
            }
            if let problem = searchProblem(line, event) { return problem }
        }
        return nil
    }

    private static func searchProblem(_ line: String, _ event: CalendarEvent) -> String? {
        let zones = event.timeZone.map { [$0] } ?? hostZones
        for name in zones {
            guard let zone = TimeZone(identifier: name) else { return "unknown time zone '\(name)' in '\(line)'" }
            let search = CalendarEventSearch(event: event, clock: ZoneClock(zone: zone))
            guard search.next(after: horizon.lowerBound) != nil else { continue }  // never fires: BP505
            for base in bases(zone) where canFire(event, after: base) && search.next(after: base) == nil {
                return "no next instant of '\(line)' after \(Date(timeIntervalSince1970: TimeInterval(base))) on a host in \(name)"
            }
        }
        return nil
    }

    /// Two hours before each clock change of `zone`, and a day before each new year, in the horizon.
    static func bases(_ zone: TimeZone) -> [Int] {
        var bases = stride(from: 2026, to: 2036, by: 1).map { CivilTime(year: $0, month: 1, day: 1).secondsSinceEpoch - 86_400 }
        var cursor = Date(timeIntervalSince1970: TimeInterval(horizon.lowerBound))
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), Int(change.timeIntervalSince1970) < horizon.upperBound {
            bases.append(Int(change.timeIntervalSince1970) - 7200)
            cursor = change
        }
        return bases.sorted()
    }

    private static func canFire(_ event: CalendarEvent, after base: Int) -> Bool {
        guard let last = event.years?.last else { return true }
        return last > CivilTime(secondsSinceEpoch: base).year + 1
    }
}
