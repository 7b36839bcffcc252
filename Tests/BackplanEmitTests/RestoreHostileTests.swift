import Foundation
import Testing

/// Plan values built to break out of quoting: none of them may run as a command.
enum RestoreHostile {
    /// A value holding every way into bash code, touching `marker` if it ever runs.
    static func payload(_ marker: String) -> String {
        #"it's "$(touch \#(marker))" `touch \#(marker)` ;touch \#(marker); ${x:-y} * ü -- -rf"#
    }

    static func plan(root: String, marker: String, compose: String = "/usr/bin/false") -> RestorePlan {
        let p = payload(marker)
        var plan = RestorePlan(dataDir: "\(root)/live \(p)/data", stateDir: "\(root)/state \(p)",
                               compose: ([compose, "compose \(p)"], "\(root)/compose \(p).yaml", "-p \(p)", "-s \(p)"),
                               targets: [("-t \(p)", "local", "\(root)/back ups \(p)"), ("r \(p)", "restic", "\(root)/no repo \(p)")],
                               jobs: ["--help", "-j \(p)"])
        plan.name = "o\(p)"
        return plan
    }
}

@Suite struct RestoreHostileTests {
    /// A forged SNAPSHOT.json whose `started` holds an escape sequence, a BEL and a bidi override:
    /// `list` printed them raw to the terminal; now each is a '?'.
    @Test func listShowsForgedFieldsWithoutControlCharacters() throws {
        let ws = try RestoreWorkspace()
        defer { ws.remove() }
        let plan = RestorePlan(dataDir: ws.path + "/live", stateDir: ws.path + "/state", compose: nil,
                               targets: [("local", "local", ws.path + "/back")], jobs: ["daily"])
        let compiled = try plan.compiled()
        let script = ws.path + "/restore.sh"
        try plan.writeScript(to: script)
        let snapshot = try ws.makeSnapshot(root: ws.path + "/back", plan: compiled.name, job: "daily", id: "20260101T000000Z")
        let json = try String(contentsOfFile: snapshot + "/SNAPSHOT.json", encoding: .utf8)
        try json.replacingOccurrences(of: "\"started\":\"2026-01-01T00:00:00Z\"",
                                      with: "\"started\":\"\\u001b]0;PWNED\\u0007\\u202eevil\\u0085x\\nforged\"")
            .write(toFile: snapshot + "/SNAPSHOT.json", atomically: true, encoding: .utf8)
        let list = try bash(#""$1" list local"#, [script])
        #expect(list.status == 0, "\(list.output)")
        #expect(!list.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" || $0 == "\u{85}" },
                "\(list.stdout.debugDescription)")
        #expect(list.stdout.hasPrefix("daily 20260101T000000Z ?]0;PWNED??evil?x?forged "), "\(list.stdout.debugDescription)")
        #expect(list.stdout.split(separator: "\n").count == 1)
    }

    /// list, restore (to a folder after `--`), verify and --in-place on a plan whose every value is
    /// hostile; the commands work on those paths and the marker never appears.
    @Test func hostileValuesStayInert() throws {
        let ws = try RestoreWorkspace(name: "ws 'q' \"$(x)\" ü")
        defer { ws.remove() }
        let marker = (ws.path as NSString).deletingLastPathComponent + "/MARK"
        let compose = try RestoreMockCompose(in: ws.path + "/bin " + RestoreHostile.payload(marker))
        let hostile = RestoreHostile.plan(root: ws.path, marker: marker, compose: compose.executable)
        let plan = try hostile.compiled()
        let script = ws.path + "/restore.sh"
        try hostile.writeScript(to: script)
        let target = plan.targets[0]
        let job = plan.jobs[1].name
        let snapshot = try ws.makeSnapshot(root: target.path!, plan: plan.name, job: job, id: "20260101T000000Z")
        try ws.copyFixture(to: plan.dataDir)
        let env = compose.environment

        let list = try bash(#""$1" list -- "$2" "$3""#, [script, target.name, job], environment: env)
        #expect(list.status == 0 && list.stdout.hasPrefix("\(job) 20260101T000000Z "), "\(list.output)")
        let verify = try bash(#""$1" verify -- "$2" "$3" latest"#, [script, target.name, job], environment: env)
        #expect(verify.status == 0, "\(verify.output)")
        let dir = ws.path + "/-out " + RestoreHostile.payload(marker)
        let restore = try bash(#""$1" restore -- "$2" "$3""#, [script, target.name, dir], environment: env)
        #expect(restore.status == 0, "\(restore.output)")
        #expect(try ws.tree(dir) == ws.tree(snapshot + "/data"))
        let inPlace = try bash(#""$1" restore --in-place -- "$2" "$3""#, [script, target.name, job], environment: env)
        #expect(inPlace.status == 0, "\(inPlace.output)")
        #expect(try ws.tree(plan.dataDir) == ws.tree(snapshot + "/data"))
        let c = plan.compose!
        let base = ["compose \(RestoreHostile.payload(marker))", "-f", c.file, "-p", c.project!]
        // Each restore reads the app's versions first (`ps -q SERVICE`, then `ps -a -q`: the mock lists none): the hostile words arrive as themselves.
        #expect(try compose.calls() == Array(repeating: [base + ["ps", "-q", c.service], base + ["ps", "-a", "-q", c.service]], count: 2).flatMap { $0 }
                + [base + ["stop", c.service], base + ["start", c.service]])
        let remote = try bash(#""$1" list -- "$2""#, [script, plan.targets[1].name], environment: env)
        // A restic target whose password file is missing: restic's own error, through the hostile names, as data.
        #expect(remote.status == 1, "\(remote.output)")
        #expect(remote.stderr.contains("restic cat config failed") && remote.stderr.contains("restic-password does not exist"), "\(remote.output)")

        #expect(!FileManager.default.fileExists(atPath: marker), "an injected command ran")
    }
}
