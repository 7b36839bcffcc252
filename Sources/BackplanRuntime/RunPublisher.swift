import BackplanCore
import Foundation

/// Steps 7 to 9 for local targets: publish (rename, or a linked copy on further targets), verify as the
/// job says (withdrawing a snapshot that fails) and retention by `RetentionPlanner`.
struct RunPublisher {
    var plan: CompiledPlan
    var job: CompiledJob
    var id: String
    var log: RunLog
    var cancellation: RunCancellation
    /// Takes the syncfs time of each publish (`publish.syncfs`) for `--timings`.
    var clock: StepClock?

    func layout(_ target: CompiledTarget) -> SnapshotLayout { SnapshotLayout(root: target.path ?? "", plan: plan.name) }

    /// The newest complete snapshot folder of the job on `target` other than this run's.
    func previous(_ target: CompiledTarget) -> String? {
        let layout = layout(target)
        return layout.completeSnapshots(job: job.name).last { $0 != id }.map { layout.snapshotDirectory(job: job.name, id: $0) }
    }

    /// Makes `source` (a finished `.ID.partial`) visible as `destination` only once its data is on disk:
    /// syncfs of the file system holding it, the rename, then an fsync of the job folder (as the script's
    /// `bp_durable_rename`), so a power cut never leaves a listed snapshot with unwritten pages.
    static func durableRename(_ source: String, _ destination: String, clock: StepClock? = nil) -> Bool {
        let fd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        let synced = (clock ?? StepClock()).measure("publish.syncfs") { systemSyncfs(fd) == 0 }
        close(fd)
        guard synced, rename(source, destination) == 0 else { return false }
        let parent = open((destination as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if parent >= 0 {
            fsync(parent)
            close(parent)
        }
        return true
    }

    /// Renames the capture folder to its ID; returns the snapshot folder.
    func publishCaptured(_ target: CompiledTarget, captureDir: String) throws -> String {
        let final = layout(target).snapshotDirectory(job: job.name, id: id)
        guard Self.durableRename(captureDir, final, clock: clock) else { throw RunError("publishing to \(target.path ?? "") failed") }
        log.log("target \(target.name): published \(final)", step: .publish)
        return final
    }

    /// Copies `snapshot` to a further local target, linked against its own previous snapshot, then renames.
    /// Returns the new snapshot and the files linked to that previous snapshot with its manifest's hashes.
    func publishCopy(_ target: CompiledTarget, snapshot: String) throws -> (String, [String: RunManifest.CarriedFile]) {
        let layout = layout(target)
        let part = layout.partialDirectory(job: job.name, id: id), final = layout.snapshotDirectory(job: job.name, id: id)
        let previous = previous(target)
        var inventory = CaptureInventory()
        do {
            try FileManager.default.createDirectory(atPath: layout.jobDirectory(job.name), withIntermediateDirectories: true)
            try TreeCopier(linkDest: previous, cancellation: cancellation).copyTree(snapshot, to: part, recording: &inventory, as: "")
            guard Self.durableRename(part, final, clock: clock) else { throw RunError("rename") }
        } catch {
            try? FileManager.default.removeItem(atPath: part)
            throw RunError("publishing to \(target.path ?? "") failed")
        }
        log.log("target \(target.name): published \(final)", step: .publish)
        return (final, RunManifest.carriedFiles(inventory, previous: previous))
    }

    /// Verifies `snapshot` on `target`; on failure withdraws it and throws. `carried`: the files linked to
    /// the previous snapshot whose hashes came from its manifest (not read again by `manifest`).
    func verify(_ target: CompiledTarget, snapshot: String, carried: [String: RunManifest.CarriedFile]) throws {
        guard job.verify != .none else { return }
        if verified(snapshot, carried: job.verify == .deep ? [:] : carried) {
            log.log("target \(target.name): verified (\(job.verify.rawValue))", step: .verify)
            return
        }
        let deleting = layout(target).jobDirectory(job.name) + "/" + RunContract.deletingName(id)
        if rename(snapshot, deleting) == 0 { try? FileManager.default.removeItem(atPath: deleting) }
        throw RunError("verification (\(job.verify.rawValue)) of \(snapshot) failed; the snapshot is withdrawn")
    }

    /// Every manifest line is read again except a carried-over file's that is unchanged and still the
    /// previous snapshot's inode (as the script's join by inode decides). The lines are checked by two
    /// threads, each half of them (`fstatat` relative to the open folder: the lines are sorted, so a
    /// folder's files come together).
    private func verified(_ snapshot: String, carried: [String: RunManifest.CarriedFile]) -> Bool {
        guard let (entries, badLines) = try? ManifestFile.entries(in: snapshot), badLines.isEmpty else { return false }
        let parts = min(TreeCopier.threads, max(1, entries.count))
        let failed = ManifestCheck()
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var folder = OpenFolder()
            defer { folder.close() }
            let range = (entries.count * part / parts)..<(entries.count * (part + 1) / parts)
            for entry in entries[range] {
                if failed.failed { return }
                if let kept = carried[entry.path], kept.sha256 == entry.sha256, !entry.escaped,
                   folder.identity(snapshot, entry.path) == kept.identity { continue }
                guard (try? FileHash.sha256(snapshot + "/" + entry.path)) == entry.sha256 else {
                    failed.fail()
                    return
                }
            }
        }
        guard !failed.failed else { return false }
        guard job.verify == .deep else { return true }
        for name in job.sources {
            guard let source = plan.source(named: name) else { continue }
            let db: String? = switch source.kind {
            case .sqlite: source.path
            case .chroma: source.path + "/chroma.sqlite3"
            case .files, .key: nil
            }
            if let db, (try? SQLiteBackup.integrityCheck(snapshot + "/data/" + db, copy: true)) != "ok" { return false }
        }
        return true
    }

    /// The IDs among `ids` (a target's complete snapshots of the job, oldest first) that the job's retention
    /// removes: never a labelled snapshot (kept, logged; one whose label cannot be read with a warning), the
    /// rules deciding on the unlabelled ones alone; never the newest of those, never this run's. With
    /// `dryRun` they are logged and none is returned.
    func retentionRemovals(_ ids: [String], labels: [String: SnapshotLabel], on target: CompiledTarget, dryRun: Bool) -> [String] {
        guard let retention = job.retention, !ids.isEmpty else { return [] }
        let (unlabelled, labelled) = SnapshotLabel.split(ids, labels: labels)
        for (old, label) in labelled {
            if case .unreadable(let reason) = label {
                log.log("retention: warning: target \(target.name): snapshot \(old) is kept: its label cannot be read (\(reason)); remove it with prune --remove", step: .retention)
            } else {
                log.log("retention: target \(target.name): keeping snapshot \(old) (\(label.phrase))", step: .retention)
            }
        }
        guard let newest = unlabelled.last else { return [] }
        let removals = RetentionPlanner.plan(ids: unlabelled, policy: retention).removed.filter { $0 != newest && $0 != id }
        guard dryRun else { return removals }
        for old in removals { log.log("dry run: retention would remove snapshot \(old) from target \(target.name)", step: .retention) }
        return []
    }

    /// Removes the snapshots the job's retention does not keep (never a labelled one, never the newest,
    /// never this run's).
    func applyRetention(_ target: CompiledTarget, dryRun: Bool = false) {
        let layout = layout(target)
        let ids = job.retention == nil ? [] : layout.completeSnapshots(job: job.name)
        guard !ids.isEmpty else { return }
        var labels: [String: SnapshotLabel] = [:]
        for old in ids { labels[old] = layout.label(job: job.name, id: old) }
        var removed = 0
        for old in retentionRemovals(ids, labels: labels, on: target, dryRun: dryRun) {
            log.log("retention: target \(target.name): removing snapshot \(old)", step: .retention)
            let dir = layout.snapshotDirectory(job: job.name, id: old), deleting = layout.jobDirectory(job.name) + "/" + RunContract.deletingName(old)
            guard rename(dir, deleting) == 0 else {
                log.log("retention: warning: could not remove \(dir)", step: .retention)
                continue
            }
            removed += 1
            try? FileManager.default.removeItem(atPath: deleting)
        }
        if !dryRun {
            log.log("retention: target \(target.name): \(ids.count - removed) snapshots kept, \(removed) removed", step: .retention)
        }
    }
}

/// Set by a verify thread that found a file not matching its line.
private final class ManifestCheck: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var failed: Bool { lock.withLock { value } }
    func fail() { lock.withLock { value = true } }
}

/// The folder of the last path looked up, kept open: `identity` of a file is one `fstatat` of its name.
private struct OpenFolder {
    private var path = ""
    private var fd: Int32 = -1

    /// Device and inode of `snapshot/relative` (not following a link), or nil.
    mutating func identity(_ snapshot: String, _ relative: String) -> FileIdentity? {
        guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return FileIdentity.of(snapshot + "/" + relative) }
        let folder = String(relative[..<slash]), name = String(relative[relative.index(after: slash)...])
        if folder != path || fd < 0 {
            close()
            fd = PathBytes.withCString(snapshot + "/" + folder) { open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            path = folder
        }
        guard fd >= 0 else { return nil }
        var st = stat()
        return PathBytes.withCString(name, { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0 ? FileIdentity(st) : nil
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

/// syncfs(2): Glibc declares it only under _GNU_SOURCE, which the Swift module map does not set.
@_silgen_name("syncfs")
private func systemSyncfs(_ fd: Int32) -> Int32
