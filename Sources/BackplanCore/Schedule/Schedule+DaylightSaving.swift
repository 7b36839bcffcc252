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
        /// A cron line whose minute or hour field starts with `*` (Debian's "wildcard job", e.g. hourly):
        /// on the night the clock goes back cron runs the repeated starts again (every real hour) and the
        /// timer once; on the night it jumps forward neither runs the skipped starts.
        case wildcard

        /// What happens on those nights, in one sentence (BP504's message and `explain`).
        public var summary: String {
            switch self {
            case .fixedTime:
                "when the clock jumps forward cron runs a skipped start right after the change and the systemd timer skips it; "
                    + "when it goes back both run a repeated start once"
            case .wildcard:
                "when the clock goes back cron runs the repeated hour's starts again (every real hour) and the systemd timer once; "
                    + "when it jumps forward neither runs the skipped starts"
            }
        }
    }

    /// How the job meets clock changes, or nil when no event can start between 01:00 and 02:59 local
    /// time in a zone that observes daylight saving (BP504).
    public var clockChangeBehaviour: ClockChangeBehaviour? {
        let exposed = events.contains { event in
            let zoneObservesDST = event.timeZone.map { TimeZone(identifier: $0)?.nextDaylightSavingTimeTransition != nil } ?? true
            return zoneObservesDST && event.hours.contains { $0 == 1 || $0 == 2 }
        }
        guard exposed else { return nil }
        guard case .success(let line) = cronLine() else { return .fixedTime }
        let fields = line.split(separator: " ")
        return fields[0].hasPrefix("*") || fields[1].hasPrefix("*") ? .wildcard : .fixedTime
    }
}
