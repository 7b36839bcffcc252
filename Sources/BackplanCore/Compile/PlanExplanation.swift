import Foundation

/// A compiled plan in words: what each job captures, where it goes, when it runs next.
public enum PlanExplanation {
    /// The text `backplan explain` prints for a server whose clock is `host` (from the saved
    /// deployment; nil: not recorded, so times are shown in `localZone`, this machine's); `now` makes
    /// it testable. The next runs are those of the emitted `OnCalendar=` lines: what the timer does.
    public static func render(_ plan: CompiledPlan, next count: Int, now: Date, host: HostClock?, localZone: TimeZone) -> String {
        let zone = host?.zone ?? localZone
        var out = "plan \(plan.name) (\(plan.source))\n  data dir: \(plan.dataDir)\n  state dir: \(plan.stateDir)\n"
        out += "  server time zone: " + (host.map { "\($0.zone.identifier) (saved deployment)" }
            ?? "not recorded (times in this machine's zone, \(localZone.identifier))") + "\n"
        if let compose = plan.compose {
            out += "  compose: \(compose.command.joined(separator: " ")) -f \(compose.file)\(compose.project.map { " -p \($0)" } ?? ""), service \(compose.service)\n"
        }
        if let container = plan.container {
            out += "  container: \(container.name) (\(container.command.joined(separator: " ")))\n"
        }
        for job in plan.jobs {
            out += "\njob \(job.name): \(job.schedule.expression)\n"
            out += "  systemd: \(job.schedule.onCalendar.joined(separator: "; "))   cron: \(job.schedule.cron)\n"
            let sources = job.sources.compactMap { plan.source(named: $0) }.map { "\($0.name) (\($0.kind.rawValue) \($0.path))" }
            out += "  sources: \(sources.joined(separator: ", "))\n"
            let targets = job.targets.compactMap { plan.target(named: $0) }.map { "\($0.name) (\(describe($0)))" }
            out += "  targets: \(targets.joined(separator: ", "))\n"
            out += "  quiesce: \(describe(job.quiesce))\n"
            out += "  retention: \(job.retention.map(describe) ?? "none: every snapshot is kept")\n"
            out += "  verify: \(job.verify.rawValue)\(job.jitterSeconds.map { "   jitter: up to \(Duration(seconds: $0))" } ?? "")\n"
            let timer = Schedule(expression: job.schedule.expression, syntax: .calendar,
                                 events: job.schedule.onCalendar.flatMap { (try? ScheduleParser.parseCalendar($0).events) ?? [] })
            let instants = timer.nextInstants(after: now, count: count, localTimeZone: zone)
            let next = instants.map { ZoneClock(zone: zone).minuteText(at: Int($0.timeIntervalSince1970)) }
            out += "  next: " + (next.isEmpty ? "never" : next.joined(separator: ", ")) + "\n"
            let parsed = job.schedule.syntax == .cron ? try? ScheduleParser.parseCron(job.schedule.expression)
                : try? ScheduleParser.parseCalendar(job.schedule.expression)
            if let behaviour = parsed?.clockChangeBehaviour(on: host) {
                out += "  daylight-saving nights: \(behaviour.summary)\n"
            }
        }
        return out
    }

    static func describe(_ target: CompiledTarget) -> String {
        switch target.kind {
        case .local(let path): "local \(path)"
        case .rclone(let rclone): "rclone \(rclone.remote)"
        case .restic(let restic): "restic \(restic.repository)"
        case .rsync(let rsync): "rsync \(rsync.user.map { "\($0)@" } ?? "")\(rsync.host):\(rsync.path)"
        }
    }

    static func describe(_ quiesce: CompiledQuiesce) -> String {
        let limit = quiesce.maxDowntimeSeconds.map { ", at most \(Duration(seconds: $0)) down" } ?? ""
        switch quiesce.method {
        case .compose: return "stop compose services \(quiesce.names.joined(separator: ", "))\(limit)"
        case .containers: return "stop containers \(quiesce.names.joined(separator: ", "))\(limit)"
        case .units: return "stop systemd units \(quiesce.names.joined(separator: ", "))\(limit)"
        case .commands: return "run \(quiesce.stopCommands.count) stop and \(quiesce.startCommands.count) start commands\(limit)"
        case .none: return "none (hot capture)"
        }
    }

    static func describe(_ r: RetentionPolicy) -> String {
        let parts = RetentionRule.allCases.compactMap { rule in
            r[rule].map { rule == .within ? "all within \(Duration(seconds: $0))" : "\($0) \(rule.rawValue)" }
        }
        return "keep " + parts.joined(separator: ", ")
    }
}
