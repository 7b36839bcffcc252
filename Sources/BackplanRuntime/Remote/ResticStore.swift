import BackplanCore
import Foundation

/// The `restic` target type (docs/remote-restic.md). Each backplan snapshot is one restic snapshot of the
/// sealed local folder, backed up from inside it (`data MANIFEST.sha256 SNAPSHOT.json`, so a restore lands
/// at a known relative path), with host `backplan`, the snapshot's start time and the tags `backplan`,
/// `plan=P`, `job=J`, `id=ID` (and `label=NAME` for a labelled snapshot). restic's snapshot is atomic: an
/// interrupted backup lists nothing.
/// The password reaches restic only as `--password-file PATH`; the env file (S3 keys) through `RemoteTool`.
struct ResticStore: RemoteStore {
    var target: CompiledTarget
    var restic: CompiledResticTarget
    var plan: String
    /// restic's cache (`RESTIC_CACHE_DIR`): `<state_dir>/restic-cache`, since a systemd service has no HOME.
    var cacheDirectory: String

    /// The host name of every snapshot, so that listings and restores do not depend on the server's name.
    static let host = "backplan"

    private var repository: String { restic.repository }

    /// restic's command line with the repository and the password file (a path; the password never in argv).
    private func restic(_ arguments: [String]) -> [String] {
        ["restic", "--repo=\(repository)", "--password-file=\(restic.passwordFile)"] + arguments
    }

    /// The env file's variables, TZ=UTC so that `--time` and restic's output are UTC, and the cache folder
    /// (absolute: restic may run inside the snapshot folder).
    private func tool() throws(RunError) -> RemoteTool {
        let cache = cacheDirectory.hasPrefix("/") ? cacheDirectory : FileManager.default.currentDirectoryPath + "/" + cacheDirectory
        return try RemoteTool(envFile: restic.envFile, extra: ["TZ": "UTC", "RESTIC_CACHE_DIR": cache])
    }

    func preflight() throws(RunError) {
        try checkPasswordFile()
        let tool = try tool()
        guard tool.run(["restic", "version"]).succeeded else {
            throw RunError("restic is not installed or does not run (apt-get install restic)")
        }
        let state = try repositoryState(tool)
        if state == .missing && !restic.initialize { throw missingError }
    }

    func snapshotIDs(job: String) throws(RunError) -> [String] {
        try snapshots(job: job, try tool()).map(\.backplanID).uniqued()
    }

    /// From the `label=NAME` tags of one `restic snapshots` listing (no file is read); a backplan ID held by
    /// several restic snapshots is labelled when any of them is.
    func labels(job: String, ids: [String]) throws(RunError) -> [String: SnapshotLabel] {
        try labelledIDs(job: job).labels
    }

    /// The IDs and their labels from one listing.
    func labelledIDs(job: String) throws(RunError) -> (ids: [String], labels: [String: SnapshotLabel]) {
        let listed = try snapshots(job: job, try tool())
        var labels: [String: SnapshotLabel] = [:]
        for snapshot in listed where labels[snapshot.backplanID].map({ !$0.keeps }) ?? true {
            labels[snapshot.backplanID] = snapshot.label
        }
        return (listed.map(\.backplanID).uniqued(), labels)
    }

    func record(job: String, id: String) -> SnapshotRecord? {
        guard let tool = try? tool(), let snapshot = try? snapshot(job: job, id: id, tool) else { return nil }
        let result = tool.run(restic(["dump", "--", snapshot.resticID, "/" + SnapshotLayout.recordName]))
        guard result.succeeded else { return nil }
        return try? JSONDecoder().decode(SnapshotRecord.self, from: result.stdout)
    }

