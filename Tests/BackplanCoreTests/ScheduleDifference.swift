import Foundation
@testable import BackplanCore

/// Sorts the differences between the three oracles of `ScheduleAgreementTests` into the documented
/// classes (docs/generated-files.md, "daylight saving") and the rest.
enum ScheduleDifference {
    struct Job {
        var schedule: Schedule
        var cron: String

        /// Debian's "wildcard job": the cron line's minute or hour field starts with `*` (read from the
        /// line itself, independently of `Schedule.clockChangeBehaviour`).
        var isWildcard: Bool {
            let fields = cron.split(separator: " ")
            return fields[0].hasPrefix("*") || fields[1].hasPrefix("*")
        }
    }

    /// The documented ways cron and the timer differ on clock-change nights, for a job noted BP504.
    enum Documented: String, CaseIterable {
        /// A fixed-time job whose wall time was skipped: cron runs it right after the change, the timer not.
        case cronRunsSkippedTimeAfterChange
        /// A wildcard job in the repeated hour: cron runs it at both occurrences, the timer at the first.
        case cronRunsRepeatedTimeAgain

        /// The kind of job (noted by BP504 with that text) for which this difference is documented.
        var behaviour: Schedule.ClockChangeBehaviour {
            switch self {
            case .cronRunsSkippedTimeAfterChange: .fixedTime
            case .cronRunsRepeatedTimeAgain: .wildcard
            }
        }
    }

    struct Tally {
        var instants = 0
        var documented: [String: Int] = [:]
        var unexplained: [String] = []

        mutating func add(_ result: (instants: Int, documented: [Documented], unexplained: [String])) {
            instants += result.instants
            for item in result.documented { documented[item.rawValue, default: 0] += 1 }
            unexplained += result.unexplained
        }
    }

    static func classify(job: Job, zone: TimeZone, case item: ScheduleOracleRunner.Case, answer: ScheduleOracleRunner.Answer,
                         explained: [Int], count: Int) -> (instants: Int, documented: [Documented], unexplained: [String]) {
        let context = "\(job.schedule.syntax) '\(job.schedule.expression)' in \(item.zone) from \(stamp(item.base)) "
            + "(OnCalendar=\(item.lines.joined(separator: "; ")), cron '\(job.cron)')"
        var unexplained: [String] = []
        if !answer.failed.isEmpty {
            unexplained.append("systemd-analyze cannot evaluate \(answer.failed): \(context)")
        }
        // Compare up to the last instant every full list reaches (a shorter list has ended).
        let lists = [answer.systemd, answer.cron, explained]
        let limit = lists.filter { $0.count == count }.compactMap(\.last).min() ?? Int.max
        let (timer, cron, explain) = (Set(answer.systemd.filter { $0 <= limit }), Set(answer.cron.filter { $0 <= limit }),
                                      Set(explained.filter { $0 <= limit }))
        if timer != explain {
            unexplained.append("explain ≠ timer: explain only \(stamps(explain.subtracting(timer))), "
                               + "timer only \(stamps(timer.subtracting(explain))): \(context)")
        }
        var documented: [Documented] = []
        var cronOnly = Set<Int>(), timerOnly = Set<Int>()
        let behaviour = job.schedule.clockChangeBehaviour(on: HostClock(zone: zone))
        let noted = behaviour?.differs == true
        for instant in timer.symmetricDifference(cron) {
            if let kind = documentedKind(instant, inCronOnly: cron.contains(instant), job: job, zone: zone), kind.behaviour == behaviour {
                documented.append(kind)
            } else if cron.contains(instant) {
                cronOnly.insert(instant)
            } else {
                timerOnly.insert(instant)
            }
        }
        if !cronOnly.isEmpty || !timerOnly.isEmpty {
            unexplained.append("cron ≠ timer\(noted ? "" : " (no BP504)"): cron only \(stamps(cronOnly)), "
                               + "timer only \(stamps(timerOnly)): \(context)")
        }
        return (timer.count, documented, unexplained)
    }

    /// The documented class of an instant at which only one of cron and the timer fires, if any.
    static func documentedKind(_ instant: Int, inCronOnly: Bool, job: Job, zone: TimeZone) -> Documented? {
        guard inCronOnly else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(instant))
        let before = zone.secondsFromGMT(for: date.addingTimeInterval(-1))
        let now = zone.secondsFromGMT(for: date)
        if !job.isWildcard, now > before { return .cronRunsSkippedTimeAfterChange }
        // In a repeated hour: the same wall time was shown `shift` seconds earlier, under the larger offset.
        if job.isWildcard {
            let shift = (2 * 3600)
            for back in stride(from: 60, through: shift, by: 60) {
                let earlier = date.addingTimeInterval(TimeInterval(-back))
                if zone.secondsFromGMT(for: earlier) - now == back { return .cronRunsRepeatedTimeAgain }
            }
        }
        return nil
    }

    static func stamp(_ instant: Int) -> String {
        iso([Date(timeIntervalSince1970: TimeInterval(instant))])[0]
    }

    static func stamps(_ instants: Set<Int>) -> String {
        "[" + instants.sorted().prefix(4).map(stamp).joined(separator: ", ") + (instants.count > 4 ? ", …" : "") + "]"
    }
}
