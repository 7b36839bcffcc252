import BackplanCore
import BackplanEmit
import Foundation
import Testing

/// What one run of a shell command did.
struct ShellRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
}

/// Runs `bash -c SCRIPT` with positional arguments, so test values reach the command as data.
/// Output goes to files (no pipe can fill up); a run longer than `timeout` fails the test.
func bash(_ script: String, _ arguments: [String] = [], in directory: String? = nil,
          environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ShellRun
{
    let scratch = FileManager.default.temporaryDirectory.path + "/backplan-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    _ = FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script, "bash"] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/out"))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/err"))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            Issue.record("timed out: \(script)")
            break
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ShellRun(status: process.terminationStatus,
                    stdout: try String(contentsOfFile: scratch + "/out", encoding: .utf8),
                    stderr: try String(contentsOfFile: scratch + "/err", encoding: .utf8))
}

/// A compiled plan for restore tests, built as `plan.json` is and decoded like the runtime does.
struct RestorePlan {
    var name = "openwebui"
    var dataDir: String
    var stateDir: String
    /// nil: the plan has no compose file.
    var compose: (command: [String], file: String, project: String?, service: String)?
    /// name, type, path
    var targets: [(String, String, String?)]
    var jobs: [String]

    func compiled() throws -> CompiledPlan {
        var plan: [String: Any] = [
            "format": 1, "name": name, "source": "plans/\(name).yaml", "data_dir": dataDir, "state_dir": stateDir,
            "sources": [["name": "database", "kind": "sqlite", "path": "webui.db", "absolute_path": dataDir + "/webui.db",
                         "exclude": [String]()]],
            "targets": targets.map { t -> [String: Any] in
                var target: [String: Any] = ["name": t.0, "type": t.1]
                if let path = t.2 { target[["rclone": "remote", "restic": "repository"][t.1] ?? "path"] = path }
                // The keys plan.json always holds for the remote types (the reader refuses it without them).
                switch t.1 {
                case "rsync": target["host"] = "nas.lan"; target["direction"] = "push"
                case "restic":
                    target["repository"] = target["repository"] ?? "s3:https://s3.example.com/\(t.0)"
                    target["password_file"] = "/etc/backplan/restic-password"; target["init"] = false
                default: break
                }
                return target
            },
            "jobs": jobs.map { job -> [String: Any] in
                ["name": job, "sources": ["database"], "targets": targets.map(\.0), "verify": "manifest",
                 "schedule": ["expression": "daily", "syntax": "calendar", "on_calendar": ["*-*-* 00:00:00"],
                              "cron": "0 0 * * *"],
                 "quiesce": ["method": "none", "names": [String](), "stop_commands": [String](),
                             "start_commands": [String]()]]
            },
            "install": ["script_dir": "/usr/local/lib/backplan/x", "cron_file": "/etc/cron.d/x",
                        "unit_dir": "/etc/systemd/system"],
        ]
        if let compose {
            var c: [String: Any] = ["command": compose.command, "file": compose.file, "service": compose.service]
            if let project = compose.project { c["project"] = project }
            plan["compose"] = c
        }
        let data = try JSONSerialization.data(withJSONObject: plan)
        return try JSONDecoder().decode(CompiledPlan.self, from: data)
    }

    /// Writes restore.sh of this plan to `path` (executable).
    func writeScript(to path: String) throws {
        try LibraryEmitter.install(RestoreScriptEmitter.render(compiled()), plan: compiled(), at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}
