import BackplanCore
import Foundation

extension RunExecutor {
    var localTargets: [CompiledTarget] { targets.filter { $0.type == .local } }

    func layout(_ target: CompiledTarget) -> SnapshotLayout { SnapshotLayout(root: target.path ?? "", plan: plan.name) }

    var publisher: RunPublisher { RunPublisher(plan: plan, job: job, id: state.id, log: log, cancellation: cancellation, clock: clock) }

    /// The UTC start time as an ID; waits for the next second while that ID (or its partial) exists.
    func newID() -> String {
        while true {
            let id = RunClock.id(Date())
            let taken = localTargets.contains { target in
                let layout = layout(target)
                return FileManager.default.fileExists(atPath: layout.snapshotDirectory(job: job.name, id: id))
                    || FileManager.default.fileExists(atPath: layout.partialDirectory(job: job.name, id: id))
            }
            if !taken { return id }
            usleep(200_000)
        }
    }

    /// Removes `.ID.partial` and `.ID.deleting` folders of this plan and job, staging and old temp folders.
    func cleanLeftovers() {
        for target in localTargets {
            let dir = layout(target).jobDirectory(job.name)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where Self.isLeftover(name) {
                log.log("target \(target.name): removing \(name) left by an earlier run", step: .cleanup)
                try? FileManager.default.removeItem(atPath: dir + "/" + name)
            }
        }
        try? FileManager.default.removeItem(atPath: plan.stateDir + "/" + RunContract.stagingDir)
    }

    /// `.YYYYMMDDTHHMMSSZ.partial` or `.….deleting`.
    static func isLeftover(_ name: String) -> Bool {
        for suffix in [RunContract.partialSuffix, RunContract.deletingSuffix] where name.hasPrefix(".") && name.hasSuffix(suffix) {
            if SnapshotTime(id: String(name.dropFirst().dropLast(suffix.count))) != nil { return true }
        }
        return false
    }

    /// The capture folder: `.ID.partial` on the first local target, else `<state_dir>/staging/ID`.
    func prepareCapture() throws {
        if let index = targets.firstIndex(where: { $0.type == .local }) {
            let layout = layout(targets[index])
            try FileManager.default.createDirectory(atPath: layout.jobDirectory(job.name), withIntermediateDirectories: true)
            state.captureTarget = index
            state.previous = publisher.previous(targets[index])
            state.captureDir = layout.partialDirectory(job: job.name, id: state.id)
        } else {
            state.captureDir = plan.stateDir + "/" + RunContract.stagingDir + "/" + state.id
        }
        let dir = state.captureDir ?? ""
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let linked = state.previous.map { " (unchanged files linked to \(($0 as NSString).lastPathComponent))" } ?? ""
        log.log("capture into \(dir)\(linked)", step: .capture)
    }

    /// Step 6: per-source counts, the manifest, then SNAPSHOT.json (last: it marks the folder complete).
    func describeAndSeal() throws {
        try cancellation.check()
        let dir = state.captureDir ?? ""
        var summaries: [SnapshotRecord.SourceSummary] = []
        var alembic: String?
        for source in sources {
            let (files, bytes) = state.inventory.count(under: source.snapshotPath)
            state.files += files
            state.bytes += bytes
            summaries.append(.init(name: source.name, kind: source.kind.rawValue, path: source.path, files: files, bytes: bytes))
            if alembic == nil, source.kind == .sqlite,
               let version = try? SQLiteBackup.query(dir + "/data/" + source.path, "SELECT version_num FROM alembic_version LIMIT 1", copy: true).first,
               !version.isEmpty, version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                alembic = version
            }
        }
        let summary = try RunManifest.write(dir: dir, inventory: state.inventory, previous: state.previous, cancellation: cancellation)
        if let target = state.captureTarget { state.targetCarried[targets[target].name] = summary.carried }
        log.log("manifest: \(summary.files) files, \(summary.hashed) hashed, \(summary.carried.count) carried over from the previous snapshot", step: .manifest)
        let record = SnapshotRecord(plan: plan.name, job: job.name, id: state.id, started: RunClock.iso(id: state.id),
                                    finished: RunClock.iso(Date()), executor: "runtime", sources: summaries,
                                    downtimeMs: quiesce.downtimeMs,
                                    app: .init(alembicVersion: alembic, counts: AppVerifier.counts(in: dir, sources: sources),
                                               versions: state.appVersions),
                                    label: label)
        let path = dir + "/" + SnapshotLayout.recordName
        try Data(try record.jsonLine().utf8).write(to: URL(fileURLWithPath: path + ".new"))
        guard rename(path + ".new", path) == 0 else { throw RunError("cannot write \(path)") }
        state.snapshot = dir
    }

    /// Steps 7-9: the capture target first, then the others in name order; verify; retention.
    func publishAll() -> Int32 {
        let order = (state.captureTarget.map { [$0] } ?? []) + targets.indices.filter { $0 != state.captureTarget }
        clock.measure("publish") {
            for index in order { publish(targets[index], captured: index == state.captureTarget) }
        }
        for target in targets where state.targetStatus[target.name]?.ok == true && !RemoteStores.isPulled(target) {
            let store = RemoteStores.store(for: target, plan: plan)
            do {
                try clock.measure("verify") {
                    if let store { try verifyRemote(target, store) } else {
                        try publisher.verify(target, snapshot: state.targetSnapshot[target.name] ?? "",
                                             carried: state.targetCarried[target.name] ?? [:])
                    }
                }
            } catch {
                targetFailed(target, "\(error)")
                continue
            }
            clock.measure("retention") {
                if let store { applyRemoteRetention(target, store) } else { publisher.applyRetention(target) }
            }
        }
        let published = targets.filter { state.targetStatus[$0.name]?.ok == true }.count
        return (published == 0 ? RunContract.Exit.failed : published < targets.count ? .partial : .ok).rawValue
    }

    private func publish(_ target: CompiledTarget, captured: Bool) {
        guard state.targetStatus[target.name] == nil else { return }  // failed its preflight
        if RemoteStores.isPulled(target) {
            log.log("target \(target.name): pulled by the NAS with generated/\(plan.name)/pull-\(target.name).sh; nothing to publish here", step: .publish)
            state.targetStatus[target.name] = (true, nil)
            return
        }
        if let store = RemoteStores.store(for: target, plan: plan) { return publishRemote(target, store) }
        do {
            let snapshot: String
            if captured {
                snapshot = try publisher.publishCaptured(target, captureDir: state.captureDir ?? "")
                state.captureDir = nil
                state.snapshot = snapshot
            } else {
                (snapshot, state.targetCarried[target.name]) = try publisher.publishCopy(target, snapshot: state.snapshot ?? "")
            }
            state.targetSnapshot[target.name] = snapshot
            state.targetStatus[target.name] = (true, nil)
        } catch {
            targetFailed(target, "\(error)")
        }
    }

    func targetFailed(_ target: CompiledTarget, _ message: String) {
        state.targetStatus[target.name] = (false, message)
        log.error("target \(target.name): \(message)", step: .publish)
    }
}
