import BackplanCore
@testable import BackplanEmit
import Foundation
import Testing

/// `ScriptWriter`'s escaping for systemd `Exec` lines and cron lines, against systemd-analyze and bash.
@Suite struct ScriptWriterTests {
    @Test func systemdExecEscapesSpecifiersVariablesAndQuotes() {
        #expect(ScriptWriter.systemdExec(["/usr/local/lib/backplan/p/daily.sh", "--resume"]) == "/usr/local/lib/backplan/p/daily.sh --resume")
        #expect(ScriptWriter.systemdExec(["/srv/a b/x.sh"]) == #""/srv/a b/x.sh""#)
        #expect(ScriptWriter.systemdExec(["/srv/p%n/$HOME.sh"]) == "/srv/p%%n/$HOME.sh", "no substitution in the executable")
        #expect(ScriptWriter.systemdExec(["/x.sh", "100%", "$HOME", #"a "b" \c"#, ""])
                == #"/x.sh 100%% $$HOME "a \"b\" \\c" """#)
    }

    /// systemd-analyze verify finds the executable only when its name came through intact.
    @Test(arguments: ["a b", "p%n", "d$e", "x`y", "x;y", "ünï ✓"])
    func systemdFindsTheExecutable(_ name: String) throws {
        let dir = try TempDir()
        try dir.write("\(name)/run.sh", "#!/bin/sh\nexit 0\n", executable: true)
        let exec = ScriptWriter.systemdExec(["\(dir.path)/\(name)/run.sh", "--delay", "60", "$x %i"])
        try dir.write("t.service", "[Unit]\nDescription=t\n\n[Service]\nType=oneshot\nExecStart=\(exec)\n")
        let run = try runTool("systemd-analyze", ["verify", "\(dir.path)/t.service"])
        #expect(run.status == 0, "\(exec)\n\(run.stderr)")
        // And a path it does not find fails the same check (the oracle sees a broken escape).
        try dir.write("u.service", "[Unit]\nDescription=t\n\n[Service]\nType=oneshot\nExecStart=\(exec.replacingOccurrences(of: "run.sh", with: "missing.sh"))\n")
        #expect(try runTool("systemd-analyze", ["verify", "\(dir.path)/u.service"]).status != 0)
    }

    /// What cron does to a command field before the shell sees it (crontab(5)): an unescaped `%` ends the
    /// command (the rest is its stdin), `\%` becomes `%`.
    static func cronUnescape(_ field: String) -> String {
        var out = "", escaped = false
        for c in field {
            if escaped { out += c == "%" ? "%" : "\\\(c)"; escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "%" { break }
            out.append(c)
        }
        return escaped ? out + "\\" : out
    }

    @Test func cronCommandsSurviveCronAndBash() throws {
        let words = ["/usr/bin/printf", "%s\\n", "100%", "it's $(touch /tmp/backplan-pwned-cron)", "a\\%b", "`id`"]
        let field = ScriptWriter.cronCommand(words, logTag: "tag%1")
        #expect(!field.contains { $0 == "\n" })
        #expect(field.hasSuffix(" 2>&1 | logger -t tag\\%1"))
        // Run what cron hands to the shell, with `logger` replaced by cat.
        let command = Self.cronUnescape(field).replacingOccurrences(of: "| logger -t tag%1", with: "| cat")
        let run = try runTool("/bin/bash", ["-c", command])
        #expect(run.status == 0, "\(command)\n\(run.stderr)")
        #expect(run.stdout == words.dropFirst(2).map { $0 + "\n" }.joined())
        #expect(!FileManager.default.fileExists(atPath: "/tmp/backplan-pwned-cron"))
    }

    @Test func valueBlockNotesLiteralData() {
        let block = ScriptWriter.values([.scalar("A", "plain"), .scalar("B", "$(x)").commented("why B"), .array("C", ["a\\b"])])
        #expect(block == """
            \(ScriptWriter.valuesHeading)
            readonly A=plain
            # why B
            \(ScriptWriter.lintNote)
            readonly B='$(x)'
            \(ScriptWriter.lintNote)
            readonly -a C=('a\\b')

            """)
    }
}
