import Foundation

extension Schedule {
    /// What cron and the systemd timer do with a job on the nights a host's clock changes, for a job
    /// that can start between 01:00 and 02:59 local time, the hours the changes of Europe, North America
    /// and Australia skip or repeat (Lord Howe's 30-minute change included).
    public enum ClockChangeBehaviour: Sendable, Equatable {
        /// Fixed hours and minutes in the cron line: on the night the clock jumps forward cron runs a
        /// skipped start right after the change and the timer skips it; on the night it goes back both
        /// run a repeated start once, at its first occurrence.
        case fixedTime
        /// A cron line whose minute or hour field starts with `*` (Debian's "wildcard job", e.g. hourly)
        /// that the timer cannot follow in UTC: on the night the clock goes back cron runs the repeated
        /// starts again (every real hour) and the timer once; on the night it jumps forward neither runs
        /// the skipped starts.
        case wildcard
        /// Every hour of every day on a server whose zone is known and whose offsets keep their minutes:
        /// the timer is written in UTC (`Schedule.timerEvents(on:)`), so both run every real hour.
        case everyRealHour

        /// What happens on those nights, in one sentence (BP504's message and `explain`).
        public var summary: String {
            switch self {
            case .fixedTime:
                "when the clock jumps forward cron runs a skipped start right after the change and the systemd timer skips it; "
                    + "when it goes back both run a repeated start once"
            case .wildcard:
                "when the clock goes back cron runs the repeated hour's starts again (every real hour) and the systemd timer once; "
                    + "when it jumps forward neither runs the skipped starts"
            case .everyRealHour:
                "cron and the systemd timer (written in UTC for the server's zone) both run every real hour, "
                    + "the repeated hour included"
            }
        }

        /// Whether cron and the timer differ on those nights (BP504 notes the job).
        public var differs: Bool { self != .everyRealHour }
    }

    /// How the job meets clock changes on a server whose clock is `host` (nil: unknown, so any zone),
    /// or nil when no event can start between 01:00 and 02:59 local time in a zone that changes its
    /// clock (BP504).
    public func clockChangeBehaviour(on host: HostClock?) -> ClockChangeBehaviour? {
        let localZoneChanges = host?.changesClock ?? true
        let timer = timerEvents(on: host)
        let exposed = events.indices.filter { index in
            let event = events[index]
            let zoneChanges = event.timeZone.map { HostClock.zone(named: $0).map { HostClock(zone: $0).changesClock } ?? false }
                ?? localZoneChanges
            return zoneChanges && event.hours.contains { $0 == 1 || $0 == 2 }
        }
        guard !exposed.isEmpty else { return nil }
        if exposed.allSatisfy({ timer[$0] != events[$0] }) { return .everyRealHour }
        guard case .success(let line) = cronLine() else { return .fixedTime }
        let fields = line.split(separator: " ")
        return fields[0].hasPrefix("*") || fields[1].hasPrefix("*") ? .wildcard : .fixedTime
    }
}
