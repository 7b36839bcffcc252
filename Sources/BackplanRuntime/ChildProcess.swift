import Foundation

/// Starts the commands the runtime needs (compose, systemctl, `bash -c` quiesce commands, cp) with
/// `posix_spawnp`, the way cron would: an empty signal mask and default dispositions (the runtime blocks
/// the signals it waits for, and a child must not inherit that), stdin from /dev/null, stdout and stderr
/// to standard error (their output is log, never a result). Descriptors the runtime opens are
/// close-on-exec, so children never hold the lock.
public enum ChildProcess {
    /// Runs `arguments` (searched in PATH) and waits; its exit status, or 128 + the signal that ended it,
    /// or 127 when it cannot be started.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil) -> Int32 {
        guard let pid = spawn(arguments, environment: environment) else { return 127 }
        return wait(pid)
    }

    /// Runs `arguments` with `input` as its standard input (at most 64 KiB: it is written into the pipe
    /// before the child starts, so no write can ever meet a closed pipe) and its standard error dropped;
    /// its exit status (127 when it cannot be started) and standard output. The child opens the pipes as
    /// `/dev/fd/N` before its exec, while their close-on-exec descriptors are still there.
    /// A child writing more than `limit` bytes is killed and its output dropped (`read`).
    public static func capture(_ arguments: [String], input: Data, limit: Int = .max) -> (status: Int32, output: String) {
        let (status, output, _) = read(arguments, input: input, errors: "/dev/null", limit: limit)
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// Runs `arguments` like `capture` and returns its standard output as bytes, at most `limit` of them:
    /// a child that writes more is killed and `overflow` is true. Its standard error goes to `errors`
    /// (nil: to standard error, the log).
    public static func read(_ arguments: [String], input: Data = Data(), errors: String? = nil, limit: Int = .max)
        -> (status: Int32, output: Data, overflow: Bool)
    {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        guard input.count <= 65536, pipeCloseOnExec(&inPipe) else { return (127, Data(), false) }
        guard pipeCloseOnExec(&outPipe) else {
            inPipe.forEach { close($0) }
            return (127, Data(), false)
        }
        let written = input.withUnsafeBytes { input.isEmpty ? 0 : Foundation.write(inPipe[1], $0.baseAddress, $0.count) }
        close(inPipe[1])
        let pid = written == input.count
            ? spawn(arguments, input: "/dev/fd/\(inPipe[0])", output: "/dev/fd/\(outPipe[1])", errors: errors) : nil
        close(inPipe[0])
        close(outPipe[1])
        var output = Data()
        var overflow = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Foundation.read(outPipe[0], &buffer, buffer.count)
            if n > 0 {
                output.append(buffer, count: n)
                if output.count > limit {
                    overflow = true
                    if let pid { kill(pid, SIGKILL) }
                    break
                }
            } else if n == 0 || errno != EINTR { break }
        }
        close(outPipe[0])
        guard let pid else { return (127, Data(), false) }
        return (wait(pid), overflow ? Data() : output, overflow)
    }

    /// A pipe whose ends are close-on-exec (Glibc's module has no `pipe2`).
    private static func pipeCloseOnExec(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Starts `arguments` (with `environment`, or this process's); nil when it cannot be started.
    /// `output` and `errors`, when given, are files that receive the child's stdout and stderr (else both
    /// go to standard error); `input` replaces /dev/null as stdin; `directory` is the child's working folder.
    public static func spawn(_ arguments: [String], environment: [String: String]? = nil, input: String = "/dev/null",
                             output: String? = nil, errors: String? = nil, directory: String? = nil) -> pid_t? {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
        }
        if let errors { posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        if let directory { _ = systemAddChdir(&actions, directory) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard let first = arguments.first else { return nil }
        let status = envp.map { e in e.withUnsafeBufferPointer { posix_spawnp(&pid, first, &actions, &attributes, argv, $0.baseAddress) } }
            ?? posix_spawnp(&pid, first, &actions, &attributes, argv, environ)
        return status == 0 ? pid : nil
    }

    /// Waits for `pid`: its exit status, or 128 + the signal that ended it.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// Why a run must stop early: a signal, or max_downtime spent. Set from the signal and watchdog threads,
/// read by the capture between files and while it waits for a locked database.
public final class RunCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var why: String?

    public init() {}

    /// Records the first reason; later ones are ignored.
    public func cancel(_ reason: String) { lock.withLock { if why == nil { why = reason } } }
    public var reason: String? { lock.withLock { why } }
    public var isCancelled: Bool { reason != nil }

    /// Throws the reason when cancelled.
    public func check() throws {
        if let reason { throw RunError(reason) }
    }
}

/// posix_spawn_file_actions_addchdir_np(3) (glibc 2.29): Glibc's Swift module does not export it.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func systemAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
