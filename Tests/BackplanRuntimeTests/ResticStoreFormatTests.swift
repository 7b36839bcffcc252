@testable import BackplanCore
@testable import BackplanEmit
@testable import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// The pure parts of the restic target, in both executors: what counts as a missing repository, the
/// snapshot time, the tags and the backup summary.
@Suite struct ResticStoreFormatTests {
    /// restic 0.14's messages for a missing config (S3 key, S3 bucket, local folder, sftp), and errors
    /// that must never be taken for "missing".
    static let missing = [
        "Fatal: unable to open config file: Stat: The specified key does not exist.\nIs there a repository at the following location?",
        "Fatal: unable to open config file: Stat: The specified bucket does not exist\nIs there a repository at the following location?",
        "Fatal: unable to open config file: stat /srv/repo/config: no such file or directory\nIs there a repository at the following location?",
        "Fatal: unable to open config file: Lstat: file does not exist\nIs there a repository at the following location?",
        // restic 0.14's rclone: backend (seen with an sftp remote behind it)
        "Fatal: unable to open config file: <config/> does not exist\nIs there a repository at the following location?",
    ]
    static let otherErrors = [
        "Fatal: wrong password or no key found",
        #"Fatal: unable to open config file: Stat: Get "http://127.0.0.1:5099/bkt/?location=": dial tcp 127.0.0.1:5099: connect: connection refused"#,
        "Fatal: unable to open config file: Stat: Access Denied.",
        "Fatal: Please specify repository location (-r or --repository-file)",
    ]

    /// Runs bp_restic_state's decision in bash on `stderr` (a fake restic in PATH prints it and fails).
    func bashState(_ stderr: String) throws -> String {
        let dir = try TemporaryFolder()
        try stderr.write(toFile: dir.path + "/stderr", atomically: true, encoding: .utf8)
        try TestExecutable.install("#!/bin/sh\ncat \(Shell.quote(dir.path + "/stderr")) >&2\nexit 1\n", at: dir.path + "/restic")
        let script = """
            set -Eeuo pipefail
            readonly -a TARGET_ENV_FILES=('')
            readonly STATE_DIR=/nonexistent/state
            readonly -a TARGET_NAMES=(s3)
            readonly -a RESTIC_REPOSITORIES=(repo)
            readonly -a RESTIC_PASSWORD_FILES=(/pass)
            BP_REMOTE_ERROR=''
            \(RemoteTargetBash.envFile)
            \(RemoteTargetBash.resticCommon)\(RemoteTargetBash.resticJob)
            if bp_restic_state 0; then printf '%s\\n' "$BP_RESTIC_STATE"; else printf 'error: %s\\n' "$BP_REMOTE_ERROR"; fi
            printf '%s\\n' "$(bp_restic_time 20261127T031500Z)"
            """
        try script.write(toFile: dir.path + "/t.sh", atomically: true, encoding: .utf8)
        let environment = ProcessInfo.processInfo.environment.merging(["PATH": dir.path + ":/usr/bin:/bin"]) { $1 }
        let run = CleanProcess.run("/bin/bash", [dir.path + "/t.sh"], scratch: dir.path, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout
    }

    @Test func missingIsToldOnlyByAMissingConfigInBothExecutors() throws {
        for text in Self.missing {
            #expect(ResticStore.isMissingRepository(text), "\(text)")
            #expect(try bashState(text) == "missing\n2026-11-27 03:15:00\n")
        }
        for text in Self.otherErrors {
            #expect(!ResticStore.isMissingRepository(text), "\(text)")
            #expect(try bashState(text).hasPrefix("error: "))
        }
        #expect(try bashState(Self.otherErrors[0]).contains("does not open restic repository repo (wrong password"))
    }

    @Test func timeTagsAndSummary() throws {
        #expect(try ResticStore.time(of: "20261127T031500Z") == "2026-11-27 03:15:00")
        #expect(throws: RunError.self) { try ResticStore.time(of: "2026-11-27") }
        #expect(ResticStore.tags(plan: "openwebui", job: "daily", id: "20261127T031500Z") == "backplan,plan=openwebui,job=daily,id=20261127T031500Z")
        let output = Data(#"""
            {"message_type":"status","percent_done":1}
            {"message_type":"summary","files_new":0,"files_changed":4,"files_unmodified":14,"dirs_new":0,"data_added":9150,"snapshot_id":"0a9a8570"}
            """#.utf8)
        #expect(ResticStore.summary(output) == "restic snapshot 0a9a8570: 0 new, 4 changed, 14 unmodified files; 9150 bytes added to the repository")
        #expect(ResticStore.summary(Data("not json".utf8)) == nil)
    }
}