    func upload(_ folder: String, job: String, id: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        if try repositoryState(tool) == .missing {
            guard restic.initialize else { throw missingError }
            try tool.check(restic(["init"]), "restic init of \(repository)")
            log("repository \(repository) did not exist; created it (init: true)")
        }
        // The label (this run's own SNAPSHOT.json, just written) becomes the tag label=NAME.
        var tags = Self.tags(plan: plan, job: job, id: id)
        if case .named(let label) = SnapshotLabel.of(record: SnapshotLayout.readRecord(folder)) { tags += "," + SnapshotLabel.tagPrefix + label }
        var arguments = ["backup", "--json", "--ignore-ctime", "--host", Self.host, "--tag", tags,
                         "--time", try Self.time(of: id)]
        // restic finds a parent only by identical paths, and every snapshot folder has its own: name it.
        if let parent = try snapshots(job: job, tool).last {
            arguments += ["--parent=" + parent.resticID]
            log("restic backup against parent \(parent.backplanID) (restic \(parent.shortID))")
        }
        let keys = FileManager.default.fileExists(atPath: folder + "/" + RunContract.keysDir) ? [RunContract.keysDir] : []
        arguments += ["--", RunContract.dataDir] + keys + [SnapshotLayout.manifestName, SnapshotLayout.recordName]
        let result = tool.run(restic(arguments), directory: folder)
        guard result.succeeded else {
            // restic exits 3 when it made a snapshot without some files: never leave that one listed.
            try? remove(job: job, ids: [id], log: log)
            throw RunError("restic backup failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        if let summary = Self.summary(result.stdout) { log(summary) }
    }

    func verify(job: String, id: String, deep: Bool, local: String?, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        _ = try snapshot(job: job, id: id, tool)
        let subset = deep ? "--read-data" : "--read-data-subset=\(Self.manifestSubset)"
        unlockStale(tool)
        try tool.check(restic(["check", subset]), "restic check \(subset)")
        log("restic check \(subset): no errors")
        guard deep else { return }
        // Every byte of the snapshot itself: restore it and check it against its manifest.
        let temporary = try Self.temporaryFolder(near: local)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try download(job: job, id: id, into: temporary + "/snapshot", log: log)
        let report = SnapshotVerifier.verify(temporary + "/snapshot")
        guard report.passed else { throw RunError("the restored snapshot does not match: \(report.problems.prefix(3).joined(separator: "; "))") }
        log("restored copy matches MANIFEST.sha256 (\(report.files) files)")
    }

    func remove(job: String, ids: [String], log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        let wanted = Set(ids)
        let resticIDs = try snapshots(job: job, tool).filter { wanted.contains($0.backplanID) }.map(\.resticID)
        guard !resticIDs.isEmpty else { return }
        unlockStale(tool)
        try tool.check(restic(["forget", "--"] + resticIDs), "restic forget")
        log("restic forget: \(resticIDs.count) restic snapshots (\(ids.sorted().joined(separator: " ")))")
        try tool.check(restic(["prune"]), "restic prune")
        log("restic prune: unreferenced data removed")
    }

    func download(job: String, id: String, into directory: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        let snapshot = try snapshot(job: job, id: id, tool)
        try tool.check(restic(["restore", "--target", directory, "--", snapshot.resticID]), "restic restore \(snapshot.shortID)")
        guard FileManager.default.fileExists(atPath: directory + "/" + SnapshotLayout.recordName) else {
            throw RunError("restic snapshot \(snapshot.shortID) holds no \(SnapshotLayout.recordName) at its root")
        }
        log("restored restic snapshot \(snapshot.shortID) into \(directory)")
    }

    func location(job: String, id: String) -> String { "\(target.name):\(plan)/\(job)/\(id)" }
}

// MARK: - Repository state, listing, formats

extension ResticStore {
    /// `check`, `forget` and `prune` need an exclusive lock, and a killed restic leaves its lock behind:
    /// `restic unlock` removes stale locks only (of a process gone on this host, or older than 30 minutes).
    func unlockStale(_ tool: RemoteTool) {
        _ = tool.run(restic(["unlock"]))
    }

    /// The share of pack files `check` reads at verify level `manifest`.
    static let manifestSubset = "10%"

    enum RepositoryState { case present, missing }

    /// `restic cat config`: present, missing (restic says the config file does not exist), or an error
    /// (unreachable, wrong password, ...), which is never taken for "missing".
    func repositoryState(_ tool: RemoteTool) throws(RunError) -> RepositoryState {
        let result = tool.run(restic(["cat", "config"]))
        if result.succeeded { return .present }
        if Self.isMissingRepository(result.stderr) { return .missing }
        if result.stderr.contains("wrong password") {
            throw RunError("the password in password_file \(restic.passwordFile) does not open restic repository \(repository) (wrong password or no key found)")
        }
        throw RunError("restic cannot open repository \(repository) (status \(result.status))\(RemoteTool.tail(result.stderr))")
    }

    /// restic 0.14 exits 1 for every fatal error; a missing repository is told by its message: the config
    /// file cannot be opened because it (or the bucket, or the folder) does not exist (`<config/> does not
    /// exist` through the `rclone:` backend).
    static func isMissingRepository(_ stderr: String) -> Bool {
        guard stderr.contains("unable to open config file") else { return false }
        return ["The specified key does not exist", "The specified bucket does not exist", "no such file or directory",
                "file does not exist", "<config/> does not exist"].contains { stderr.contains($0) }
    }

    private var missingError: RunError {
        RunError("restic repository \(repository) does not exist: create it with `restic -r \(repository) --password-file \(restic.passwordFile) init` (and the env file's variables), or set `init: true` on target \(target.name) so that backplan creates it")
    }

    private func checkPasswordFile() throws(RunError) {
        guard access(restic.passwordFile, R_OK) == 0 else {
            throw RunError("cannot read password_file \(restic.passwordFile); it must be a file (0600) readable by the user running the backup")
        }
    }

    /// One restic snapshot carrying a backplan ID tag.
    struct Listed: Sendable {
        var backplanID: String
        var resticID: String
        /// From its `label=` tag.
        var label: SnapshotLabel = .none
        var shortID: String { String(resticID.prefix(8)) }
    }

    private struct JSONSnapshot: Decodable {
        var id: String
        var tags: [String]?
    }

    /// The restic snapshots of `job`, oldest first by backplan ID (tags `plan=P,job=J`; the ID from the valid `id=` tag).
    func snapshots(job: String, _ tool: RemoteTool) throws(RunError) -> [Listed] {
        let result = tool.run(restic(["snapshots", "--json", "--tag", "plan=\(plan),job=\(job)"]))
        guard result.succeeded else {
            // The repository's state says more (missing, wrong password); else the listing's own error.
            if try repositoryState(tool) == .missing {
                throw restic.initialize
                    ? RunError("restic repository \(repository) does not exist yet (init: true: the first backup to it creates it)")
                    : missingError
            }
            throw RunError("restic snapshots failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        guard let decoded = try? JSONDecoder().decode([JSONSnapshot]?.self, from: result.stdout) else {
            throw RunError("restic snapshots --json printed something that is not a list of snapshots")
        }
        return Self.listed(decoded ?? [])
    }

    private static func listed(_ decoded: [JSONSnapshot]) -> [Listed] {
        decoded.compactMap { snapshot in
            let id = (snapshot.tags ?? []).first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
            guard let id, SnapshotTime(id: id) != nil else { return nil }
            return Listed(backplanID: id, resticID: snapshot.id, label: SnapshotLabel.of(tags: snapshot.tags ?? []))
        }.sorted { ($0.backplanID, $0.resticID) < ($1.backplanID, $1.resticID) }
    }

    func snapshot(job: String, id: String, _ tool: RemoteTool) throws(RunError) -> Listed {
        guard let found = try snapshots(job: job, tool).last(where: { $0.backplanID == id }) else {
            throw RunError("restic repository \(repository) holds no snapshot tagged plan=\(plan),job=\(job),id=\(id)")
        }
        return found
    }

    /// The tags of a snapshot (restic's `--tag` splits on commas; plan and job names hold none).
    static func tags(plan: String, job: String, id: String) -> String { "backplan,plan=\(plan),job=\(job),id=\(id)" }

    /// `--time` of snapshot ID `20261127T031500Z`: `2026-11-27 03:15:00` (restic reads it in TZ, set to UTC).
    static func time(of id: String) throws(RunError) -> String {
        guard SnapshotTime(id: id) != nil else { throw RunError("'\(id)' is not a snapshot ID") }
        return RunClock.iso(id: id).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    /// The log line of `restic backup --json`'s summary: files re-read and bytes added to the repository.
    static func summary(_ output: Data) -> String? {
        struct Summary: Decodable {
            var message_type: String
            var files_new: Int, files_changed: Int, files_unmodified: Int
            var data_added: Int64
            var snapshot_id: String?
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        guard let line = lines.last(where: { $0.contains("\"summary\"") }),
              let summary = try? JSONDecoder().decode(Summary.self, from: Data(line.utf8)), summary.message_type == "summary" else { return nil }
        return "restic snapshot \(summary.snapshot_id ?? "?"): \(summary.files_new) new, \(summary.files_changed) changed, \(summary.files_unmodified) unmodified files; \(summary.data_added) bytes added to the repository"
    }

    static func temporaryFolder(near: String?) throws(RunError) -> String {
        let parent = near.map { ($0 as NSString).deletingLastPathComponent } ?? NSTemporaryDirectory()
        var template = Array((parent + "/.backplan-restic.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw RunError("cannot make a temporary folder under \(parent)") }
        return String(cString: made)
    }
}

private extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
