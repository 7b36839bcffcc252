import BackplanCore
import Foundation

/// `restore --in-place`, in restore.sh's order: check the `.before-restore-<UTC>` name is free, stop
/// the compose service, move the live data dir aside, stage and verify the snapshot, rename it into
/// the data dir path, start the service. Anything failing before the rename puts the original back;
/// the app is started exactly once; the moved-aside folder is never deleted.
extension SnapshotRestorer {
    /// Restores `snapshot` over the plan's data dir. `appStopped`: the app was stopped by hand (needed
    /// when the plan has no compose file; the app is then neither stopped nor started).
    public func restoreInPlace(_ snapshot: StoredSnapshot, appStopped: Bool, rewritePaths: Bool,
                               now: Date = Date()) throws(RunError) -> [String] {
        let dataDir = try Self.absolute(plan.dataDir)
        guard plan.compose != nil || appStopped else {
            throw RunError("plan \(plan.name) has no compose file, so backplan cannot stop the app: stop it by hand, run again with --app-stopped, then start it")
        }
        let aside = "\(dataDir).before-restore-\(RunClock.id(now))"
        if FileManager.default.fileExists(atPath: aside) || Self.isLink(aside) {
            throw RunError("\(aside) already exists; refusing (nothing was changed)")
        }
        var app = AppControl(compose: appStopped ? nil : plan.compose, log: log)
        if appStopped { log("the app was stopped by hand (--app-stopped): not stopping or starting it") }
        var moved = false
        let keys = RestoreKeys(plan: plan, log: log)
        var keyResult = RestoreKeys.HostResult()
        var staged: String?
        defer { if let staged { try? FileManager.default.removeItem(atPath: staged) } }
        do throws(RunError) {
            try app.stop()
            if FileManager.default.fileExists(atPath: dataDir) || Self.isLink(dataDir) {
                guard rename(dataDir, aside) == 0 else { throw RunError("cannot move \(dataDir) aside: \(Self.errnoText())") }
                moved = true
                log("moved the live data dir aside to \(aside)")
            } else {
                log("\(dataDir) does not exist: restoring into a new data dir")
            }
            let staging = try stage(snapshot, beside: dataDir)
            staged = staging
            if rewritePaths { _ = try adjustUploadPaths(in: staging + "/data", for: dataDir, rewrite: true) }
            guard rename(staging + "/data", dataDir) == 0 else {
                throw RunError("cannot rename the verified copy into \(dataDir): \(Self.errnoText())")
            }
            keyResult = keys.putBackOnHost(staging, stamp: RunClock.id(now))
        } catch {
            if moved {
                if rename(aside, dataDir) == 0 {
                    log("restore failed: the original data dir is back in \(dataDir)")
                } else {
                    log("restore failed and the original data could not be moved back: it is in \(aside)")
                }
            }
            _ = app.start()
            throw error
        }
        var lines = ["restored snapshot \(snapshot.job)/\(snapshot.id) of target \(snapshot.target) into the data dir \(dataDir) (verified)"]
        if moved { lines.append("the previous data dir is in \(aside): delete it yourself once the app works") }
        lines += keyResult.lines
        let started = app.start()
        var failed = keyResult.failed
        if started, !appStopped, let staging = staged {
            let (containerLines, containerFailed) = keys.putBackInContainers(keyResult.containers, from: staging)
            lines += containerLines
            failed += containerFailed
        } else {
            failed += keyResult.containers
        }
        if let staging = staged {
            lines += keys.keepUnplaced(failed + keyResult.unknown, from: staging, in: "\(dataDir).keys-\(RunClock.id(now))")
        }
        guard started else {
            throw RunError(lines.joined(separator: "\n") + "\nbut starting the app failed: start it by hand")
        }
        guard failed.isEmpty else {
            throw RunError(lines.joined(separator: "\n") + "\nbut \(failed.count) key files could not be put back (kept as said above): put them back by hand")
        }
        return lines
    }
}

/// Stops and starts the plan's compose service (`COMPOSE -f FILE [-p PROJECT] stop|start SERVICE`);
/// starts at most once, and only what it stopped.
struct AppControl {
    var compose: CompiledCompose?
    var log: (String) -> Void
    private var stopped = false
    private var startTried = false

    init(compose: CompiledCompose?, log: @escaping (String) -> Void) {
        self.compose = compose
        self.log = log
    }

    mutating func stop() throws(RunError) {
        guard let compose else { return }
        log("stopping the app (compose service \(compose.service))")
        stopped = true
        guard ChildProcess.run(Self.command(compose, "stop")) == 0 else {
            throw RunError("stopping the app failed (compose service \(compose.service)); nothing was restored")
        }
    }

    /// True when the app was started (or there was nothing to start).
    mutating func start() -> Bool {
        guard let compose, stopped, !startTried else { return true }
        startTried = true
        log("starting the app (compose service \(compose.service))")
        return ChildProcess.run(Self.command(compose, "start")) == 0
    }

    static func command(_ compose: CompiledCompose, _ verb: String) -> [String] {
        compose.command + ["-f", compose.file] + (compose.project.map { ["-p", $0] } ?? []) + [verb, compose.service]
    }
}
