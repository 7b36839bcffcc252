import BackplanCore
import Foundation

/// One line of `<state_dir>/runs.jsonl` (docs/run-contract.md), the fields `backplan status` shows.
public struct RunLogEntry: Decodable, Hashable, Sendable {
    public var plan: String?
    public var job: String
    public var id: String?
    public var started: String?
    public var finished: String?
    public var status: String?
    public var exit: Int?
    public var downtimeMs: Int?
    public var bytes: Int64?
    public var error: String?
    public var executor: String?
    /// `--label NAME` of the run.
    public var label: String?

    /// The label for display: `?` when it is not a label name (runs.jsonl may be edited).
    var displayLabel: String? { label.map { SnapshotLabel.isValid($0) ? $0 : "?" } }

    enum CodingKeys: String, CodingKey {
        case plan, job, id, started, finished, status, exit, bytes, error, executor, label
        case downtimeMs = "downtime_ms"
    }
}

/// The status of one job: its last recorded run and its next scheduled one.
public struct JobStatus: Hashable, Sendable {
    public var job: String
    public var lastRun: RunLogEntry?
    /// The last run with a label that published a snapshot (exit 0 or 3), when there is one.
    public var lastLabelled: RunLogEntry?
    public var nextRun: Date?
    /// Why the next run is unknown (the schedule does not parse), if so.
    public var scheduleProblem: String?

    /// One line per job: `daily: last run 2026-… ok (exit 0, downtime 412 ms, 1460224 bytes); next run …`.
    public var line: String {
        var text = "\(job): "
        if let run = lastRun {
            let when = run.finished ?? run.started ?? "?"
            text += "last run \(when) \(run.status ?? "?") (exit \(run.exit.map(String.init) ?? "?"), "
                + "downtime \(run.downtimeMs ?? 0) ms, \(run.bytes ?? 0) bytes\(run.displayLabel.map { ", label \($0)" } ?? ""))"
            if let error = run.error { text += ": \(error)" }
        } else {
            text += "never run"
        }
        if let labelled = lastLabelled, labelled.id != lastRun?.id {
            text += "; last labelled snapshot \(labelled.id ?? "?") (label \(labelled.displayLabel ?? "?"))"
        }
        if let next = nextRun {
            text += "; next run \(RunClock.iso(next))"
        } else {
            text += "; next run unknown\(scheduleProblem.map { " (\($0))" } ?? "")"
        }
        return text
    }
}

/// `backplan status`: the last run of each job from `runs.jsonl` and the next scheduled run.
public enum StatusReport {
    public static func jobs(plan: CompiledPlan, now: Date = Date()) -> [JobStatus] {
        let text = (try? String(contentsOfFile: plan.stateDir + "/" + RunContract.runsLog, encoding: .utf8)) ?? ""
        var last: [String: RunLogEntry] = [:], labelled: [String: RunLogEntry] = [:]
        for line in text.split(separator: "\n") {
            guard let entry = try? JSONDecoder().decode(RunLogEntry.self, from: Data(line.utf8)),
                  entry.plan == nil || entry.plan == plan.name else { continue }
            last[entry.job] = entry
            if entry.label != nil && (entry.exit == 0 || entry.exit == 3) { labelled[entry.job] = entry }
        }
        return plan.jobs.map { job in
            var status = JobStatus(job: job.name, lastRun: last[job.name], lastLabelled: labelled[job.name])
            do {
                let schedule = job.schedule.syntax == .cron
                    ? try ScheduleParser.parseCron(job.schedule.expression)
                    : try ScheduleParser.parseCalendar(job.schedule.expression)
                status.nextRun = schedule.nextInstants(after: now, count: 1).first
            } catch {
                status.scheduleProblem = "the schedule '\(job.schedule.expression)' does not parse"
            }
            return status
        }
    }

    /// A line when a quiesce journal is waiting to be resumed, else nil.
    public static func journalNotice(plan: CompiledPlan) -> String? {
        let path = QuiesceJournal.path(stateDir: plan.stateDir)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return "a quiesce journal is waiting in \(path): the app may be stopped; run 'backplan recover \(plan.name)'"
    }

}
