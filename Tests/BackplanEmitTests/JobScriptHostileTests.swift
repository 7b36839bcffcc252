@testable import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Plan values holding quotes, `$(…)`, backticks, `;`, globs, spaces, leading dashes and unicode are data:
/// the script runs (or fails cleanly) and no injected command runs.
@Suite struct JobScriptHostileTests {
    typealias H = JobScriptHarness

    static func hostile(_ marker: String) -> [String] {
        [
            "/-it's \"quoted\" $(touch \(marker)) `touch \(marker)`; * ?",
            "/--help ${IFS}$((1+1)) \\n ; touch \(marker) # é 日本 🙂",
            "/-x '$(touch \(marker))'\";touch \(marker);\"",
        ]
    }

    /// A fake `systemctl` (or compose command) recording each argument on its own line.
    static func recorder(_ h: H, name: String) throws -> String {
        let bin = h.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/bash\nprintf '%s\\n' \"$@\" '--end--' >> \(Shell.quote(h.root + "/\(name).args"))\n"
            .write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
        try H.bash("chmod +x \(Shell.quote(bin + "/" + name))")
        return bin
    }

    static func recorded(_ h: H, _ name: String) -> [[String]] {
        let text = (try? String(contentsOfFile: h.root + "/\(name).args", encoding: .utf8)) ?? ""
        return text.split(separator: "--end--\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    @Test(arguments: 0..<3) func hostilePathsAndUnitNames(_ index: Int) throws {
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        let component = Self.hostile(marker)[index]
        let h = try H(component: component)
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: (h.dataDir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try h.copyFixture()
        let bin = try Self.recorder(h, name: "systemctl")
        let names: [String] = ["-open webui's \"unit\" $(touch \(marker))", "`touch \(marker)`;*", "ünït.service"]
        let plan = h.plan(quiesce: CompiledQuiesce(method: .units, names: names, stopCommands: [], startCommands: [],
                                                   maxDowntimeSeconds: 30),
                          targets: [H.localTarget("local", h.backups), H.localTarget("second", h.root + "/second" + component)])
        try FileManager.default.createDirectory(atPath: h.root + "/second" + component, withIntermediateDirectories: true)
        let script = try h.writeScript(plan)
        #expect(JobScriptHarness.run("/usr/bin/shellcheck", ["-x", "-s", "bash", script]).status == 0)
        for _ in 0..<2 {
            let result = try h.runScript(script, path: bin)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker), "an injected command ran")
        #expect(Self.recorded(h, "systemctl") == [["stop", "--"] + names, ["start", "--"] + Array(names.reversed()),
                                                  ["stop", "--"] + names, ["start", "--"] + Array(names.reversed())])
        for target in [h.backups, h.root + "/second" + component] {
            let ids = h.snapshots(plan, target: target)
            #expect(ids.count == 2, "\(target)")
            for id in ids {
                try H.bash("cd \(Shell.quote(h.jobDir(plan, target: target) + "/" + id)) && sha256sum -c --quiet --strict MANIFEST.sha256")
            }
        }
        let dry = try h.runScript(script, ["--dry-run"], path: bin)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func hostileComposeCommandWords() throws {
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        let h = try H()
        defer { h.remove() }
        try h.copyFixture()
        let bin = try Self.recorder(h, name: "fake-compose")
        let compose = CompiledCompose(file: h.root + "/docker-compose $(touch \(marker)).yaml", project: "-p'x`touch \(marker)`",
                                      service: "open-webui", command: [bin + "/fake-compose", "--ansi", "never"])
        // Service names are compose's own ([A-Za-z0-9][A-Za-z0-9_.-]*: the plan decoder refuses others, see
        // PlanDecoderTests), so they are passed without `--`, which docker-compose 1.29 refuses for `start`.
        let services = ["open-webui", "pipelines.v2"]
        let plan = h.plan(quiesce: CompiledQuiesce(method: .compose, names: services, stopCommands: [], startCommands: [],
                                                   maxDowntimeSeconds: nil), compose: compose)
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let head = ["--ansi", "never", "-f", compose.file, "-p", compose.project!]
        // The app's versions are read first (`ps -q`, then `ps -a -q`, for the service's container: the
        // recorder names none), then the stop and the start; every word arrives as one argument.
        #expect(Self.recorded(h, "fake-compose") == [head + ["ps", "-q", "open-webui"], head + ["ps", "-a", "-q", "open-webui"],
                                                     head + ["stop"] + services, head + ["start"] + Array(services.reversed())])
    }

    @Test func hostileSourceThatFailsPreflightFailsCleanly() throws {
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        let h = try H(component: "/$(touch \(marker))")
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: (h.dataDir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try h.copyFixture()
        try H.bash("printf 'not sqlite' > \(Shell.quote(h.dataDir + "/webui.db"))")
        let plan = h.plan()
        let result = try h.runScript(try h.writeScript(plan))
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not a readable SQLite file"))
        #expect(h.snapshots(plan).isEmpty && h.jobDirEntries(plan).isEmpty)
        #expect(h.runsLog().last?["status"] as? String == "failed")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
