import BackplanCore
import Foundation

/// What pruning does to one job's snapshots on one target.
public struct PruneStep: Sendable {
    public var target: String
    public var job: String
    /// Kept snapshots, newest first, with the rules keeping each.
    public var kept: [KeptSnapshot]
    /// Labelled snapshots (kept whatever the rules say, and not counted by them), oldest first.
    public var labelled: [(id: String, label: SnapshotLabel)] = []
    /// Removed (or, with a dry run, to be removed) snapshot IDs, oldest first.
    public var removed: [String]
    /// Snapshots that could not be removed, with the reason.
    public var failures: [String]

    /// The lines `backplan prune` prints for this job.
    public func lines(dryRun: Bool) -> [String] {
        var out = ["target \(target) job \(job): \(kept.count + labelled.count) kept, \(removed.count) \(dryRun ? "to remove" : "removed")"]
        for (id, label) in labelled.reversed() {
            if case .unreadable(let reason) = label {
                out.append("  keep   \(id) (its label cannot be read: \(reason); remove it with --remove \(id))")
            } else {
                out.append("  keep   \(id) (\(label.phrase); remove it with --remove \(id))")
            }
        }
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
/// generated scripts (`RetentionPlanner`, restic's `forget --keep-*`, on the unlabelled snapshots; a
/// labelled one is kept) and the same removal: on a local target rename to `.ID.deleting`, then delete; on a
/// remote one through its `RemoteStore`. `remove(id:…)` removes one snapshot by name the same way.
public enum SnapshotPruner {
    /// Plans (and unless `dryRun`, carries out) the removals on `targets`.
    public static func prune(store: SnapshotStore, targets: [CompiledTarget], dryRun: Bool) -> [PruneStep] {
        var steps: [PruneStep] = []
        for target in targets {
            let layout = store.layout(target)
            let remote = RemoteStores.store(for: target, plan: store.plan)
            for job in store.plan.jobs where job.targets.contains(target.name) {
                let ids: [String]
                var labels: [String: SnapshotLabel] = [:]
                if let remote {
                    do {
                        (ids, labels) = try remote.labelledIDs(job: job.name)
                    } catch {
                        steps.append(PruneStep(target: target.name, job: job.name, kept: [], removed: [], failures: ["\(error)"]))
                        continue
                    }
                } else {
                    ids = layout.completeSnapshots(job: job.name)
                    for id in ids { labels[id] = layout.label(job: job.name, id: id) }
                }
                // Labelled snapshots are kept and take no slot: the rules decide on the others alone.
                let (unlabelled, labelled) = SnapshotLabel.split(ids, labels: labels)
                let decision = RetentionPlanner.plan(ids: unlabelled, policy: job.retention ?? RetentionPolicy())
                var step = PruneStep(target: target.name, job: job.name, kept: decision.kept, labelled: labelled,
                                     removed: decision.removed, failures: [])
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

    /// `prune --remove ID`: removes exactly snapshot `id` (labelled or not) from each of `targets` that
    /// holds it as a complete snapshot, of `job` or of any job (an ID two jobs hold needs the job), the way
    /// retention removes one. Throws, removing nothing, when no target holds it; the lines say what was
    /// (or with `dryRun` would be) removed, and the failures.
    public static func remove(id: String, job: String?, store: SnapshotStore, targets: [CompiledTarget],
                              dryRun: Bool) throws(RunError) -> (lines: [String], failures: [String]) {
        guard SnapshotTime(id: id) != nil else { throw RunError("'\(id)' is not a snapshot ID (YYYYMMDDTHHMMSSZ)") }
        var found: [StoredSnapshot] = []
        for target in targets {
            let matches = try store.snapshots(on: target, job: job).filter { $0.id == id }
            guard matches.count <= 1 else {
                throw RunError("several jobs have a snapshot \(id) on target \(target.name); name the job with --job")
            }
            found += matches
        }
        guard !found.isEmpty else {
            let scope = job.map { " of job \($0)" } ?? ""
            throw RunError("no target holds a complete snapshot \(id) of plan \(store.plan.name)\(scope) (a snapshot still being written or removed is never one); see: backplan snapshots \(store.plan.name)")
        }
        var lines: [String] = [], failures: [String] = []
        for snapshot in found {
            let what = "snapshot \(snapshot.id) of job \(snapshot.job) from target \(snapshot.target)\(snapshot.displayLabel.map { " (label \($0))" } ?? "")"
            if dryRun {
                lines.append("would remove \(what)")
                continue
            }
            guard let target = store.plan.target(named: snapshot.target) else { continue }
            if let remote = RemoteStores.store(for: target, plan: store.plan) {
                do { try remote.remove(job: snapshot.job, ids: [snapshot.id]) { _ in } } catch {
                    failures.append("target \(snapshot.target): \(error)")
                    continue
                }
            } else if let failure = remove(layout: store.layout(target), job: snapshot.job, id: snapshot.id) {
                failures.append(failure)
                continue
            }
            lines.append("removed \(what)")
        }
        return (lines, failures)
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
