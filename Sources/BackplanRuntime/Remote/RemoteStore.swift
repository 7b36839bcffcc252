import BackplanCore
import Foundation

/// The operations every target type other than `local` offers to `backplan run` and to the snapshot
/// commands (docs/run-contract.md, "Remote targets"). One store per target; `RemoteStores.store(for:plan:)`
/// makes it. A store keeps the run contract's guarantee: a snapshot is listed only when complete
/// (rclone: `SNAPSHOT.json` uploaded last; restic: its own atomic snapshot; rsync: rename on the remote).
///
/// Credentials reach the tools only through the files the plan names (`env_file`, `config_file`,
/// `password_file`, `ssh_key`), never on a command line; `RemoteTool` runs the tools and redacts
/// every env-file value from what they print.
public protocol RemoteStore: Sendable {
    var target: CompiledTarget { get }

    /// Step 2: the tool exists, the credential files are readable, the remote answers. Changes nothing.
    func preflight() throws(RunError)

    /// IDs of the complete snapshots of `job`, oldest first.
    func snapshotIDs(job: String) throws(RunError) -> [String]

    /// The labels of snapshots `ids` of `job` (docs/run-contract.md, "Labelled snapshots"), read in one
    /// go: restic from its tags, the others from the SNAPSHOT.json files, fetched together into a temporary
    /// folder. An ID left out cannot be read (retention keeps it). Throws when the labels cannot be fetched
    /// at all: retention then removes nothing.
    func labels(job: String, ids: [String]) throws(RunError) -> [String: SnapshotLabel]

    /// `snapshotIDs(job:)` and their `labels`, for retention and `prune`; restic answers both from one
    /// listing, the others list, then fetch the labels.
    func labelledIDs(job: String) throws(RunError) -> (ids: [String], labels: [String: SnapshotLabel])

    /// The snapshot's `SNAPSHOT.json`, nil when it cannot be read.
    func record(job: String, id: String) -> SnapshotRecord?

    /// Step 7: publishes the complete local snapshot folder `folder` (data/, MANIFEST.sha256,
    /// SNAPSHOT.json) as `job`/`id`, incrementally against the newest complete snapshot the target holds.
    /// Leftovers of an interrupted upload are cleaned or resumed here. A failed upload leaves nothing listed.
    func upload(_ folder: String, job: String, id: String, log: @escaping @Sendable (String) -> Void) throws(RunError)

    /// Step 8: checks the published snapshot (`deep`: every byte; else what the type checks cheaply).
    /// `local` is the folder it was uploaded from during a run, nil from `backplan verify`.
    func verify(job: String, id: String, deep: Bool, local: String?, log: @escaping @Sendable (String) -> Void) throws(RunError)

    /// Step 9 and `backplan prune`: removes these snapshots of `job` (each stops being listed first).
    func remove(job: String, ids: [String], log: @escaping @Sendable (String) -> Void) throws(RunError)

    /// Restore and `backplan verify`: downloads the snapshot into `directory` (not there yet; its parent
    /// is), which then holds `data/`, `MANIFEST.sha256` and `SNAPSHOT.json` like a local snapshot folder.
    func download(job: String, id: String, into directory: String, log: @escaping @Sendable (String) -> Void) throws(RunError)

    /// Where the snapshot lives, for messages (`s3:bucket/plan/job/ID`); never holds a credential.
    func location(job: String, id: String) -> String
}

/// The store of each remote target type.
public enum RemoteStores {
    /// The store of `target`; nil for a local target (and for an rsync target pulled by the NAS, which
    /// the server's run does not publish to).
    public static func store(for target: CompiledTarget, plan: CompiledPlan) -> (any RemoteStore)? {
        switch target.kind {
        case .local: nil
        case .rclone(let rclone): RcloneStore(target: target, rclone: rclone, plan: plan.name)
        case .restic(let restic):
            ResticStore(target: target, restic: restic, plan: plan.name, cacheDirectory: plan.stateDir + "/restic-cache")
        case .rsync(let rsync): rsync.direction == .pull ? nil : RsyncStore(target: target, rsync: rsync, plan: plan.name)
        }
    }

    /// True for an rsync target that the NAS pulls (`direction: pull`): the server's run leaves it alone.
    public static func isPulled(_ target: CompiledTarget) -> Bool { target.isPulled }
}

extension RemoteStore {
    func labelledIDs(job: String) throws(RunError) -> (ids: [String], labels: [String: SnapshotLabel]) {
        let ids = try snapshotIDs(job: job)
        return (ids, ids.isEmpty ? [:] : try labels(job: job, ids: ids))
    }
}

/// Reading labels from SNAPSHOT.json files fetched together into a temporary folder (rclone, rsync).
enum RemoteLabels {
    /// A new private temporary folder.
    static func temporaryFolder() throws(RunError) -> String {
        var template = Array((NSTemporaryDirectory() + "/backplan-labels.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw RunError("cannot make a temporary folder: \(String(cString: strerror(errno)))") }
        return String(cString: made)
    }

    /// The label of each of `ids` from `folder/ID/SNAPSHOT.json`.
    static func read(_ folder: String, ids: [String]) -> [String: SnapshotLabel] {
        var labels: [String: SnapshotLabel] = [:]
        for id in ids where SnapshotTime(id: id) != nil {
            labels[id] = SnapshotLabel.of(record: SnapshotLayout.readRecord(folder + "/" + id))
        }
        return labels
    }
}
