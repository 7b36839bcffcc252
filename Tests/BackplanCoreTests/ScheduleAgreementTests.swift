import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// Issue 10: the systemd timer, the cron line and `explain` fire at the same instants, in every time
/// zone and across every clock change, or differ exactly as documented and noted (BP504) for the job.
///
/// Random schedules in both syntaxes (`RandomSchedule`, seeded) are lowered by the compiler's own code
/// for a server in each zone (`onCalendarLines(on:)`, which writes every-hour events in UTC where the
/// zone allows, and `cronLine()`); hosts in UTC, Europe/Berlin, America/New_York and
/// Australia/Lord_Howe (a 30-minute shift); base times shortly before each clock change of 2026-2027 in
/// the host's zone and before two new years. Oracles: `systemd-analyze calendar` on the OnCalendar=
/// lines, croniter with Debian's day and DST rules on the cron line (scripts/schedule-oracle.py), and
/// `Schedule.nextInstants` (what `explain` prints). `BACKPLAN_SCHEDULE_SEED=N` replays another seed.
@Suite("Schedule: timer, cron and explain agree")
struct ScheduleAgreementTests {
    static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
    static let schedules = 700
    static let count = 40

    @Test func timerCronAndExplainAgree() throws {
        let seed = ProcessInfo.processInfo.environment["BACKPLAN_SCHEDULE_SEED"].flatMap { UInt64($0) } ?? 20_261_203
        var rng = SplitMix(seed: seed)
        let jobs = Self.jobs(&rng)
        var cases: [ScheduleOracleRunner.Case] = []
        var owners: [(job: Int, zone: TimeZone)] = []
        var inUTC: [String: Int] = [:]
        for zoneName in Self.zones {
            let zone = try #require(TimeZone(identifier: zoneName))
            let host = HostClock(zone: zone)
            let lines = jobs.map { $0.schedule.onCalendarLines(on: host) }
            inUTC[zoneName] = lines.filter { $0.contains { $0.hasSuffix(" UTC") } }.count
            for (job, lines) in zip(jobs, lines) {
                #expect(TimerEvaluation.problem(lines: lines, for: job.schedule, on: host) == nil,
                        "BP506 on '\(job.schedule.expression)' in \(zoneName)")
            }
            for base in Self.bases(zone, &rng) {
                for (index, job) in jobs.enumerated() {
                    cases.append(.init(zone: zoneName, base: base, lines: lines[index], cron: job.cron))
                    owners.append((index, zone))
                }
            }
        }
        let answers = try ScheduleOracleRunner.run(cases, count: Self.count)
        var tally = ScheduleDifference.Tally()
        for ((item, owner), answer) in zip(zip(cases, owners), answers) {
            let job = jobs[owner.job]
            let timer = Schedule(expression: job.schedule.expression, syntax: .calendar,
                                 events: job.schedule.timerEvents(on: HostClock(zone: owner.zone)))
            let explained = timer.nextInstants(after: Date(timeIntervalSince1970: TimeInterval(item.base)),
                                                      count: Self.count, localTimeZone: owner.zone)
                .map { Int($0.timeIntervalSince1970) }
            tally.add(ScheduleDifference.classify(job: job, zone: owner.zone, case: item, answer: answer,
                                                  explained: explained, count: Self.count))
        }
        print("schedule agreement (seed \(seed)): \(jobs.count) schedules, \(cases.count) job/zone/base cases, "
              + "\(tally.instants) instants from each oracle; documented: \(tally.documented); "
              + "timers written in UTC: \(inUTC.sorted { $0.key < $1.key })")
        let kinds = Dictionary(grouping: tally.unexplained) { String($0.prefix { $0 != ":" && $0 != "[" }) }.mapValues(\.count)
        print("unexplained, by kind: \(kinds.sorted { $0.key < $1.key })")
        #expect(tally.unexplained.isEmpty,
                "seed \(seed): \(tally.unexplained.count) unexplained differences; first:\n\(tally.unexplained.prefix(12).joined(separator: "\n"))")
    }

    /// Schedules that compile (cron can express them and they fire), each with its emitted lines.
    static func jobs(_ rng: inout SplitMix) -> [ScheduleDifference.Job] {
        var jobs: [ScheduleDifference.Job] = []
        var seen = Set<String>()
        while jobs.count < schedules {
            let (expression, syntax) = RandomSchedule.expression(&rng)
            guard seen.insert(expression).inserted else { continue }
            let parsed = syntax == .cron ? try? ScheduleParser.parseCron(expression) : try? ScheduleParser.parseCalendar(expression)
            guard let schedule = parsed, case .success(let cron) = schedule.cronLine(),
                  !schedule.nextInstants(after: Date(timeIntervalSince1970: 1_767_225_600), count: 1, localTimeZone: utcZone).isEmpty
            else { continue }
            jobs.append(.init(schedule: schedule, cron: cron))
            #expect(TimerEvaluation.problem(lines: schedule.onCalendarLines, for: schedule) == nil, "BP506 on '\(expression)'")
        }
        return jobs
    }

    /// Shortly (1 to 30 hours, at :30 seconds) before each clock change of 2026-2027 in `zone`, and
    /// before the new years 2027 and 2028 (steps in the day field meet the month's end there).
    static func bases(_ zone: TimeZone, _ rng: inout SplitMix) -> [Int] {
        var bases = [1_798_750_050, 1_830_286_050]  // 2026-12-31 21:07:30 UTC, 2027-12-31 21:07:30 UTC
        var cursor = Date(timeIntervalSince1970: 1_767_225_600)
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change.timeIntervalSince1970 < 1_830_297_600 {
            let before = Int(change.timeIntervalSince1970) - Int.random(in: 1...30, using: &rng) * 3600 - Int.random(in: 0...59, using: &rng) * 60
            bases.append(before - before % 60 + 30)
            cursor = change
        }
        return bases
    }
}
