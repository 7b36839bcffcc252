import BackplanCore
import Foundation

/// The `rclone` target type (docs/remote-rclone.md). A snapshot is the folder `<remote>/<plan>/<job>/<ID>/`
/// holding `data/…`, `MANIFEST.sha256` and `SNAPSHOT.json`; everything but `SNAPSHOT.json` is uploaded
/// first, `SNAPSHOT.json` last, so only complete snapshots are listed. Unchanged files are copied
/// server-side from the newest complete snapshot (`--copy-dest`), so only changed files travel.
///
/// Every rclone call runs as `env -u AWS_CA_BUNDLE rclone …`: rclone 1.60's S3 backend fails whenever
/// that variable is set (its own `--ca-cert` / `RCLONE_CA_CERT` is the way to name a CA bundle).
struct RcloneStore: RemoteStore {
    var target: CompiledTarget
    var rclone: CompiledRcloneTarget
    var plan: String

    /// `<remote>/<plan>` (no trailing slash).
    var planPath: String {
        let remote = rclone.remote
        return (remote.hasSuffix("/") || remote.hasSuffix(":") ? remote : remote + "/") + plan
    }

    /// `<remote>/<plan>/<job>`.
    func jobPath(_ job: String) -> String { "\(planPath)/\(job)" }

    func snapshotPath(job: String, id: String) -> String { "\(jobPath(job))/\(id)" }

    /// The command line of an rclone call: no secret in it (config_file is a path; credentials come
    /// from the env file through `RemoteTool`); `paths` come after `--`, so that none is read as an option.
    func rclone(_ arguments: [String], paths: [String]) -> [String] {
        var command = ["env", "-u", "AWS_CA_BUNDLE", "rclone"]
        if let config = rclone.configFile { command += ["--config", config] }
        if let limit = rclone.bandwidthLimit { command += ["--bwlimit", limit] }
        if let transfers = rclone.transfers { command += ["--transfers", String(transfers)] }
        return command + arguments + ["--"] + paths
    }

    func tool() throws(RunError) -> RemoteTool { try RemoteTool(envFile: rclone.envFile) }

