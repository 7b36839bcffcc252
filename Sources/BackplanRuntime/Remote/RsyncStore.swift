import BackplanCore
import Foundation

/// The `rsync` target type (docs/remote-rsync.md): rsync over ssh into `<path>/<plan>/<job>/<ID>/`, the
/// layout of a local target. An upload goes into `.ID.partial` with `--link-dest` against the newest
/// complete remote snapshot and is renamed on the remote host; the remote side runs only the
/// `RsyncRemote` scripts, like the job script's bp_rsync_* functions.
struct RsyncStore: RemoteStore {
    var target: CompiledTarget
    var rsync: CompiledRsyncTarget
    var plan: String

    private var root: String { rsync.path }
    private var destination: String { RsyncRemote.destination(host: rsync.host, user: rsync.user) }
    /// `destination` as ssh takes it (an IPv6 address without brackets).
    private var sshDestination: String { RsyncRemote.sshDestination(host: rsync.host, user: rsync.user) }
    private var ssh: [String] {
        ["ssh"] + RsyncRemote.sshOptions(port: rsync.port, sshKey: rsync.sshKey, knownHosts: rsync.knownHosts)
    }
    /// An rsync target names no env_file: the tool runs with this process's environment.
    private func tool() throws(RunError) -> RemoteTool { try RemoteTool(envFile: target.envFile) }

    /// Runs a `RsyncRemote` script on the remote host; returns its stdout.
    @discardableResult
    private func run(_ what: String, _ script: String, _ arguments: [String]) throws(RunError) -> String {
        let result = try tool().run(ssh + ["--", sshDestination, RsyncRemote.command(script, arguments)])
        guard result.succeeded else { throw failure(what, result) }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// `what failed (status N): <stderr>`, with what to do when ssh could not log in.
    private func failure(_ what: String, _ result: RemoteTool.Result) -> RunError {
        var message = "\(what) failed (status \(result.status))\(RemoteTool.tail(result.stderr))"
        if result.stderr.contains("Host key verification failed") {
            message += " (the host key of \(rsync.host) is not in \(rsync.knownHosts ?? "the known_hosts files of \(NSUserName())") or has changed: check its fingerprint, then add it)"
        } else if result.stderr.contains("Permission denied") {
            message += " (\(destination) refused the key\(rsync.sshKey.map { " " + $0 } ?? ""): is its public key in the remote authorized_keys?)"
        }
        return RunError(message)
    }

    private func jobPath(_ job: String) -> String { "\(plan)/\(job)" }

    private static func onPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(name)", X_OK) == 0 }
    }

    private static func ids(_ listing: String) -> [String] {
        listing.split(separator: "\n").map(String.init).filter { SnapshotTime(id: $0) != nil }.sorted()
    }

    func preflight() throws(RunError) {
        for name in ["ssh", "rsync"] where !Self.onPath(name) { throw RunError("\(name) is not installed") }
        if let key = rsync.sshKey, access(key, R_OK) != 0 {
            throw RunError("cannot read ssh_key \(key); it must be readable by the user running the backup")
        }
        if let known = rsync.knownHosts, access(known, R_OK) != 0 { throw RunError("cannot read known_hosts \(known)") }
        try run("ssh to \(rsync.host)", RsyncRemote.preflightScript, [root])
    }

    func snapshotIDs(job: String) throws(RunError) -> [String] {
        Self.ids(try run("listing \(root)/\(jobPath(job))", RsyncRemote.listScript, [root, jobPath(job)]))
    }

    /// Every SNAPSHOT.json of the job in one rsync (regular files only: `-r` without `-l` skips links).
    func labels(job: String, ids: [String]) throws(RunError) -> [String: SnapshotLabel] {
        let folder = try RemoteLabels.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try tool().run(["rsync", "-r", "--protect-args", "--include=/*/", "--include=/*/\(SnapshotLayout.recordName)",
                                     "--exclude=*", "-e", RsyncRemote.rsh(ssh), "--",
                                     "\(destination):\(root)/\(jobPath(job))/", folder + "/"])
        guard result.succeeded else { throw failure("rsync of the \(SnapshotLayout.recordName) files", result) }
        return RemoteLabels.read(folder, ids: ids)
    }

