import BackplanCore
import Foundation

/// Stops the app before the capture and starts it again (steps 3 and 5), journaled like the bash script:
/// the journal is written and synced before anything is stopped and removed only when every start
/// succeeded, so a killed run is resumed by the next run of either executor.
public final class QuiesceController: @unchecked Sendable {
    private let plan: CompiledPlan
    private let job: CompiledJob
    private let log: RunLog
    private let lock = NSLock()
    private var stopMs = 0
    private var downtime = 0

    public init(plan: CompiledPlan, job: CompiledJob, log: RunLog) {
        self.plan = plan
        self.job = job
        self.log = log
    }

    /// When the stop began (ms since the epoch); 0 when the app was not stopped by this run.
    public var stopStartedMs: Int { lock.withLock { stopMs } }
    /// Milliseconds from the stop to the end of the start.
    public var downtimeMs: Int { lock.withLock { downtime } }

    /// Journals, then stops the app. Throws when a stop failed (the caller resumes).
    public func stop() throws {
        let quiesce = job.quiesce
        guard quiesce.method != .none else { return }
        try QuiesceJournal(plan: plan.name, job: job.name, method: quiesce.method.rawValue, names: quiesce.names,
                           startCommands: quiesce.startCommands).write(stateDir: plan.stateDir)
        lock.withLock { stopMs = RunClock.nowMs() }
        switch quiesce.method {
        case .compose:
            log.log("quiesce: stopping compose services: \(quiesce.names.joined(separator: " "))", step: .quiesce)
            try check(ChildProcess.run(composeCommand("stop", quiesce.names)), "stopping compose services")
        case .containers:
            log.log("quiesce: stopping containers: \(quiesce.names.joined(separator: " "))", step: .quiesce)
            try check(ChildProcess.run(QuiesceJournal.engineCommand(plan, "stop", quiesce.names)), "stopping containers")
        case .units:
            log.log("quiesce: stopping systemd units: \(quiesce.names.joined(separator: " "))", step: .quiesce)
            try check(ChildProcess.run(["systemctl", "stop", "--"] + quiesce.names), "systemctl stop")
        case .commands, .none:
            for (index, command) in quiesce.stopCommands.enumerated() {
                log.log("quiesce: stop command \(index + 1) of \(quiesce.stopCommands.count)", step: .quiesce)
                try check(ChildProcess.run(["bash", "-c", command]), "stop command \(index + 1)")
            }
        }
        log.log("quiesce: app stopped", step: .quiesce)
    }

    /// Starts the app as the journal says, if there is one, and removes it. Safe to call on every exit
    /// path: without a journal it does nothing. Returns false when a start failed (the journal stays).
    @discardableResult
    public func resume() -> Bool {
        lock.withLock {
            guard let journal = QuiesceJournal.read(stateDir: plan.stateDir) else { return true }
            guard start(journal) else {
                log.error("quiesce: starting the app failed; \(QuiesceJournal.path(stateDir: plan.stateDir)) is kept so that the next run or --resume tries again", step: .quiesce)
                return false
            }
            QuiesceJournal.remove(stateDir: plan.stateDir)
            if stopMs > 0 {
                downtime = RunClock.nowMs() - stopMs
                stopMs = 0
            }
            log.log("quiesce: app started again (downtime \(downtime) ms)", step: .quiesce)
            return true
        }
    }

    private func start(_ journal: QuiesceJournal) -> Bool {
        journal.start(plan: plan, log: { self.log.log($0, step: .quiesce) },
                      error: { self.log.error($0, step: .quiesce) })
    }

    private func composeCommand(_ verb: String, _ services: [String]) -> [String] {
        QuiesceJournal.composeCommand(plan, verb, services)
    }

    private func check(_ status: Int32, _ what: String) throws {
        if status != 0 { throw RunError("quiesce: \(what) failed (status \(status))") }
    }
}
