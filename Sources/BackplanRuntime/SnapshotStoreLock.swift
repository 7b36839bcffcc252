import BackplanCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The plan's lock, `flock` on `<state_dir>/lock` (the lock the jobs and restore.sh take), held while
/// snapshots are pruned, verified or restored. Only taken when the state dir exists.
public final class SnapshotStoreLock {
    private var descriptor: Int32 = -1

    /// Takes the lock, waiting while a job of the plan holds it (`notice` says so once). Does nothing
    /// when the state dir does not exist; a lock file that cannot be opened is reported through
    /// `notice` and the command goes on without the lock, like restore.sh.
    public init(stateDir: String, notice: (String) -> Void) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stateDir, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        let path = stateDir + "/" + RunContract.lockFile
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            notice("cannot open \(path); going on without the lock")
            return
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            notice("waiting for \(path) (a job of this plan is running)")
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        descriptor = fd
    }

    /// True when the lock is held.
    public var isHeld: Bool { descriptor >= 0 }

    /// Releases the lock (also done when the value goes away).
    public func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    deinit { release() }
}
