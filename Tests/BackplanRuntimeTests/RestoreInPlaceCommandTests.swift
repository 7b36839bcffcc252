@testable import BackplanCore
import BackplanRuntime
import Foundation
import Testing

/// `backplan restore --in-place` with a recording stand-in for the compose command.
@Suite struct RestoreInPlaceCommandTests {
    /// A workspace whose plan's compose command is a script appending its arguments to `compose.log`.
    func workspace() throws -> SnapshotWorkspace {
        var workspace = try SnapshotWorkspace()
        let mock = workspace.root + "/mock-compose"
        try "#!/bin/bash\nprintf '%s\\n' \"$*\" >> \(Shell.quote(workspace.root + "/compose.log"))\n"
            .write(toFile: mock, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: mock)
        workspace.plan.compose = CompiledCompose(file: workspace.root + "/compose.yaml", project: "owui", service: "open-webui", command: [mock])
        try workspace.writePlan()
        return workspace
    }

    func composeLog(_ workspace: SnapshotWorkspace) -> [String] {
        ((try? String(contentsOfFile: workspace.root + "/compose.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func stopsMovesAsideRestoresAndStartsOnce() throws {
        let workspace = try workspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        try Data("after the snapshot".utf8).write(to: URL(fileURLWithPath: workspace.dataDir + "/uploads/new.txt"))
        let result = workspace.backplan("restore", ["--target", "local", "--in-place"])
        #expect(result.status == 0, "\(result.stderr)")
        let compose = "-f \(workspace.root)/compose.yaml -p owui"
        // The job and then the restore read the app's versions (`ps -q`, then `ps -a -q`: the mock lists none), the restore before it stops the app.
        #expect(composeLog(workspace) == Array(repeating: ["\(compose) ps -q open-webui", "\(compose) ps -a -q open-webui"], count: 2).flatMap { $0 }
                + ["\(compose) stop open-webui", "\(compose) start open-webui"])
        #expect(try SnapshotWorkspace.tree(workspace.dataDir) == SnapshotWorkspace.tree("\(workspace.jobDir)/\(id)/data"))
        let aside = try #require(try FileManager.default.contentsOfDirectory(atPath: workspace.root).first { $0.hasPrefix("data.before-restore-") })
        #expect(FileManager.default.fileExists(atPath: "\(workspace.root)/\(aside)/uploads/new.txt"))
        #expect(result.stdout.contains("the previous data dir is in \(workspace.root)/\(aside)"))
    }

    @Test func aBadSnapshotPutsTheOriginalBackAndStartsTheApp() throws {
        let workspace = try workspace()
        defer { workspace.remove() }
        let id = try workspace.runJobScript()
        try SnapshotWorkspace.flipByte("\(workspace.jobDir)/\(id)/data/webui.db", at: 5000)
        let before = try SnapshotWorkspace.tree(workspace.dataDir)
        let result = workspace.backplan("restore", ["--target", "local", "--in-place"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("failed verification"))
        #expect(result.stderr.contains("the original data dir is back in \(workspace.dataDir)"))
        #expect(try SnapshotWorkspace.tree(workspace.dataDir) == before)
        #expect(composeLog(workspace).count == 6)
        #expect(composeLog(workspace).last?.hasSuffix("start open-webui") == true)
        let aside = try FileManager.default.contentsOfDirectory(atPath: workspace.root).filter { $0.hasPrefix("data.before-restore-") }
        #expect(aside.isEmpty)
    }
}
