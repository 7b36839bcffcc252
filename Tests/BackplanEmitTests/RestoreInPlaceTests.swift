import Foundation
import Testing

/// `restore --in-place`: the app is stopped and started through a mock of docker compose
/// (`RestoreMockCompose`, which records its calls); the live data dir is moved aside, never deleted.
@Suite struct RestoreInPlaceTests {
    struct Setup {
        var ws: RestoreWorkspace
        var script: String
        var live: String
        var snapshot: String
        var compose: RestoreMockCompose
        var file: String { ws.path + "/compose.yaml" }
    }

    /// A live data dir (the fixture plus a file only the original has) and one snapshot of the fixture.
    static func setUp(compose withCompose: Bool = true) throws -> Setup {
        let ws = try RestoreWorkspace()
        let live = ws.path + "/srv/data"
        try ws.copyFixture(to: live)
        try "original".write(toFile: live + "/ORIGINAL", atomically: true, encoding: .utf8)
        let compose = try RestoreMockCompose(in: ws.path + "/bin")
        let plan = RestorePlan(dataDir: live, stateDir: ws.path + "/state",
                               compose: withCompose ? ([compose.executable, "compose"], ws.path + "/compose.yaml",
                                                       "owui", "open-webui") : nil,
                               targets: [("local", "local", ws.path + "/backups")], jobs: ["daily"])
        let script = ws.path + "/restore.sh"
        try plan.writeScript(to: script)
        let snapshot = try ws.makeSnapshot(root: ws.path + "/backups", plan: "openwebui", job: "daily",
                                           id: "20260101T000000Z")
        return Setup(ws: ws, script: script, live: live, snapshot: snapshot, compose: compose)
    }

    func asides(_ s: Setup) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: s.ws.path + "/srv").filter { $0 != "data" }.sorted()
    }

    @Test func replacesTheDataDirAndKeepsTheOriginalAside() throws {
        let s = try Self.setUp()
        defer { s.ws.remove() }
        let original = try s.ws.tree(s.live)
        let run = try bash(#""$1" restore local --in-place"#, [s.script], environment: s.compose.environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(try s.ws.tree(s.live) == s.ws.tree(s.snapshot + "/data"))
        let aside = try asides(s)
        #expect(aside.count == 1 && aside[0].hasPrefix("data.before-restore-"), "\(aside)")
        #expect(try s.ws.tree(s.ws.path + "/srv/" + aside[0]) == original)
        #expect(run.stdout.contains(s.ws.path + "/srv/" + aside[0]))
        let expected = ["compose", "-f", s.file, "-p", "owui"]
        // The app's versions are read (restore compares them) before the app is stopped.
        #expect(try s.compose.calls() == [expected + ["ps", "-q", "open-webui"], expected + ["ps", "-a", "-q", "open-webui"], expected + ["stop", "open-webui"], expected + ["start", "open-webui"]])
    }

    @Test func aFailedRestorePutsTheOriginalBackAndStartsTheAppOnce() throws {
        let s = try Self.setUp()
        defer { s.ws.remove() }
        let original = try s.ws.tree(s.live)
        let upload = try bash(#"ls -d -- "$1"/data/uploads/*"#, [s.snapshot]).stdout.trimmingCharacters(in: .newlines)
        try s.ws.corrupt(upload)
        let run = try bash(#""$1" restore local --in-place"#, [s.script], environment: s.compose.environment)
        #expect(run.status == 1)
        #expect(run.stderr.contains("the original data dir is back in " + s.live))
        #expect(try s.ws.tree(s.live) == original)
        #expect(try asides(s).isEmpty, "no moved-aside or staging folder is left")
        #expect(try s.compose.calls().map { $0.dropFirst(5).first } == ["ps", "ps", "stop", "start"])
    }

    @Test func withoutComposeTheAppMustBeStoppedByHand() throws {
        let s = try Self.setUp(compose: false)
        defer { s.ws.remove() }
        let original = try s.ws.tree(s.live)
        let refused = try bash(#""$1" restore local --in-place"#, [s.script], environment: s.compose.environment)
        #expect(refused.status == 1 && refused.stderr.contains("stop it by hand, run again with --app-stopped"))
        #expect(try s.ws.tree(s.live) == original)
        let run = try bash(#""$1" restore local daily latest --in-place --app-stopped"#, [s.script],
                           environment: s.compose.environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(try s.ws.tree(s.live) == s.ws.tree(s.snapshot + "/data"))
        #expect(try s.compose.calls().isEmpty)
    }

    @Test func restoresIntoAMissingDataDir() throws {
        let s = try Self.setUp()
        defer { s.ws.remove() }
        try FileManager.default.removeItem(atPath: s.live)
        let run = try bash(#""$1" restore local --in-place"#, [s.script], environment: s.compose.environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(try s.ws.tree(s.live) == s.ws.tree(s.snapshot + "/data"))
        #expect(try s.compose.calls().map { $0.dropFirst(5).first } == ["ps", "ps", "stop", "start"])
    }
}
