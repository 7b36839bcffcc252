import Foundation

/// Starting processes the way cron and systemd do: an empty signal mask and default dispositions.
/// Foundation's `Process` passes on the test runner's blocked signals, which bash can neither trap nor
/// `wait` through (it relies on SIGCHLD), so every test that runs a generated script starts it here.
public enum CleanProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Starts `executable` (an absolute path), stdin from /dev/null, stdout and stderr to the given files.
    public static func spawn(_ executable: String, _ arguments: [String], stdout: String = "/dev/null",
                             stderr: String = "/dev/null", environment: [String: String]? = nil) -> pid_t? {
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
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }.sorted()
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, argv, envp) == 0 else { return nil }
        return pid
    }

    /// Waits for `pid`; its exit status, or 128 + the signal that ended it.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs `executable` and waits; stdout and stderr go through temp files in `scratch` (or the temp
    /// dir), so background processes it leaves behind cannot keep the caller waiting on a pipe.
    public static func run(_ executable: String, _ arguments: [String], scratch: String? = nil,
                           environment: [String: String]? = nil) -> Result {
        let dir = scratch ?? FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString
        let outPath = "\(dir)/.out-\(id)", errPath = "\(dir)/.err-\(id)"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard let pid = spawn(executable, arguments, stdout: outPath, stderr: errPath, environment: environment) else {
            return Result(status: -1, stdout: "", stderr: "cannot start \(executable)")
        }
        let status = wait(pid)
        return Result(status: status, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