    func record(job: String, id: String) -> SnapshotRecord? {
        guard let tool = try? tool() else { return nil }
        let result = tool.run(ssh + ["--", sshDestination, "cat -- " + Shell.quote("\(root)/\(jobPath(job))/\(id)/\(SnapshotLayout.recordName)")])
        guard result.succeeded else { return nil }
        return try? JSONDecoder().decode(SnapshotRecord.self, from: result.stdout)
    }

    func upload(_ folder: String, job: String, id: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let listing = try run("preparing the upload", RsyncRemote.prepareScript, [root, jobPath(job)])
        let previous = Self.ids(listing).filter { $0 != id }.last
        var arguments = ["rsync", "-a", "--numeric-ids", "--protect-args", "--stats"]
        if let previous { arguments.append("--link-dest=../\(previous)") }
        arguments += ["-e", RsyncRemote.rsh(ssh), "--", folder + "/", "\(destination):\(root)/\(jobPath(job))/.\(id).partial/"]
        log("uploading to \(location(job: job, id: RunContract.partialName(id)))\(previous.map { " (unchanged files linked to \($0))" } ?? "")")
        let result = try tool().run(arguments)
        guard result.succeeded else {
            let free = (try? run("df", RsyncRemote.freeSpaceScript, [root])) ?? ""
            let error = RunError(failure("rsync", result).description + RsyncRemote.spaceNote(free, root: root, largestFile: Self.largestFile(in: folder)))
            _ = try? run("removing the partial upload", RsyncRemote.discardScript, [root, jobPath(job), id])
            throw error
        }
        let stats = String(decoding: result.stdout, as: UTF8.self)
        log("rsync sent \(Self.stat("Total bytes sent", stats)) bytes (\(Self.stat("Literal data", stats)) bytes of file data)")
        try run("publishing \(id)", RsyncRemote.publishScript, [root, jobPath(job), id])
    }

    /// The size of the largest regular file under `folder`.
    static func largestFile(in folder: String) -> Int64 {
        var largest: Int64 = 0
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while enumerator?.nextObject() != nil {
            if let attributes = enumerator?.fileAttributes, attributes[.type] as? FileAttributeType == .typeRegular,
               let size = (attributes[.size] as? NSNumber)?.int64Value {
                largest = max(largest, size)
            }
        }
        return largest
    }

    /// A number from rsync's `--stats` (`Label: 1,234`), "?" when missing.
    static func stat(_ label: String, _ stats: String) -> String {
        for line in stats.split(separator: "\n") where line.hasPrefix(label + ":") {
            return line.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        }
        return "?"
    }

    func verify(job: String, id: String, deep: Bool, local: String?, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        if deep {
            try run("sha256sum -c on the remote host", RsyncRemote.deepVerifyScript, [root, jobPath(job), id])
            return
        }
        let output = try run("hashing on the remote host", RsyncRemote.manifestVerifyScript, [root, jobPath(job), id])
        if let reason = RsyncRemote.manifestCheck(output) { throw RunError(reason) }
    }

    func remove(job: String, ids: [String], log: @escaping @Sendable (String) -> Void) throws(RunError) {
        try run("removing snapshots", RsyncRemote.removeScript, [root, jobPath(job)] + ids)
    }

    func download(job: String, id: String, into directory: String, log: @escaping @Sendable (String) -> Void) throws(RunError) {
        let result = try tool().run(["rsync", "-rlpt", "--protect-args", "-e", RsyncRemote.rsh(ssh), "--",
                               "\(destination):\(root)/\(jobPath(job))/\(id)/", directory + "/"])
        guard result.succeeded else { throw failure("rsync", result) }
    }

    func location(job: String, id: String) -> String { "\(destination):\(root)/\(jobPath(job))/\(id)" }
}
