import BackplanCore
import BackplanEmit
import Foundation
import Testing

/// INSTALL.md of the hostile plan, run as an administrator would: every `sh` block that installs runs
/// under `bash -euo pipefail` with `DESTDIR` a staging folder; nothing a plan value says is executed.
@Suite struct InstallHostileTests {
    /// The fenced `sh` blocks of a Markdown text, in order.
    static func shellBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" { current = [] } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
            } else { current?.append(line) }
        }
        return blocks
    }

    @Test func installBlocksRunBelowAStagingRootWithHostileNamesIntact() throws {
        let plan = try FixturePlans.compile("hostile")
        let out = try TempDir(), stage = try TempDir()
        for file in PlanEmitter.files(for: plan) { try out.write(file.path, file.contents, executable: file.executable) }
        let install = try #require(PlanEmitter.files(for: plan).first { $0.path == "INSTALL.md" }).contents
        let blocks = Self.shellBlocks(install)
        let installing = blocks.filter { $0.hasPrefix("root=${DESTDIR:-}") }
        #expect(installing.count == 3, "the files, the systemd timers, cron")
        let markers = ["/tmp/backplan-pwned-state", "/tmp/backplan-pwned-data"]
        for marker in markers { try? FileManager.default.removeItem(atPath: marker) }
        for block in installing {
            let run = try runTool("/bin/bash", ["-euo", "pipefail", "-c", block], environment: ["DESTDIR": stage.path], directory: out.path)
            #expect(run.status == 0, "\(block)\n\(run.stderr)")
        }
        for marker in markers { #expect(!FileManager.default.fileExists(atPath: marker), "\(marker) was created") }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: stage.path + plan.stateDir, isDirectory: &isDirectory) && isDirectory.boolValue,
                "the state dir, its name intact")
        let mode = try FileManager.default.attributesOfItem(atPath: stage.path + plan.stateDir)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        for name in ["nightly.sh", "restore.sh", "plan.json", "INSTALL.md"] {
            #expect(FileManager.default.fileExists(atPath: stage.path + plan.install.scriptDir + "/" + name), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: stage.path + plan.install.cronFile))
        #expect(FileManager.default.fileExists(atPath: stage.path + "/etc/systemd/system/backplan-hostile-nightly.service"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(
            atPath: stage.path + "/etc/systemd/system/timers.target.wants/backplan-hostile-nightly.timer")) != nil, "timer enabled below the root")
        // The others are run by hand on the installed server: they must at least parse.
        for block in blocks where !installing.contains(block) {
            let parse = try runTool("/bin/bash", ["-n", "-c", block])
            #expect(parse.status == 0, "\(block)\n\(parse.stderr)")
        }
    }

}
