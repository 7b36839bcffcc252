import Foundation

extension Schedule {
    /// True when an event starts between 01:00 and 02:59 local time (at fixed hours) in a zone that
    /// observes daylight saving: where clock changes (EU 02:00→03:00 and back, US 02:00 forward and
    /// 02:00→01:00 back) make cron and systemd timers disagree (BP504).
    public var startsInClockChangeHours: Bool {
        events.contains { event in
            let zoneObservesDST = event.timeZone.map { TimeZone(identifier: $0)?.nextDaylightSavingTimeTransition != nil } ?? true
            return zoneObservesDST && event.hours.count < 24 && event.hours.contains { $0 == 1 || $0 == 2 }
        }
    }
}
