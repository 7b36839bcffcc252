import Foundation
import Testing

/// A mock of `docker compose` (a small bash script) that records every call, so --in-place can be
/// tested without a container engine; the test against a real container comes with the runtime.
struct RestoreMockCompose {
    let executable: String
    let log: String

    /// Installs the mock at `folder/compose` (the folder may have a hostile name).
    init(in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        executable = folder + "/compose"
        log = folder + "/calls.log"
        let script = """
            #!/usr/bin/env bash
            # Mock of docker compose: one line per call, arguments separated by the unit separator.
            { printf '%s\\037' "$@"; printf '\\n'; } >> "$MOCK_COMPOSE_LOG"

            """
        try script.write(toFile: executable, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable)
    }

    var environment: [String: String] { ["MOCK_COMPOSE_LOG": log] }

    /// The recorded calls, each as its arguments.
    func calls() throws -> [[String]] {
        guard FileManager.default.fileExists(atPath: log) else { return [] }
        return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { line in
            line.split(separator: "\u{1F}", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }
}
