import BackplanCore
import Foundation

/// `backplan run`: one run of a job of a compiled plan, the same contract and on-disk layout as the
/// generated bash script (docs/run-contract.md). Remote targets go through their `RemoteStore`.
public final class RunExecutor {
    let plan: CompiledPlan
    let job: CompiledJob
    let sources: [CompiledSource]
    let targets: [CompiledTarget]
    let log: RunLog
    let cancellation: RunCancellation
    let quiesce: QuiesceController
    var state = RunState()
    /// `--timings`: log each step's time (`StepClock`) before the run's last line.
    public var timings = false
    /// `--label NAME`: recorded in SNAPSHOT.json and runs.jsonl (and as restic's `label=NAME` tag); retention
    /// keeps the snapshot until `prune --remove ID`. Checked by `SnapshotLabel.isValid` before the run.
    public var label: String?
    let clock = StepClock()

    /// What the run has done so far (runs.jsonl reports it on every exit path).
    struct RunState {
        var id = ""
        var captureDir: String?
        var captureTarget: Int?
        var previous: String?
        var snapshot: String?
        var targetStatus: [String: (ok: Bool, error: String?)] = [:]
        var targetSnapshot: [String: String] = [:]
        /// What the capture wrote (paths relative to the snapshot folder).
        var inventory = CaptureInventory()
        /// The key files, captured before the stop (merged into `inventory` after the capture).
        var keys = CaptureInventory()
        /// Per target: the files linked to its previous snapshot whose hashes were carried over.
        var targetCarried: [String: [String: RunManifest.CarriedFile]] = [:]
        var files = 0
        var bytes: Int64 = 0
        /// The app's versions, read before the app is stopped (nil: the plan names no compose service).
        var appVersions: AppVersions?
    }

    /// `cancellation` is set by the CLI's signal handler (and by the max_downtime watchdog). A plan read
    /// from plan.json comes through `CompiledPlanReader`, which refuses another `format`.
    public init(plan: CompiledPlan, job name: String, log: RunLog, cancellation: RunCancellation = RunCancellation()) throws {
        guard let job = plan.jobs.first(where: { $0.name == name }) else {
            throw RunError("plan \(plan.name) has no job \(name) (jobs: \(plan.jobs.map(\.name).joined(separator: ", ")))")
        }
        self.plan = plan
        self.job = job
        sources = job.sources.compactMap { plan.source(named: $0) }
        targets = job.targets.compactMap { plan.target(named: $0) }
        self.log = log
        self.cancellation = cancellation
        quiesce = QuiesceController(plan: plan, job: job, log: log)
    }

    /// Runs the job: exit status 0 (every target done), 1 (nothing published) or 3 (some targets failed).
    /// Everything it creates is private to the owner (umask 077, like the script); the umask is restored.
    /// `jitter` > 0 first sleeps a random 0...jitter seconds (the script's `--jitter`), before the lock.
    public func run(jitter: Int = 0) -> Int32 {
        let umaskBefore = umask(0o077)
        defer { umask(umaskBefore) }
        if jitter > 0 && !sleepJitter(jitter) { return RunContract.Exit.failed.rawValue }
        guard let lock = takeLock() else { return RunContract.Exit.failed.rawValue }
        defer { lock.release() }
        var rc: Int32
        do { rc = try steps() } catch {
            log.error("\(error)")
            rc = RunContract.Exit.failed.rawValue
        }
        return finish(rc)
    }

    /// `--resume` (the systemd unit's `ExecStopPost=`): under the lock, starts the app as a journaled
    /// quiesce says and removes the journal; 0 also when there is none, 1 when a start failed.
    public func resumeOnly() -> Int32 {
        let umaskBefore = umask(0o077)
        defer { umask(umaskBefore) }
        guard let lock = takeLock() else { return RunContract.Exit.failed.rawValue }
        defer { lock.release() }
        guard QuiesceJournal.read(stateDir: plan.stateDir) != nil else {
            log.log("resume: no quiesce journal; nothing to do", step: .quiesce)
            return RunContract.Exit.ok.rawValue
        }
        return (quiesce.resume() ? RunContract.Exit.ok : .failed).rawValue
    }

