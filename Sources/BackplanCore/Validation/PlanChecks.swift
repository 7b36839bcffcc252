import Foundation

/// Checks that need only the plan.
extension PlanValidator {
    mutating func checkPlan() {
        checkOverlappingSources()
        checkUnusedSources()
        checkCopies()
        checkTargetPaths()
        checkPulledTargets()
        checkRetention()
        checkConcurrentJobs()
        checkDaylightSavingHours()
        checkSchedulesFire()
        checkTimersEvaluate()
    }

    /// The emitted OnCalendar= lines must be ones systemd evaluates over the years ahead (`TimerEvaluation`).
    private mutating func checkTimersEvaluate() {
        let hostClock = HostClock(deployment)
        for job in plan.jobs {
            let schedule = job.schedule.schedule
            guard let problem = TimerEvaluation.problem(lines: schedule.onCalendarLines(on: hostClock), for: schedule, on: hostClock)
            else { continue }
            report(.timerCannotEvaluate, "the systemd timer of job '\(job.name.value)' would not run as its schedule says: \(problem)",
                   at: job.schedule.location,
                   help: "this is a bug in backplan: report it with the schedule; meanwhile write the schedule as plain lists and ranges")
        }
    }

    /// A schedule no date satisfies (`0 0 31 2 *`, `*-02-31`): the job would never run.
    private mutating func checkSchedulesFire() {
        for job in plan.jobs {
            let schedule = job.schedule.schedule
            guard schedule.nextInstants(after: Self.checkBase, count: 1, localTimeZone: Self.utc).isEmpty else { continue }
            report(.scheduleNeverFires,
                   "job '\(job.name.value)' never runs: no date after 2026-01-01 matches schedule '\(schedule.expression)'",
                   at: job.schedule.location,
                   help: "check the day and the month (February has no 30th or 31st; April, June, September and November no 31st) and the year")
        }
    }

    /// A fixed instant to evaluate schedules from, so that output does not depend on the clock.
    static let checkBase = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    static let utc = TimeZone(identifier: "UTC") ?? .current


    /// Jobs that can start between 01:00 and 02:59 local time, where clock changes make cron and the
    /// systemd timer differ (`Schedule.clockChangeBehaviour(on:)`).
    private mutating func checkDaylightSavingHours() {
        let hostClock = HostClock(deployment)
        for job in plan.jobs {
            guard let behaviour = job.schedule.schedule.clockChangeBehaviour(on: hostClock), behaviour.differs else { continue }
            let help = switch behaviour {
            case .fixedTime: "start it outside 01:00-02:59, or keep the server's clock in UTC"
            case .wildcard where hostClock == nil:
                "record the server's time zone ('backplan detect --json' on the server, saved as the deployment): "
                    + "then an every-hour timer is written in UTC and runs every real hour too"
            case .wildcard, .everyRealHour:
                "install the cron file to run every real hour on that night, or keep the server's clock in UTC"
            }
            report(.daylightSavingHour,
                   "job '\(job.name.value)' can start between 01:00 and 02:59 local time: on daylight-saving nights cron and the systemd timer differ: \(behaviour.summary)",
                   at: job.schedule.location, help: help)
        }
    }

    private mutating func checkOverlappingSources() {
        for source in plan.sources where source.service != nil && plan.deployment.compose == nil {
            report(.conflictingKeys, "key source '\(source.name.value)' is read from service '\(source.service!.value)', but the plan names no compose file",
                   at: source.service!, help: "add 'compose: {file: …, service: …}' to deployment, or name the key's file on the host")
        }
        for source in plan.sources where source.container != nil && plan.deployment.container == nil {
            report(.conflictingKeys, "key source '\(source.name.value)' is read from container '\(source.container!.value)', but the plan names no container",
                   at: source.container!, help: "add 'container: \(source.container!.value)' to deployment, or name the key's file on the host")
        }
        // A key in a container is not a path on the host: it overlaps nothing there.
        let onHost = plan.sources.filter { !$0.isInContainer }
        for (i, a) in onHost.enumerated() {
            for b in onHost[(i + 1)...] where Self.isWithin(a.path.value, b.path.value) || Self.isWithin(b.path.value, a.path.value) {
                report(.overlappingSources, "sources '\(a.name.value)' and '\(b.name.value)' overlap ('\(a.path.value)' and '\(b.path.value)')",
                       at: b.path, help: "each file must belong to one source; narrow one of the paths or use 'exclude'")
            }
            for ignored in plan.ignore where Self.isWithin(a.path.value, ignored.value) {
                report(.overlappingSources, "source '\(a.name.value)' lies in '\(ignored.value)', which 'ignore' leaves out",
                       at: ignored, help: "remove '\(ignored.value)' from ignore, or the source")
            }
        }
    }

