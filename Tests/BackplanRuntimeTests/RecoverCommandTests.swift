@testable import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing

/// `backplan recover` on hand-written journals in the generated scripts' format.
@Suite struct RecoverCommandTests {
    func writeJournal(_ workspace: SnapshotWorkspace, _ lines: [String]) throws {
        try FileManager.default.createDirectory(atPath: workspace.stateDir, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(toFile: workspace.stateDir + "/quiesce", atomically: true, encoding: .utf8)
    }

    func recorded(_ workspace: SnapshotWorkspace) -> [String] {
        ((try? String(contentsOfFile: workspace.root + "/recorder", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func commandsJournalStartsTheAppOnceAndIsRemoved() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let recorder = Shell.quote(workspace.root + "/recorder")
        try writeJournal(workspace, ["format 1", "plan openwebui", "job daily", "method commands",
                                     "start echo first >> \(recorder)", "start echo second >> \(recorder)"])
        let first = workspace.backplan("recover")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("recovered: the app was started again (commands, journaled by job daily)"))
        #expect(recorded(workspace) == ["first", "second"])
        #expect(!FileManager.default.fileExists(atPath: workspace.stateDir + "/quiesce"))

        let again = workspace.backplan("recover")
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to recover"))
        #expect(recorded(workspace) == ["first", "second"])
    }

    @Test func composeServicesStartInReverseOrder() throws {
        var workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        let mock = workspace.root + "/mock-compose"
        try "#!/bin/bash\nprintf '%s\\n' \"$*\" >> \(Shell.quote(workspace.root + "/recorder"))\n"
            .write(toFile: mock, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: mock)
        workspace.plan.compose = CompiledCompose(file: "/srv/compose.yaml", project: nil, service: "open-webui", command: [mock])
        try workspace.writePlan()
        try writeJournal(workspace, ["format 1", "plan openwebui", "job daily", "method compose", "name open-webui", "name pipelines"])
        let result = workspace.backplan("recover")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(recorded(workspace) == ["-f /srv/compose.yaml start pipelines open-webui"])
    }

    @Test func aFailedStartKeepsTheJournal() throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try writeJournal(workspace, ["format 1", "plan openwebui", "job daily", "method commands", "start exit 3"])
        let result = workspace.backplan("recover")
        #expect(result.status == 1)
        #expect(result.stderr.contains("is kept so that the next run or recover tries again"))
        #expect(FileManager.default.fileExists(atPath: workspace.stateDir + "/quiesce"))
        let status = workspace.backplan("status")
        #expect(status.stdout.contains("a quiesce journal is waiting"))
    }

    @Test func theJournalOfAJobScriptKilledWhileTheAppIsStoppedIsResumed() throws {
        let recorder = FileManager.default.temporaryDirectory.path + "/bp-recorder-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: recorder) }
        // The stop command kills the job script (SIGKILL: no trap runs), leaving its journal behind.
        let quiesce = CompiledQuiesce(method: .commands, names: [], stopCommands: ["kill -9 $PPID"],
                                      startCommands: ["echo started >> \(Shell.quote(recorder))"], maxDowntimeSeconds: nil)
        let workspace = try SnapshotWorkspace(quiesce: quiesce)
        defer { workspace.remove() }
        let script = workspace.root + "/daily.sh"
        try LibraryEmitter.install(BackplanEmit.JobScriptEmitter.render(workspace.plan, job: workspace.plan.jobs[0]), plan: workspace.plan, at: script)
        let killed = SnapshotWorkspace.run("/bin/bash", [script])
        #expect(killed.status == 128 + SIGKILL)
        let journal = try String(contentsOfFile: workspace.stateDir + "/quiesce", encoding: .utf8)
        #expect(QuiesceJournal.parse(journal).method == "commands")

        let result = workspace.backplan("recover")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(((try? String(contentsOfFile: recorder, encoding: .utf8)) ?? "") == "started\n")
        #expect(!FileManager.default.fileExists(atPath: workspace.stateDir + "/quiesce"))
        #expect(workspace.backplan("recover").stdout.contains("nothing to recover"))
    }
}
