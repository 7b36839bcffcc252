import Foundation

/// The SHA-256 of an open file, computed on a thread of its own: the capture starts it and goes on (the
/// integrity check, starting the app again); the manifest waits for it.
public final class PendingHash: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<String, any Error> = .failure(RunError("not hashed"))

    /// Hashes from descriptor `fd` (from its start), which it takes over and closes; `path` names errors.
    init(fd: Int32, path: String) {
        let thread = Thread { [self] in
            result = Result { try FileHash.sha256(fd: fd, path: path) }
            close(fd)
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the hash (lowercase hex).
    public func value() throws -> String {
        done.wait()
        done.signal()  // later calls return at once
        return try result.get()
    }
}
