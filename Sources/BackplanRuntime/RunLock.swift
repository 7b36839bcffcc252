import BackplanCore
import Foundation

/// The plan's lock: `flock(2)` on `<state_dir>/lock`, held for the whole run. The state dir is created
/// with mode 0700. The descriptor is close-on-exec, so quiesce commands (and apps they start) never hold it.
public final class RunLock {
    private let fd: Int32

    /// Creates the state dir and takes the lock, logging once and waiting when another run holds it
    /// (polling every 100 ms, so that a signal ends the wait).
    public init(stateDir: String, log: RunLog, cancellation: RunCancellation) throws {
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        chmod(stateDir, 0o700)
        let path = stateDir + "/" + RunContract.lockFile
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunError("cannot open \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            log.log("another run of plan \(log.plan) holds \(path); waiting for it", step: .lock)
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR, !cancellation.isCancelled else {
                    let reason = cancellation.reason ?? "cannot lock \(path): \(String(cString: strerror(errno)))"
                    close(fd)
                    throw RunError(reason)
                }
                usleep(100_000)
            }
        }
    }

    /// Releases the lock (also released when the process ends, however it ends).
    public func release() { close(fd) }
}
