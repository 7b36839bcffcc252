import BackplanCore
import Foundation

extension RunExecutor {
    /// Every exit path after the lock: resume a journaled quiesce, remove what was not published, record
    /// the run in runs.jsonl and log its end. Returns the exit status (1 when the resume failed).
    func finish(_ status: Int32) -> Int32 {
        var rc = status
        if QuiesceJournal.read(stateDir: plan.stateDir) != nil && !quiesce.resume() { rc = 1 }
        if let dir = state.captureDir { try? FileManager.default.removeItem(atPath: dir) }
        try? FileManager.default.removeItem(atPath: plan.stateDir + "/" + RunContract.stagingDir)
        if rc != 0 && rc != 3 { rc = 1 }
        let record = RunRecord(
            bytes: state.bytes, downtimeMs: quiesce.downtimeMs,
            error: rc == 0 ? nil : (log.runError ?? "failed"), executor: "runtime", exit: rc, files: state.files,
            finished: RunClock.iso(Date()), id: state.id, job: job.name, label: label, plan: plan.name,
            started: state.id.isEmpty ? "" : RunClock.iso(id: state.id), status: RunRecord.status(exit: rc),
            targets: targets.map { target in
                let status = state.targetStatus[target.name]
                return .init(error: status?.ok == true ? nil : (status?.error ?? "not attempted: the run failed before publishing"),
                             name: target.name, status: status?.ok == true ? "ok" : "failed")
            })
        if timings { logTimings() }
        do {
            let line = try record.append(stateDir: plan.stateDir)
            if let notify = plan.notify { RunNotifier(notify: notify, log: log).send(line, exit: rc) }
        } catch { log.error("\(error)", step: .record) }
        switch rc {
        case RunContract.Exit.ok.rawValue: log.log("run \(state.id): ok", step: .end)
        case RunContract.Exit.partial.rawValue: log.log("run \(state.id): some targets failed (exit 3)", step: .end)
        default: log.log("run \(state.id): failed (exit 1)\(log.runError.map { ": \($0)" } ?? "")", step: .end)
        }
        return rc
    }

    /// `--timings`: one line with each step's wall time; the capture's linking and copying are summed over
    /// the copier's threads (the walk is the rest of their time).
    func logTimings() {
        let t = state.inventory.times
        var details: [String: String] = [:]
        if t.linked + t.copied > 0 {
            let walk = max(0, t.busySeconds - t.linkSeconds - t.copySeconds)
            details["capture"] = "thread time: walk \(StepClock.format(walk)), \(t.linked) linked in \(StepClock.format(t.linkSeconds)), "
                + "\(t.copied) copied in \(StepClock.format(t.copySeconds)); \(TreeCopier.threads) threads"
        }
        details["publish"] = "syncfs \(StepClock.format(clock.time("publish.syncfs")))"
        log.log(clock.line(details: details), step: .timing)
    }

    /// `--dry-run`: the preflight, then the steps a run would take; creates nothing, takes no lock.
    public func dryRun() -> Int32 {
        log.log("dry run: nothing is changed", step: .dryRun)
        guard RunPreflight.check(plan: plan, sources: sources, targets: targets, log: log) else { return RunContract.Exit.failed.rawValue }
        if QuiesceJournal.read(stateDir: plan.stateDir) != nil {
            log.log("dry run: would resume the quiesce journaled in \(QuiesceJournal.path(stateDir: plan.stateDir))", step: .dryRun)
        }
        log.log("dry run: would lock \(plan.stateDir)/lock", step: .dryRun)
        switch job.quiesce.method {
        case .none: log.log("dry run: no quiesce: hot capture", step: .dryRun)
        case .commands:
            for command in job.quiesce.stopCommands { log.log("dry run: would stop with: \(command)", step: .dryRun) }
        case .compose, .containers, .units: log.log("dry run: would stop (\(job.quiesce.method.rawValue)): \(job.quiesce.names.joined(separator: " "))", step: .dryRun)
        }
        for source in sources {
            let from = source.absolutePath + (source.service.map { " in the container of service \($0)" } ?? "")
            log.log("dry run: would capture \(source.name) (\(source.kind.rawValue)) \(from) as \(source.snapshotPath)", step: .dryRun)
        }
        if job.quiesce.method != .none { log.log("dry run: would start the app again", step: .dryRun) }
        if let label { log.log("dry run: would label the snapshot \(label) (retention keeps it until prune --remove)", step: .dryRun) }
        for target in targets {
            if RemoteStores.isPulled(target) {
                log.log("dry run: target \(target.name) is pulled by the NAS (generated/\(plan.name)/pull-\(target.name).sh)", step: .dryRun)
                continue
            }
            if let store = RemoteStores.store(for: target, plan: plan) {
                log.log("dry run: would upload to target \(target.name): \(store.location(job: job.name, id: "ID")), verify: \(job.verify)", step: .dryRun)
                applyRemoteRetention(target, store, dryRun: true)
                continue
            }
            log.log("dry run: would publish to target \(target.name): \(layout(target).jobDirectory(job.name))/ID, verify: \(job.verify)", step: .dryRun)
            publisher.applyRetention(target, dryRun: true)
        }
        if let notify = plan.notify, !notify.on.isEmpty {
            log.log("dry run: would notify the webhook on: \(notify.on.map(\.rawValue).joined(separator: " "))", step: .dryRun)
        }
        return RunContract.Exit.ok.rawValue
    }
}
