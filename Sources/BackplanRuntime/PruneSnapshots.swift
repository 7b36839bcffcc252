import BackplanCore
import Foundation

/// What pruning does to one job's snapshots on one target.
public struct PruneStep: Hashable, Sendable {
    public var target: String
    public var job: String
    /// Kept snapshots, newest first, with the rules keeping each.
    public var kept: [KeptSnapshot]
    /// Removed (or, with a dry run, to be removed) snapshot IDs, oldest first.
    public var removed: [String]
    /// Snapshots that could not be removed, with the reason.
    public var failures: [String]

    /// The lines `backplan prune` prints for this job.
    public func lines(dryRun: Bool) -> [String] {
        var out = ["target \(target) job \(job): \(kept.count) kept, \(removed.count) \(dryRun ? "to remove" : "removed")"]
        for snapshot in kept {
            let rules = snapshot.rules.isEmpty ? "no retention rule" : snapshot.rules.map(\.rawValue).joined(separator: ", ")
            out.append("  keep   \(snapshot.id) (kept by \(rules))")
        }
        for id in removed { out.append("  \(dryRun ? "would remove" : "remove") \(id)") }
        out += failures.map { "  error: \($0)" }
        return out
    }
}

/// Applies each job's retention to the complete snapshots of each target, with the same decision as the
/// generated scripts (`RetentionPlanner`, restic's `forget --keep-*`) and the same removal: on a local
/// target rename to `.ID.deleting`, then delete; on a remote one through its `RemoteStore`.
public enum SnapshotPruner {
    /// Plans (and unless `dryRun`, carries out) the removals on `targets`.
    public static func prune(store: SnapshotStore, targets: [CompiledTarget], dryRun: Bool) -> [PruneStep] {
        var steps: [PruneStep] = []
        for target in targets {
            let layout = store.layout(target)
            let remote = RemoteStores.store(for: target, plan: store.plan)
            for job in store.plan.jobs where job.targets.contains(target.name) {
                let ids: [String]
                if let remote {
                    do { ids = try remote.snapshotIDs(job: job.name) } catch {
                        steps.append(PruneStep(target: target.name, job: job.name, kept: [], removed: [], failures: ["\(error)"]))
                        continue
                    }
                } else {
                    ids = layout.completeSnapshots(job: job.name)
                }
                let decision = RetentionPlanner.plan(ids: ids, policy: job.retention ?? RetentionPolicy())
                var step = PruneStep(target: target.name, job: job.name, kept: decision.kept, removed: decision.removed, failures: [])
                if !dryRun, let remote, !decision.removed.isEmpty {
                    do { try remote.remove(job: job.name, ids: decision.removed) { _ in } } catch { step.failures.append("\(error)") }
                } else if !dryRun {
                    for id in decision.removed {
                        if let failure = remove(layout: layout, job: job.name, id: id) { step.failures.append(failure) }
                    }
                }
                steps.append(step)
            }
        }
        return steps
    }

    /// Renames snapshot `id` to `.ID.deleting` (it stops being listed at once) and deletes it; nil on success.
    static func remove(layout: SnapshotLayout, job: String, id: String) -> String? {
        let from = layout.snapshotDirectory(job: job, id: id)
        let deleting = layout.jobDirectory(job) + "/" + RunContract.deletingName(id)
        guard rename(from, deleting) == 0 else {
            return "cannot rename \(from) to \(deleting): \(String(cString: strerror(errno)))"
        }
        do {
            try FileManager.default.removeItem(atPath: deleting)
        } catch {
            return "\(id) is withdrawn but \(deleting) could not be deleted completely; the next run removes it"
        }
        return nil
    }
}