    private mutating func checkUnusedSources() {
        let captured = Set(capturedSources.map(\.name.value))
        for source in plan.sources where !captured.contains(source.name.value) {
            report(.unusedSource, "source '\(source.name.value)' is in no job: it is never backed up", at: source.name,
                   help: "add it to a job's sources, or move its path to 'ignore'")
        }
    }

    /// A place a copy lives; two targets at one place are not independent copies.
    static func place(of target: Target) -> String {
        switch target.kind {
        case .local: "this server"
        case .rclone(let t): "rclone " + (t.remote.value.split(separator: ":").first.map(String.init) ?? t.remote.value)
        case .restic(let t): "restic " + t.repository.value
        case .rsync(let t): "host " + t.host.value
        }
    }

    private mutating func checkCopies() {
        // One warning per set of places, naming every source that reaches only those places.
        var groups: [(places: [String], sources: [Source])] = []
        for source in capturedSources {
            let targetNames = Set(plan.jobs.filter { $0.sources.contains { $0.value == source.name.value } }
                .flatMap(\.targets).map(\.value))
            let places = Set(plan.targets.filter { targetNames.contains($0.name.value) }.map(Self.place(of:))).sorted()
            guard places.count < 2 else { continue }
            if let index = groups.firstIndex(where: { $0.places == places }) {
                groups[index].sources.append(source)
            } else {
                groups.append((places, [source]))
            }
        }
        for group in groups {
            let names = group.sources.map { "'\($0.name.value)'" }.joined(separator: ", ")
            let noun = group.sources.count == 1 ? "source" : "sources"
            let where_ = group.places.isEmpty ? "no place" : "one place (\(group.places[0]))"
            report(.tooFewCopies, "\(noun) \(names) \(group.sources.count == 1 ? "has" : "have") \(where_) for copies",
                   at: group.sources[0].name,
                   help: "keep at least two independent copies, one of them off this server: add a job or a target (rclone, restic or rsync)")
        }
        let offsite = plan.targets.contains { if case .local = $0.kind { false } else { true } }
        if !offsite, let first = plan.targets.first {
            report(.noOffsiteCopy, "every target is on this server; a lost disk or server loses the backups with the data",
                   at: first.name, help: "add an off-site target: rclone (S3, B2), restic or rsync to a NAS")
        }
    }

    /// The NAS pulls a job's snapshot from the job's first local target on the server: a job with a pulled
    /// rsync target needs one.
    private mutating func checkPulledTargets() {
        for job in plan.jobs {
            let targets = job.targets.compactMap { plan.target(named: $0.value) }
            guard !targets.contains(where: { if case .local = $0.kind { true } else { false } }) else { continue }
            for name in job.targets {
                guard case .rsync(let rsync) = plan.target(named: name.value)?.kind, rsync.direction == .pull else { continue }
                report(.pullWithoutLocalTarget,
                       "job '\(job.name.value)' has target '\(name.value)' pulled by the NAS (direction: pull) but no local target for the NAS to pull from",
                       at: name, help: "add a local target to the job's targets; the NAS pulls from the job's first local target")
            }
        }
    }

    private mutating func checkTargetPaths() {
        guard let dataDir else { return }
        for target in plan.targets {
            guard case .local(let path) = target.kind else { continue }
            if Self.isWithin(path.value, dataDir) {
                report(.targetInsideDataDir, "target '\(target.name.value)' is inside the data dir '\(dataDir)'",
                       at: path, help: "backups inside the data they protect are lost with it and back themselves up; choose a path outside it")
            }
        }
        if let state = plan.deployment.stateDir, Self.isWithin(state.value, dataDir) {
            report(.targetInsideDataDir, "state_dir is inside the data dir '\(dataDir)'", at: state,
                   help: "keep backplan's state outside the app's data, e.g. /var/lib/backplan/\(plan.name.value)")
        }
    }

    private mutating func checkRetention() {
        for job in plan.jobs {
            guard let retention = job.retention else {
                report(.noRetention, "job '\(job.name.value)' has no retention: it keeps every snapshot until the disk is full",
                       at: job.name, help: "add e.g. 'retention: {keep_daily: 7, keep_weekly: 4}'")
                continue
            }
            if let kept = retention.value.maximumKept, kept < 2 {
                report(.retentionTooShort, "retention of job '\(job.name.value)' keeps \(kept) snapshot at most",
                       at: retention.start, help: "keep at least two, so that a bad snapshot is not the only one")
            }
        }
    }
}
