import BackplanCore
@testable import BackplanEmit
@testable import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// The credential handling both executors share for remote targets: an env file is read as data with
/// compose's rules (never executed), its variables reach the tool, and what a failing tool prints is
/// redacted before it can reach a log.
@Suite struct RemoteCredentialTests {
    /// An env file with every rule the reader knows, and values that would do harm if a shell ran them.
    static let envText = #"""
        # a comment
        export AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY0001 # trailing comment
        AWS_SECRET_ACCESS_KEY='s3cr3t $(touch /tmp/backplan-pwned) `id`'
        RCLONE_CONFIG_X_ENDPOINT="http://127.0.0.1:1/\"q\""
          SPACED	=	 value with spaces	
        EMPTY=
        RCLONE_CONFIG_NAS_TYPE=sftp
        RCLONE_CONFIG_NAS_PORT=2222
        RCLONE_CONFIG_NAS_NO_HEAD=true

        """#

    /// Runs `body` (bash, after the env-file functions) in a script holding one target with `envFile`.
    func bash(_ body: String, envFile: String, in dir: String) -> CleanProcess.Result {
        let script = """
            set -Eeuo pipefail
            readonly -a TARGET_ENV_FILES=(\(Shell.quote(envFile)))
            BP_REMOTE_ERROR=''
            \(RemoteTargetBash.envFile)
            \(body)
            """
        let path = dir + "/t.sh"
        FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        return CleanProcess.run("/bin/bash", [path], scratch: dir)
    }

    @Test func bashAndSwiftReadTheSameVariablesAndRunNothing() throws {
        let dir = try TemporaryFolder()
        let env = dir.path + "/creds.env"
        try Self.envText.write(toFile: env, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: "/tmp/backplan-pwned")
        let run = bash(#"""
            bp_read_env_file "${TARGET_ENV_FILES[0]}"
            for k in "${!BP_ENV_KEYS[@]}"; do printf '%s=%s\n' "${BP_ENV_KEYS[k]}" "${BP_ENV_VALUES[k]}"; done
            """#, envFile: env, in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let tool = try RemoteTool(envFile: env)
        let swiftLines = EnvFile(parsing: Self.envText).entries.map { "\($0.key)=\($0.value)" }
        #expect(run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) == swiftLines)
        #expect(tool.environment["AWS_SECRET_ACCESS_KEY"] == "s3cr3t $(touch /tmp/backplan-pwned) `id`")
        #expect(tool.environment["RCLONE_CONFIG_X_ENDPOINT"] == #"http://127.0.0.1:1/"q""#)
        #expect(tool.environment["SPACED"] == "value with spaces")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/backplan-pwned"))
    }

    @Test func theToolSeesTheVariablesAndFailuresAreRedactedInBothExecutors() throws {
        let dir = try TemporaryFolder()
        let env = dir.path + "/creds.env"
        try Self.envText.write(toFile: env, atomically: true, encoding: .utf8)
        // A tool that prints its secret, as a verbose or buggy tool might, then fails.
        let echo = #"printf 'line one\nauth failed for %s with %s (%s port %s)\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$RCLONE_CONFIG_NAS_TYPE" "$RCLONE_CONFIG_NAS_PORT" >&2; exit 7"#

        let tool = try RemoteTool(envFile: env)
        let result = tool.run(["bash", "-c", echo])
        #expect(result.status == 7)
        #expect(result.stderr.contains("auth failed for [redacted] with [redacted] (sftp port 2222)"))
        #expect(throws: RunError.self) { try tool.check(["bash", "-c", echo], "upload") }
        do { try tool.check(["bash", "-c", echo], "upload") } catch {
            #expect(error.description == "upload failed (status 7): line one | auth failed for [redacted] with [redacted] (sftp port 2222)")
        }

        let run = bash("""
            if bp_remote 0 upload bash -c \(Shell.quote(echo)); then exit 1; fi
            printf '%s\\n' "$BP_REMOTE_ERROR"
            [[ -z ${AWS_ACCESS_KEY_ID:-} ]]
            """, envFile: env, in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "upload failed (status 7): line one | auth failed for [redacted] with [redacted] (sftp port 2222)\n")
        for secret in ["AKIAEXAMPLEKEY0001", "s3cr3t"] {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
        }
    }

    @Test func anUnreadableOrBrokenEnvFileIsAClearError() throws {
        let dir = try TemporaryFolder()
        let broken = dir.path + "/broken.env"
        try "GOOD=1\nnot a variable=2\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(throws: RunError.self) { try RemoteTool(envFile: dir.path + "/missing.env") }
        do { _ = try RemoteTool(envFile: broken) } catch {
            #expect(error.description.contains("line 2"))
            #expect(!error.description.contains("not a variable"), "env-file content was echoed: \(error.description)")
        }
        let run = bash(#"""
            if bp_read_env_file "${TARGET_ENV_FILES[0]}"; then exit 1; fi
            printf '%s\n' "$BP_REMOTE_ERROR"
            """#, envFile: broken, in: dir.path)
        #expect(run.stdout.contains("line 2: the name before '=' is not a shell variable name"), "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("not a variable") && !run.stderr.contains("not a variable"))
    }
}

/// Values of variables whose names say credential are redacted whatever their length, by both executors alike.
@Suite struct RemoteCredentialNameTests {
    static let cases: [(key: String, value: String)] = [
        ("PIN", "8675309"), ("RESTIC_PASSWORD", "abc"), ("RCLONE_CONFIG_NAS_PASS", "x1"), ("API_TOKEN", "7"),
        ("AWS_ACCESS_KEY_ID", "AK"), ("B2_ACCOUNT_KEY", "k"), ("MY_SECRET", "no"), ("DB_CREDENTIALS", "a:b"),
        ("HTTP_AUTH", "u:p"), ("PASSPHRASE", "42"), ("PWD", "pw"),
        ("RCLONE_CONFIG_NAS_KEY_FILE", "/k"), ("RCLONE_CONFIG_NAS_PORT", "2222"), ("RCLONE_CONFIG_NAS_TYPE", "sftp"),
        ("RCLONE_CONFIG_NAS_NO_HEAD", "true"), ("RETRIES", "3"), ("MODE", "fast"), ("LEVEL", "abc"), ("PIN", ""),
        ("SPINE", "abc"), ("KEYBOARD", "us"),
    ]

    @Test func theExecutorsAgreeOnWhichValuesAreSecret() throws {
        let dir = try TemporaryFolder()
        let calls = Self.cases.map { "if bp_env_is_secret \(Shell.quote($0.key)) \(Shell.quote($0.value)); then echo 1; else echo 0; fi" }
        let run = RemoteCredentialTests().bash(calls.joined(separator: "\n"), envFile: "", in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let bash = run.stdout.split(separator: "\n").map { $0 == "1" }
        let swift = Self.cases.map { EnvFile.isSecret(key: $0.key, value: $0.value) }
        #expect(bash == swift)
        #expect(swift == [true, true, true, true, true, true, true, true, true, true, true,
                          false, false, false, false, false, true, false, false, false, false])
    }

    @Test func shortSecretsAndNumbersNeverReachAMessage() throws {
        let dir = try TemporaryFolder()
        let env = dir.path + "/creds.env"
        try "PIN=8675309\nRESTIC_PASSWORD=ab\nAPI_TOKEN=xy8675309zz\nRETRIES=3\n".write(toFile: env, atomically: true, encoding: .utf8)
        let echo = #"printf 'login with pin %s pass %s token %s failed after %s tries\n' "$PIN" "$RESTIC_PASSWORD" "$API_TOKEN" "$RETRIES" >&2; exit 3"#
        let expected = "upload failed (status 3): login with pin [redacted] pass [redacted] token [redacted] failed after 3 tries"
        let tool = try RemoteTool(envFile: env)
        do { try tool.check(["bash", "-c", echo], "upload") } catch {
            #expect(error.description == expected)
        }
        let run = RemoteCredentialTests().bash("""
            if bp_remote 0 upload bash -c \(Shell.quote(echo)); then exit 1; fi
            printf '%s\\n' "$BP_REMOTE_ERROR"
            """, envFile: env, in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == expected + "\n")
    }
}
