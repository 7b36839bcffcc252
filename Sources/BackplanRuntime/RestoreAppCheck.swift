import BackplanCore
import Foundation

/// Before a restore changes anything: the snapshot's app (its SNAPSHOT.json) against the app that will
/// open the restored data (the plan's compose service's image; without one, the pip install of the
/// `open-webui` command on PATH), as restore.sh's `bp_app_restore_check`
/// does (docs/restore.md, "Versions").
extension SnapshotRestorer {
    /// Logs the comparison; throws the refusal when the app is older and `allowDowngrade` is false. An app
    /// that cannot be determined is a note, never a refusal (a disaster restore must not be blocked).
    public func checkApp(_ snapshot: StoredSnapshot, allowDowngrade: Bool) throws(RunError) {
        let record = try? SnapshotRecord.read(from: snapshot.directory)
        let side = AppVersionReader.snapshotSide(record)
        var app: AppVersions?
        var reason: String?
        let read = AppVersionReader.read(plan.compose) ?? AppVersionReader.readPip()
        if read.openWebUI == nil && read.chromaDB == nil && read.alembicRevisions.isEmpty {
            reason = read.problems.first ?? "the app tells no version"
        } else {
            app = read
        }
        let result = AppVersions.restoreLines(snapshot: "\(snapshot.job)/\(snapshot.id)", snapshot: side, app: app,
                                              reason: reason, allowDowngrade: allowDowngrade)
        result.lines.forEach(log)
        if let refusal = result.refuse { throw RunError(refusal) }
    }
}