    /// The plan's lock (step 1), or nil after logging why it could not be taken.
    private func takeLock() -> RunLock? {
        do { return try RunLock(stateDir: plan.stateDir, log: log, cancellation: cancellation) } catch {
            log.error("\(error)", step: .lock)
            return nil
        }
    }

    /// Sleeps a random 0...seconds, waking every 100 ms to see whether a signal ended the run (false).
    private func sleepJitter(_ seconds: Int) -> Bool {
        let delay = Int.random(in: 0...seconds)
        log.log("jitter: sleeping \(delay)s", step: .jitter)
        let end = DispatchTime.now() + .seconds(delay)
        while DispatchTime.now() < end {
            if let reason = cancellation.reason {
                log.error(reason, step: .jitter)
                return false
            }
            usleep(100_000)
        }
        return true
    }

    /// Steps 1 to 9; throws what fails the whole run.
    private func steps() throws -> Int32 {
        let start = StepClock.now()
        state.id = newID()
        log.log("run \(state.id): start\(label.map { " (label \($0))" } ?? "")", step: .start)
        if QuiesceJournal.read(stateDir: plan.stateDir) != nil {
            log.log("quiesce: a killed run left the app stopped; resuming it first", step: .quiesce)
            guard quiesce.resume() else { throw RunError("could not resume the quiesce left by an earlier run") }
        }
        cleanLeftovers()
        guard RunPreflight.check(plan: plan, sources: sources, targets: targets, log: log) else {
            throw RunError("preflight failed; nothing was stopped")
        }
        try preflightRemotes()
        readAppVersions()
        try cancellation.check()
        try prepareCapture()
        // Keys before the stop: a key in a container is read with `exec`, which needs it running.
        try KeyCapture(plan: plan, log: log).capture(sources, into: state.captureDir ?? "", recording: &state.keys)
        clock.add("prepare", StepClock.now() - start)
        try stopCaptureResume()
        try clock.measure("manifest") { try describeAndSeal() }
        try cancellation.check()
        return publishAll()
    }

    /// The versions of the app the compose service runs, for SNAPSHOT.json (`bp_read_app_versions`): each
    /// problem is a warning, never a failure.
    private func readAppVersions() {
        guard let versions = AppVersionReader.read(plan.compose) else { return }
        for problem in versions.problems { log.log("app: warning: \(problem); SNAPSHOT.json leaves it out", step: .preflight) }
        log.log("app: \(versions.summary())", step: .preflight)
        state.appVersions = versions
    }

    /// Steps 3-5: stop, capture under the max_downtime watchdog, start; the downtime is the capture only.
    private func stopCaptureResume() throws {
        do { try clock.measure("quiesce") { try quiesce.stop() } } catch {
            log.error("\(error)", step: .quiesce)
            quiesce.resume()
            throw RunError("quiesce: stopping the app failed (it was started again)")
        }
        let watchdog = startWatchdog()
        do {
            var capture = CaptureRunner(sources: sources, previous: state.previous, log: log, cancellation: cancellation)
            capture.backup.hashBeside = job.quiesce.method == .none
            state.inventory = try clock.measure("capture") { try capture.capture(into: state.captureDir ?? "") }
            state.inventory.files.merge(state.keys.files) { captured, _ in captured }
            // The budget covers the capture only: a slow start must not fail a capture made in time.
            watchdog?.cancel()
        } catch {
            watchdog?.cancel()
            log.error("\(error)", step: .capture)
            quiesce.resume()
            throw error
        }
        guard clock.measure("quiesce", { quiesce.resume() }) else { throw RunError("the app could not be started again") }
    }

    /// With max_downtime and a quiesce: cancels the capture when the budget (from the stop) is spent.
    private func startWatchdog() -> DispatchWorkItem? {
        guard let seconds = job.quiesce.maxDowntimeSeconds, seconds > 0, job.quiesce.method != .none else { return nil }
        let budget = max(1, seconds * 1000 - (RunClock.nowMs() - quiesce.stopStartedMs))
        let (log, cancellation) = (self.log, self.cancellation)
        let item = DispatchWorkItem {
            let message = "quiesce: max_downtime of \(seconds)s exceeded; stopping the capture"
            cancellation.cancel(message)
            log.error(message, step: .quiesce)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(budget), execute: item)
        return item
    }
}
