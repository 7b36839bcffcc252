import BackplanCore
import Foundation

/// The `rsync` target type (docs/run-contract.md, "Remote targets"). Not implemented yet: every
/// operation fails with a clear message, and the run counts the target as failed (exit 3 or 1).
struct RsyncStore: RemoteStore {
    var target: CompiledTarget
    var plan: String

    private var unsupported: RunError { RunError("type rsync is not supported by this version of backplan") }

    func preflight() throws(RunError) { throw unsupported }
    func snapshotIDs(job: String) throws(RunError) -> [String] { throw unsupported }
    func record(job: String, id: String) -> SnapshotRecord? { nil }
    func upload(_ folder: String, job: String, id: String, log: @escaping @Sendable (String) -> Void) throws(RunError) { throw unsupported }
    func verify(job: String, id: String, deep: Bool, local: String?, log: @escaping @Sendable (String) -> Void) throws(RunError) { throw unsupported }
    func remove(job: String, ids: [String], log: @escaping @Sendable (String) -> Void) throws(RunError) { throw unsupported }
    func download(job: String, id: String, into directory: String, log: @escaping @Sendable (String) -> Void) throws(RunError) { throw unsupported }
    func location(job: String, id: String) -> String { "\(target.name):\(plan)/\(job)/\(id)" }
}
