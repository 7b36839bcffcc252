import Foundation
import Testing

/// Hostile input found by trying (issue 9, section 4): each once crashed, blew up, reached the terminal
/// raw, or was accepted or reported wrongly. The standard: one clear message that says where and what
/// to do, a non-zero exit, never a crash.
@Suite struct HostileInputTests {
    /// The committed daily-local plan and its saved deployment, in a fresh folder.
    static func dailyLocal(_ dir: borrowing TemporaryDirectory, plan edit: (String) -> String = { $0 },
                           deployment editDeployment: (String) -> String = { $0 }) throws {
        let plan = try String(contentsOfFile: Backplan.repository + "/plans/daily-local.yaml", encoding: .utf8)
        let deployment = try String(contentsOfFile: Backplan.repository + "/plans/daily-local.deployment.json", encoding: .utf8)
        try dir.write("plans/daily-local.yaml", edit(plan))
        try dir.write("plans/daily-local.deployment.json", editDeployment(deployment))
    }

    static func noCrash(_ r: RunResult) {
        #expect(!r.crashed, "\(r.stderr.suffix(400))")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Precondition failed") && !r.stderr.contains("Stack dump"))
    }

    /// 160 kB of `999999999w`: the sum overflowed Int and trapped (exit 132).
    @Test func aHugeJitterIsRefusedNotOverflowed() throws {
        let dir = try TemporaryDirectory()
        let jitter = String(repeating: "999999999w", count: 16_000)
        try Self.dailyLocal(dir, plan: { $0.replacingOccurrences(of: "    verify: manifest", with: "    verify: manifest\n    jitter: \(jitter)") })
        let r = try Backplan.run(["check", "plans/daily-local.yaml"], in: dir.path)
        Self.noCrash(r)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP106]: jitter"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.contains("at most 100 years"))
    }

    @Test(arguments: [
        ("data_dir", "\"/opt/open-webui/data\"", "\"/opt/open-webui/data\\n; rm -rf /\"", "contains a line break"),
        ("compose.project", "\"open-webui\"", "\"open\\nwebui\"", "contains a line break"),
        ("compose.file", "\"/opt/open-webui/docker-compose.yaml\"", "\"/opt/\\u202e/docker-compose.yaml\"", "contains a bidirectional control character"),
        ("data_dir", "\"/opt/open-webui/data\"", "\"/opt/../etc\"", "must not contain '..'"),
        ("data_dir", "\"/opt/open-webui/data\"", "\"opt/data\"", "must be an absolute path"),
        ("compose.project", "\"open-webui\"", "\"Open WebUI\"", "is not a compose project name"),
    ])
    func aSavedDeploymentIsValidatedLikeThePlan(_ field: String, _ original: String, _ hostile: String, _ why: String) throws {
        let dir = try TemporaryDirectory()
        let key = field.split(separator: ".").last.map(String.init) ?? field
        try Self.dailyLocal(dir, deployment: { $0.replacingOccurrences(of: "\"\(key)\" : \(original)", with: "\"\(key)\" : \(hostile)") })
        for command in [["check"], ["compile"]] {
            let r = try Backplan.run(command, in: dir.path)
            Self.noCrash(r)
            #expect(r.status == 1)
            #expect(r.stderr.contains("plans/daily-local.deployment.json: error[BP317]: 'plans/daily-local.deployment.json': '\(field)' \(why)"),
                    "\(r.stderr.prefix(600))")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/generated"), "compile wrote nothing")
    }

    /// Unknown keys holding escape sequences and forged workflow commands are printed escaped.
    @Test func controlCharactersInKeysReachNoTerminal() throws {
        let dir = try TemporaryDirectory()
        try Self.dailyLocal(dir, plan: {
            $0 + "\"\\e]0;PWNED\\a\": 1\n\"x\\n::error file=README.md,line=1::forged\": 2\n\"\\u202Eevil\": 3\n"
        })
        for format in ["text", "github"] {
            let r = try Backplan.run(["check", "--format", format, "plans/daily-local.yaml"], in: dir.path)
            Self.noCrash(r)
            #expect(r.status == 1)
            let all = r.stdout + r.stderr
            #expect(!all.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" }, "\(format): raw control bytes")
            #expect(!all.split(separator: "\n").contains { $0.hasPrefix("::error file=README.md") }, "\(format): a forged workflow command")
            #expect(all.contains("unknown key '\\u{1B}]0;PWNED\\u{7}'"), "\(format): \(all.prefix(800))")
            #expect(all.contains("unknown key 'x\\n::error file=README.md"))
            #expect(all.contains("unknown key '\\u{202E}evil'"))
        }
    }

    @Test func detectPrintsEntryNamesEscaped() throws {
        let dir = try TemporaryDirectory()
        try dir.write("data/webui.db", "not a database")
        try dir.write("data/\u{1B}]0;PWNED\u{07}", "x")
        let r = try Backplan.run(["detect", "--data-dir", dir.path + "/data"], in: dir.path)
        Self.noCrash(r)
        #expect(!r.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(r.stdout)")
        #expect(r.stdout.contains("\\u{1B}]0;PWNED\\u{7}"), "\(r.stdout)")
    }

    @Test(arguments: ["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4 *", "*-02-31 00:00"])
    func aScheduleThatNeverFiresIsAnError(_ schedule: String) throws {
        let dir = try TemporaryDirectory()
        let written = schedule.contains(" * ") || schedule.hasSuffix("*") ? "{cron: \"\(schedule)\"}" : "\"\(schedule)\""
        try Self.dailyLocal(dir, plan: { $0.replacingOccurrences(of: "schedule: \"*-*-* 03:15\"", with: "schedule: \(written)") })
        let r = try Backplan.run(["compile"], in: dir.path)
        Self.noCrash(r)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP505]: job 'daily' never runs: no date after 2026-01-01 matches schedule '\(schedule)'"),
                "\(r.stderr.prefix(600))")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/generated"))
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let dir = try TemporaryDirectory()
        try Self.dailyLocal(dir)
        let plain = try Backplan.run(["check", "plans/daily-local.yaml"], in: dir.path)
        let plan = try String(contentsOfFile: dir.path + "/plans/daily-local.yaml", encoding: .utf8)
        try dir.write("plans/daily-local.yaml", [0xEF, 0xBB, 0xBF] + Array(plan.utf8))
        let bom = try Backplan.run(["check", "plans/daily-local.yaml"], in: dir.path)
        // The same answer as without the mark (here: generated/ was never compiled, and nothing else).
        #expect(bom.status == plain.status)
        #expect(bom.stdout == plain.stdout)
        #expect(bom.stderr == plain.stderr, "\(bom.stderr.prefix(600))")
        #expect(bom.stdout == "check failed: 1 plan, 1 error, 2 warnings\n")
    }

    @Test(arguments: [
        ("name: daily-local", "name: !!int daily-local", "error[BP010]: YAML tag '!!int' is not supported in a plan"),
        ("version: 1", "version: !custom 1", "error[BP010]: YAML tag '!custom' is not supported in a plan"),
        ("  local: {type: local, path: /srv/backups/openwebui}",
         "  base: &base {type: local}\n  local: {<<: *base, path: /srv/backups/openwebui}",
         "error[BP010]: merge keys ('<<') are not supported in a plan"),
    ])
    func tagsAndMergeKeysAreRefused(_ original: String, _ replacement: String, _ expected: String) throws {
        let dir = try TemporaryDirectory()
        try Self.dailyLocal(dir, plan: { $0.replacingOccurrences(of: original, with: replacement) })
        let r = try Backplan.run(["check", "plans/daily-local.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains(expected), "\(r.stderr.prefix(600))")
        #expect(!r.stderr.contains("needs 'type'"))
        #expect(r.stdout == "check failed: 1 plan, 1 error, 0 warnings\n", "no cascade: \(r.stderr.prefix(600))")
    }

    @Test func aBidiOverrideInAPathIsRefused() throws {
        let dir = try TemporaryDirectory()
        try Self.dailyLocal(dir, plan: { $0.replacingOccurrences(of: "/srv/backups/openwebui", with: "/srv/backups/\u{202E}bewnepo") })
        let r = try Backplan.run(["check", "plans/daily-local.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[BP115]: the path of target 'local' contains a bidirectional control character (\\u{202E})"),
                "\(r.stderr.prefix(600))")
        #expect(!r.stderr.unicodeScalars.contains("\u{202E}"))
    }

    @Test func anOversizedPlanIsReportedAsOver1MiB() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plans/big.yaml", [UInt8](repeating: UInt8(ascii: "#"), count: 3 << 20))
        let r = try Backplan.run(["check", "plans/big.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("plans/big.yaml: error[BP003]: the file is over 1 MiB, the most a plan or compose file may be"),
                "\(r.stderr)")
        #expect(!r.stderr.contains("1048577"))
    }
}
