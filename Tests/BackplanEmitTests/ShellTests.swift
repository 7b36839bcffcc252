import BackplanCore
import Foundation
import BackplanEmit
import Testing

@Suite struct ShellTests {
    static let hostile = [
        "plain", "", "with space", "it's", "\"double\"", "$(touch /tmp/backplan-pwned-shell)", "`id`", "a;b", "*", "?",
        "[ab]", "-rf", "--delete", "~", "~root", "$HOME", "${IFS}", "\\", "tab\there", "ünïcødé ✓", "!event", "#comment",
        "a|b&c>d<e", "{a,b}", "'''", "%s %n",
    ]

    @Test func quotedWordsAreInertInBash() throws {
        // printf %s\0 prints each word exactly as bash parsed it: the round trip proves quoting.
        let script = "printf '%s\\0' " + Self.hostile.map(Shell.quote).joined(separator: " ")
        let result = try runTool("bash", ["-c", script], directory: "/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == Self.hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/backplan-pwned-shell"))
    }

    @Test func arraysKeepTheirElements() throws {
        let script = "a=\(Shell.array(Self.hostile)); printf '%s\\0' \"${a[@]}\"; echo ${#a[@]} >&2"
        let result = try runTool("bash", ["-c", script])
        #expect(result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == Self.hostile)
        #expect(result.stderr == "\(Self.hostile.count)\n")
    }

    @Test func safeWordsStayBare() {
        #expect(Shell.quote("/srv/backups/openwebui") == "/srv/backups/openwebui")
        #expect(Shell.quote("b2:owui") == "b2:owui")
        #expect(Shell.quote("it's") == #"'it'\''s'"#)
        #expect(Shell.quote("") == "''")
    }
}