    func preflight() throws(RunError) {
        if let config = rclone.configFile, !FileManager.default.isReadableFile(atPath: config) {
            throw RunError("cannot read config_file \(config); it must be readable by the user running the backup")
        }
        let tool = try tool()
        guard tool.run(["rclone", "version"]).status != 127 else { throw RunError("rclone is not installed (not found in PATH)") }
        // Lists the plan's folder: proves the remote is configured, the credentials work and it answers.
        // A missing folder (first run) is not an error.
        let result = tool.run(rclone(["lsf", "--dirs-only", "--max-depth", "1"], paths: [planPath]))
        if !result.succeeded, !result.stderr.contains("directory not found") {
            throw RunError("rclone cannot reach \(rclone.remote) (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
    }

    /// `rclone lsf` lines under the job folder; a folder that does not exist yet lists nothing.
    func list(_ tool: RemoteTool, job: String, _ arguments: [String]) throws(RunError) -> [String] {
        let result = tool.run(rclone(["lsf"] + arguments, paths: [jobPath(job)]))
        if !result.succeeded {
            if result.stderr.contains("directory not found") { return [] }
            throw RunError("rclone lsf \(jobPath(job)) failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        return String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func completeIDs(_ tool: RemoteTool, job: String) throws(RunError) -> [String] {
        try list(tool, job: job, ["-R", "--files-only", "--include", "/*/\(SnapshotLayout.recordName)"]).compactMap { line in
            let parts = line.split(separator: "/")
            guard parts.count == 2, parts[1] == SnapshotLayout.recordName[...], SnapshotTime(id: String(parts[0])) != nil else { return nil }
            return String(parts[0])
        }.sorted()
    }

    func snapshotIDs(job: String) throws(RunError) -> [String] { try completeIDs(tool(), job: job) }

    /// Every SNAPSHOT.json of the job in one `rclone copy` (filtered to `/*/SNAPSHOT.json`).
    func labels(job: String, ids: [String]) throws(RunError) -> [String: SnapshotLabel] {
        let tool = try tool()
        let folder = try RemoteLabels.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = tool.run(rclone(["copy", "--max-depth", "2", "--include", "/*/\(SnapshotLayout.recordName)"], paths: [jobPath(job), folder]))
        guard result.succeeded else {
            throw RunError("rclone copy of the \(SnapshotLayout.recordName) files of \(jobPath(job)) failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        return RemoteLabels.read(folder, ids: ids)
    }

    func record(job: String, id: String) -> SnapshotRecord? {
        guard let tool = try? tool() else { return nil }
        let result = tool.run(rclone(["cat"], paths: ["\(snapshotPath(job: job, id: id))/\(SnapshotLayout.recordName)"]))
        guard result.succeeded else { return nil }
        return try? JSONDecoder().decode(SnapshotRecord.self, from: result.stdout)
    }

    func upload(_ folder: String, job: String, id: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        let complete = try completeIDs(tool, job: job)
        // Leftovers of an interrupted upload or removal: ID folders without SNAPSHOT.json (the plan's
        // lock is held, so no other run of this plan is writing one).
        let folders = try list(tool, job: job, ["--dirs-only"]).map { String($0.dropLast()) }
        for leftover in folders where SnapshotTime(id: leftover) != nil && !complete.contains(leftover) && leftover != id {
            log("removing \(leftover), left incomplete by an interrupted run")
            try tool.check(rclone(["purge"], paths: [snapshotPath(job: job, id: leftover)]), "rclone purge of \(leftover)")
        }
        var copy = ["copy", "-v", "--exclude", "/\(SnapshotLayout.recordName)"]
        if let previous = complete.last(where: { $0 < id }) {
            // --copy-dest needs server-side copy (S3 has it; sftp has not: rclone would refuse the copy).
            if try serverSideCopy(tool, job: job) {
                copy += ["--copy-dest=" + snapshotPath(job: job, id: previous)]
                log("uploading \(id); unchanged files are copied server-side from \(previous)")
            } else {
                log("uploading \(id) (the remote has no server-side copy: every file is sent)")
            }
        } else {
            log("uploading \(id) (no earlier snapshot on the target: every file is sent)")
        }
        let result = tool.run(rclone(copy, paths: [folder, snapshotPath(job: job, id: id)]))
        guard result.succeeded else {
            throw RunError("rclone copy to \(snapshotPath(job: job, id: id)) failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        log(Self.transferSummary(result.stderr, folder: folder))
        try tool.check(rclone(["copyto"], paths: ["\(folder)/\(SnapshotLayout.recordName)", "\(snapshotPath(job: job, id: id))/\(SnapshotLayout.recordName)"]),
                       "rclone copyto of \(SnapshotLayout.recordName)")
    }

    /// Whether the remote can copy files server-side (`"Copy": true` in `rclone backend features`).
    func serverSideCopy(_ tool: RemoteTool, job: String) throws(RunError) -> Bool {
        let result = tool.run(rclone(["backend", "features"], paths: [jobPath(job)]))
        guard result.succeeded else {
            throw RunError("rclone backend features failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
        }
        return String(decoding: result.stdout, as: UTF8.self).contains("\"Copy\": true")
    }

    /// "sent N files (B bytes), M files copied server-side" from `rclone copy -v`'s INFO lines
    /// (`PATH: Copied (new)`, `PATH: Copied (server-side copy)`); sizes are read from `folder`.
    static func transferSummary(_ log: String, folder: String) -> String {
        var sent = 0, bytes: Int64 = 0, serverSide = 0
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: ": Copied (", options: .backwards), let start = line.range(of: "INFO  : ") else { continue }
            if line[range.upperBound...].hasPrefix("server-side copy") {
                serverSide += 1
            } else {
                sent += 1
                let path = folder + "/" + line[start.upperBound..<range.lowerBound]
                bytes += ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return "sent \(sent) files (\(bytes) bytes), \(serverSide) unchanged files copied server-side"
    }

    func verify(job: String, id: String, deep: Bool, local: String?, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        if let local, !deep {
            // The local sealed folder against the upload: sizes and the hashes both sides have (MD5 on S3;
            // sizes only, logged, on a remote without a common hash such as sftp).
            let result = tool.run(rclone(["check"], paths: [local, snapshotPath(job: job, id: id)]))
            guard result.succeeded else {
                throw RunError("rclone check of \(location(job: job, id: id)) failed (status \(result.status))\(RemoteTool.tail(result.stderr))")
            }
            if result.stderr.contains("No common hash found") {
                log("rclone check compared sizes only (no hash common to both sides)")
            }
            return
        }
        // Every byte: download and check against MANIFEST.sha256 (and integrity_check of the databases).
        var template = Array((NSTemporaryDirectory() + "/backplan-rclone-verify.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw RunError("cannot make a temporary folder: \(String(cString: strerror(errno)))") }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try download(job: job, id: id, into: directory + "/snapshot", log: log)
        let report = SnapshotVerifier.verify(directory + "/snapshot")
        guard report.passed else { throw RunError("the downloaded copy does not match its manifest: \(report.problems.prefix(3).joined(separator: "; "))") }
    }

    func remove(job: String, ids: [String], log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        for id in ids {
            guard SnapshotTime(id: id) != nil else { throw RunError("'\(id)' is not a snapshot ID") }
            log("removing snapshot \(id)")
            // SNAPSHOT.json first: the snapshot stops being listed at once; a purge cut short leaves a
            // leftover that the next upload removes.
            try tool.check(rclone(["deletefile"], paths: ["\(snapshotPath(job: job, id: id))/\(SnapshotLayout.recordName)"]),
                           "rclone deletefile of \(id)/\(SnapshotLayout.recordName)")
            try tool.check(rclone(["purge"], paths: [snapshotPath(job: job, id: id)]), "rclone purge of \(id)")
        }
    }

    func download(job: String, id: String, into directory: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let tool = try tool()
        try tool.check(rclone(["copy"], paths: [snapshotPath(job: job, id: id), directory]), "rclone copy of \(location(job: job, id: id))")
        guard FileManager.default.fileExists(atPath: "\(directory)/\(SnapshotLayout.recordName)") else {
            throw RunError("\(location(job: job, id: id)) holds no \(SnapshotLayout.recordName)")
        }
    }

    func location(job: String, id: String) -> String { snapshotPath(job: job, id: id) }
}
