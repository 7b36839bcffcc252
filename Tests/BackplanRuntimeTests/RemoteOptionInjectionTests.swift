import BackplanCore
@testable import BackplanEmit
@testable import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// A remote that reached a compiled plan despite the check (an edited plan.json, an older backplan) is still
/// given to rclone after `--`, as a path, in both executors: rclone never reads it as an option.
@Suite struct RemoteOptionInjectionTests {
    @Test func anOptionLikeRcloneRemoteIsAPathInBothExecutors() throws {
        let dir = try TemporaryFolder()
        let runtimeLog = dir.path + "/runtime.log", bashLog = dir.path + "/bash.log"

        let rclone = CompiledRcloneTarget(remote: "--log-file=\(runtimeLog):")
        let store = RcloneStore(target: CompiledTarget(name: "offsite", kind: .rclone(rclone)), rclone: rclone, plan: "p")
        // rclone takes it for a local folder that does not exist: reachable, nothing listed. Read as an
        // option, it made rclone write its log to `<dir>/runtime.log:p` (the plan's folder).
        #expect(throws: Never.self) { try store.preflight() }
        #expect(try store.snapshotIDs(job: "j") == [])
        #expect(store.rclone(["lsf"], paths: [store.jobPath("j")]).suffix(2) == ["--", "--log-file=\(runtimeLog):p/j"])

        let script = """
            set -Eeuo pipefail
            PLAN=p
            readonly -a TARGET_ENV_FILES=('')
            readonly -a TARGET_RCLONE_REMOTES=(\(Shell.quote("--log-file=\(bashLog):")))
            readonly -a TARGET_RCLONE_CONFIGS=('') TARGET_RCLONE_BWLIMITS=('') TARGET_RCLONE_TRANSFERS=('')
            BP_REMOTE_ERROR=''
            \(RunContract.bash(usedBy: BashCore.functions + RemoteTargetBash.common + RemoteTargetBash.jobFunctions))
            \(BashCore.functions)
            \(RemoteTargetBash.envFile)
            \(RemoteTargetBash.common)
            \(RemoteTargetBash.jobFunctions)
            bp_rclone_preflight 0
            bp_rclone_complete 0 j
            printf 'listed\\n'

            """
        let path = dir.path + "/t.sh"
        _ = FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        let run = CleanProcess.run("/bin/bash", [path], scratch: dir.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "listed\n", "\(run.stdout)")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".log") }
        #expect(written == [], "rclone read the remote as an option and wrote \(written)")
    }
}
