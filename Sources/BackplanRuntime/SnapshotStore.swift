import BackplanCore
import Foundation

/// A complete snapshot on a target, as `backplan snapshots` lists it.
public struct StoredSnapshot: Hashable, Sendable {
    public var target: String
    public var job: String
    public var id: String
    /// The snapshot folder (holding `data/`, `MANIFEST.sha256`, `SNAPSHOT.json`); on a remote target,
    /// where it lives (`RemoteStore.location`), to be downloaded by `SnapshotStore.withLocalCopy` first.
    public var directory: String
    /// On a remote target (rclone, restic, rsync push).
    public var isRemote = false
    /// nil when `SNAPSHOT.json` cannot be read.
    public var record: SnapshotRecord?

    /// The label SNAPSHOT.json gives, for display: `?` when it is not a label name (the file is hostile input).
    public var displayLabel: String? { record?.label.map { SnapshotLabel.isValid($0) ? $0 : "?" } }

    /// The sum of the sources' bytes in `SNAPSHOT.json` (0 when unreadable).
    public var bytes: Int64 { record?.sources.reduce(0) { $0 + $1.bytes } ?? 0 }
}

/// Why a snapshot command cannot go on; the message is printed as is, and the command exits 1.
/// Reads the complete snapshots of a compiled plan on its targets, in the layout both executors write
/// (docs/run-contract.md): on a local target `<path>/<plan>/<job>/<ID>/` holding `SNAPSHOT.json`
/// (`.ID.partial` and `.ID.deleting` folders are never listed); on a remote target what its
/// `RemoteStore` lists as complete.
public struct SnapshotStore: Sendable {
    public var plan: CompiledPlan

    public init(plan: CompiledPlan) { self.plan = plan }

    /// The targets named (`nil`: every target of the plan but those the NAS pulls), checked to exist; an
    /// rsync target the NAS pulls is read on the NAS (with its pull script), not here.
    public func targets(_ name: String?) throws(RunError) -> [CompiledTarget] {
        let chosen: [CompiledTarget]
        if let name {
            guard let target = plan.target(named: name) else {
                let known = plan.targets.map(\.name).joined(separator: ", ")
                throw RunError("plan \(plan.name) has no target '\(name)' (its targets: \(known))")
            }
            chosen = [target]
        } else {
            chosen = plan.targets.filter { !RemoteStores.isPulled($0) }  // read on the NAS, not here
        }
        for target in chosen where RemoteStores.isPulled(target) {
            throw RunError("target \(target.name) is pulled by the NAS: list and restore its snapshots there (generated/\(plan.name)/pull-\(target.name).sh)")
        }
        for target in chosen where target.type == .local && target.path == nil {
            throw RunError("target \(target.name): the local target has no path")
        }
        return chosen
    }

    /// The job named, checked to exist (`nil`: every job).
    public func jobs(_ name: String?) throws(RunError) -> [CompiledJob] {
        guard let name else { return plan.jobs }
        guard let job = plan.jobs.first(where: { $0.name == name }) else {
            throw RunError("plan \(plan.name) has no job '\(name)' (its jobs: \(plan.jobs.map(\.name).joined(separator: ", ")))")
        }
        return [job]
    }

    /// The layout of a local target.
    public func layout(_ target: CompiledTarget) -> SnapshotLayout {
        SnapshotLayout(root: target.path ?? "", plan: plan.name)
    }

    /// Complete snapshots of `target` (of `job`, or of every job of the plan), oldest first; two jobs'
    /// snapshots of the same second are ordered by job name.
    public func snapshots(on target: CompiledTarget, job: String? = nil) throws(RunError) -> [StoredSnapshot] {
        if let remote = RemoteStores.store(for: target, plan: plan) { return try remoteSnapshots(remote, job: job) }
        let layout = layout(target)
        var found: [StoredSnapshot] = []
        for compiled in try jobs(job) {
            for id in layout.completeSnapshots(job: compiled.name) {
                let directory = layout.snapshotDirectory(job: compiled.name, id: id)
                found.append(StoredSnapshot(target: target.name, job: compiled.name, id: id, directory: directory,
                                            record: try? SnapshotRecord.read(from: directory)))
            }
        }
        return found.sorted { ($0.id, $0.job) < ($1.id, $1.job) }
    }

    /// The snapshot `selector` (an ID or `latest`) names on `target`, of `job` or of any job.
    /// `latest` is the newest across jobs when no job is named; an ID held by several jobs needs its job.
    public func resolve(target: CompiledTarget, job: String?, selector: String) throws(RunError) -> StoredSnapshot {
        guard selector == "latest" || SnapshotTime(id: selector) != nil else {
            throw RunError("'\(selector)' is not a snapshot ID (YYYYMMDDTHHMMSSZ) nor latest")
        }
        let all = try snapshots(on: target, job: job)
        let scope = job.map { " job \($0)" } ?? ""
        guard let newest = all.last else {
            throw RunError("target \(target.name) holds no snapshot of plan \(plan.name)\(scope)")
        }
        if selector == "latest" { return newest }
        let matches = all.filter { $0.id == selector }
        guard let match = matches.first else {
            throw RunError("target \(target.name) holds no snapshot \(selector) of plan \(plan.name)\(scope); see: backplan snapshots \(plan.name) --target \(target.name)")
        }
        guard matches.count == 1 else {
            throw RunError("several jobs have a snapshot \(selector) on target \(target.name); name the job with --job")
        }
        return match
    }
}

extension SnapshotStore {
    /// The complete snapshots a remote store lists, with their SNAPSHOT.json.
    func remoteSnapshots(_ store: any RemoteStore, job: String?) throws(RunError) -> [StoredSnapshot] {
        var found: [StoredSnapshot] = []
        for compiled in try jobs(job) {
            let ids: [String]
            do { ids = try store.snapshotIDs(job: compiled.name) } catch {
                throw RunError("target \(store.target.name): \(error)")
            }
            for id in ids {
                found.append(StoredSnapshot(target: store.target.name, job: compiled.name, id: id,
                                            directory: store.location(job: compiled.name, id: id), isRemote: true,
                                            record: store.record(job: compiled.name, id: id)))
            }
        }
        return found.sorted { ($0.id, $0.job) < ($1.id, $1.job) }
    }

    /// Calls `body` with `snapshot` as a local folder: a local snapshot as it is; a remote one downloaded
    /// first into a new temporary folder under `near` (a folder on the file system where it is needed,
    /// default the system's temporary folder), removed afterwards.
    public func withLocalCopy<T>(_ snapshot: StoredSnapshot, near: String? = nil, log: @escaping @Sendable (String) -> Void,
                                 _ body: (StoredSnapshot) throws(RunError) -> T) throws(RunError) -> T {
        guard snapshot.isRemote else { return try body(snapshot) }
        guard let target = plan.target(named: snapshot.target), let store = RemoteStores.store(for: target, plan: plan) else {
            throw RunError("target \(snapshot.target) is not a remote target of plan \(plan.name)")
        }
        var template = Array(((near ?? NSTemporaryDirectory()) + "/.backplan-download.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RunError("cannot make a temporary folder under \(near ?? NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        log("downloading \(snapshot.directory) into \(folder)")
        do { try store.download(job: snapshot.job, id: snapshot.id, into: folder + "/snapshot", log: log) } catch {
            throw RunError("target \(snapshot.target): downloading snapshot \(snapshot.job)/\(snapshot.id) failed: \(error)")
        }
        var local = snapshot
        local.directory = folder + "/snapshot"
        local.isRemote = false
        return try body(local)
    }
}
