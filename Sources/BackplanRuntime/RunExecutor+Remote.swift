import BackplanCore
import Foundation

/// Steps 2 and 7 to 9 for remote targets (rclone, restic, rsync push), through their `RemoteStore`.
extension RunExecutor {
    /// Step 2 for remote targets: one that cannot be reached counts as failed at once and is skipped; when no
    /// target is left the run fails here, before the app is stopped.
    func preflightRemotes() throws {
        for target in targets {
            guard let store = RemoteStores.store(for: target, plan: plan) else { continue }
            do { try store.preflight() } catch { targetFailed(target, "preflight: \(error)") }
        }
        if !targets.isEmpty, targets.allSatisfy({ state.targetStatus[$0.name]?.ok == false }) {
            throw RunError("preflight failed: no target can be reached; nothing was stopped")
        }
    }

    /// The local folder holding this run's complete snapshot (published on the capture target, else staging).
    var sealedSnapshot: String? { state.snapshot ?? state.captureDir }

    /// Step 7: uploads the sealed snapshot.
    func publishRemote(_ target: CompiledTarget, _ store: any RemoteStore) {
        guard let folder = sealedSnapshot else { return targetFailed(target, "no local snapshot to upload") }
        let log = self.log
        do {
            try store.upload(folder, job: job.name, id: state.id) { log.log("target \(target.name): \($0)", step: .publish) }
            state.targetSnapshot[target.name] = store.location(job: job.name, id: state.id)
            state.targetStatus[target.name] = (true, nil)
            log.log("target \(target.name): published \(store.location(job: job.name, id: state.id))", step: .publish)
        } catch {
            targetFailed(target, "\(error)")
        }
    }

    /// Step 8: verifies the upload as the job says.
    func verifyRemote(_ target: CompiledTarget, _ store: any RemoteStore) throws {
        guard job.verify != .none else { return }
        let log = self.log
        do {
            try store.verify(job: job.name, id: state.id, deep: job.verify == .deep, local: sealedSnapshot) {
                log.log("target \(target.name): \($0)", step: .verify)
            }
        } catch {
            // As the script's bp_verify_remote: a snapshot that fails verification is withdrawn.
            do { try store.remove(job: job.name, ids: [state.id]) { _ in } } catch {
                log.log("target \(target.name): warning: could not withdraw \(state.id): \(error)", step: .verify)
            }
            throw RunError("verification (\(job.verify.rawValue)) of \(store.location(job: job.name, id: state.id)) failed: \(error); the snapshot is withdrawn")
        }
        log.log("target \(target.name): verified (\(job.verify.rawValue))", step: .verify)
    }

    /// Step 9: the job's retention on the target (never a labelled snapshot, never the newest, never this
    /// run's); a failure (also reading the labels) is a warning, as for local targets, and removes nothing.
    func applyRemoteRetention(_ target: CompiledTarget, _ store: any RemoteStore, dryRun: Bool = false) {
        guard job.retention != nil else { return }
        let log = self.log
        do {
            let (ids, labels) = try store.labelledIDs(job: job.name)
            let remove = publisher.retentionRemovals(ids, labels: labels, on: target, dryRun: dryRun)
            if dryRun || ids.isEmpty { return }
            if !remove.isEmpty {
                try store.remove(job: job.name, ids: remove) { log.log("retention: target \(target.name): \($0)", step: .retention) }
            }
            log.log("retention: target \(target.name): \(ids.count - remove.count) snapshots kept, \(remove.count) removed", step: .retention)
        } catch {
            log.log("retention: warning: target \(target.name): \(error); nothing more is removed", step: .retention)
        }
    }
}
