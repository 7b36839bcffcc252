import BackplanCore
import Foundation

/// The key files of a restored snapshot (`keys/<name>`, verified with the rest in the staging folder),
/// as restore.sh handles them (docs/restore.md, "Keys"). Where a key goes comes from the plan's key
/// source of that name, never from the snapshot (a forged SNAPSHOT.json must not choose a path to
/// overwrite). `--to DIR` writes them to `DIR.keys/` (0700, files 0600) and says where each belongs;
/// `--in-place` puts a host file back (the previous one moved aside, never deleted) before the app
/// starts, and a key in a container after it starts (`exec -T … sh -c 'cat >…'`, then `restart`).
struct RestoreKeys {
    var plan: CompiledPlan
    var log: (String) -> Void

    /// The key files in a staging folder named like a source (others are not restored), sorted; empty
    /// without `keys/`.
    static func names(in staging: String) -> [String] {
        SnapshotVerifier.regularFiles(under: staging, in: RunContract.keysDir)
            .map { String($0.dropFirst(RunContract.keysDir.count + 1)) }
            .filter { PlanNames.isValid($0) }
    }

    /// Where key `name` belongs, in words, for a message.
    func destination(of name: String) -> String {
        guard let source = plan.source(named: name), source.kind == .key else { return "this plan has no key source \(name)" }
        guard let service = source.service, let compose = plan.compose else { return "it belongs at \(source.absolutePath)" }
        return "it belongs in the container of compose service \(service) at \(source.absolutePath) (\(compose.commandLine) cp FILE \(service):\(source.absolutePath), then restart \(service))"
    }

    /// `--to DIR`: moves the staged `keys/` to `DIR.keys`; the lines to print. `folder` must not exist.
    func keep(_ staging: String, in folder: String) throws(RunError) -> [String] {
        let names = Self.names(in: staging)
        guard !names.isEmpty else { return [] }
        guard rename(staging + "/" + RunContract.keysDir, folder) == 0 else {
            throw RunError("cannot move the key files to \(folder): \(String(cString: strerror(errno)))")
        }
        chmod(folder, 0o700)
        return names.map { name in
            chmod(folder + "/" + name, 0o600)
            return "key \(name): written to \(folder)/\(name) (mode 0600); \(destination(of: name))"
        }
    }

    /// What `putBackOnHost` did: the lines to print, the keys that could not be put back and those of no
    /// key source of the plan (both kept beside the data dir), and the keys of containers (after the start).
    struct HostResult {
        var lines: [String] = []
        var failed: [String] = []
        var unknown: [String] = []
        var containers: [String] = []
    }

    /// `--in-place`, before the app starts: each host key file back at its path; a previous, different
    /// file is moved aside to `PATH.before-restore-STAMP`, never deleted.
    func putBackOnHost(_ staging: String, stamp: String) -> HostResult {
        var result = HostResult()
        for name in Self.names(in: staging) {
            let staged = staging + "/" + RunContract.keysDir + "/" + name
            guard let source = plan.source(named: name), source.kind == .key else {
                result.unknown.append(name)
                continue
            }
            if source.service != nil {
                result.containers.append(name)
                continue
            }
            let path = source.absolutePath
            if Self.sameContent(staged, path) {
                result.lines.append("key \(name): \(path) already holds it")
                continue
            }
            let aside = "\(path).before-restore-\(stamp)"
            let new = "\(path).backplan-new"
            unlink(new)
            var info = stat()
            let existed = lstat(path, &info) == 0
            guard ChildProcess.run(["cp", "--", staged, new]) == 0, chmod(new, 0o600) == 0,
                  !existed || rename(path, aside) == 0 else {
                unlink(new)
                result.failed.append(name)
                result.lines.append("key \(name): could not be written to \(path)")
                continue
            }
            guard rename(new, path) == 0 else {
                if existed { rename(aside, path) }
                result.failed.append(name)
                result.lines.append("key \(name): could not be written to \(path)")
                continue
            }
            result.lines.append("key \(name): put back at \(path)" + (existed ? " (the previous file is \(aside))" : ""))
            if let compose = plan.compose {
                // compose reads an env file when it creates the container; `start` keeps the old environment.
                result.lines.append("key \(name): compose reads it when it creates the container: run '\(compose.commandLine) up -d \(compose.service)' so that the app uses it")
            }
        }
        return result
    }

    /// `--in-place`, after the app started: each key of a container written back into it, then the service
    /// restarted so that the app reads it. Returns the lines and the keys that could not be put back.
    func putBackInContainers(_ names: [String], from staging: String) -> (lines: [String], failed: [String]) {
        var lines: [String] = [], failed: [String] = []
        guard let compose = plan.compose else { return (lines, names) }
        let base = compose.invocation
        for name in names {
            guard let source = plan.source(named: name), let service = source.service else { continue }
            let staged = staging + "/" + RunContract.keysDir + "/" + name
            let current = ChildProcess.read(base + ["exec", "-T", service, "cat", source.absolutePath], errors: "/dev/null",
                                            limit: RunContract.keyFileLimit)
            if current.status == 0, let bytes = FileManager.default.contents(atPath: staged), current.output == bytes {
                lines.append("key \(name): the container of service \(service) already holds it")
                continue
            }
            let write = base + ["exec", "-T", service, "sh", "-c", #"cat >"$1.new" && mv -f "$1.new" "$1""#, "sh", source.absolutePath]
            guard let pid = ChildProcess.spawn(write, input: staged), ChildProcess.wait(pid) == 0 else {
                failed.append(name)
                lines.append("key \(name): could not be written into the container of service \(service)")
                continue
            }
            log("restarting compose service \(service) so that it reads its restored key")
            guard ChildProcess.run(base + ["restart", service]) == 0 else {
                failed.append(name)
                lines.append("key \(name): put back in the container of service \(service), but restarting it failed: restart it by hand")
                continue
            }
            lines.append("key \(name): put back in the container of service \(service) at \(source.absolutePath) (restarted)")
        }
        return (lines, failed)
    }

    /// Moves the staged key files `names` to `folder` (created, 0700): those not put back.
    func keepUnplaced(_ names: [String], from staging: String, in folder: String) -> [String] {
        guard !names.isEmpty else { return [] }
        mkdir(folder, 0o700)
        return names.compactMap { name in
            let target = folder + "/" + name
            guard rename(staging + "/" + RunContract.keysDir + "/" + name, target) == 0 else { return nil }
            chmod(target, 0o600)
            return "key \(name): kept in \(target) (mode 0600); \(destination(of: name))"
        }
    }

    static func sameContent(_ a: String, _ b: String) -> Bool {
        guard case .success(let fd) = RegularFile.open(b) else { return false }
        close(fd)
        return FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b)
    }
}
