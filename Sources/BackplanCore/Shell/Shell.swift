/// The one place a value becomes a shell word: every plan value in a generated script, INSTALL.md's
/// commands, systemd `Exec` lines and cron lines (through `ScriptWriter`), and every argument the runtime
/// sends to an rsync target's remote POSIX shell. Quotes, `$()`, backticks, globs, spaces, leading dashes
/// and unicode stay inert data, in bash and in POSIX sh alike.
public enum Shell {
    /// A single word that expands to exactly `value`: bare when it holds only safe characters, else
    /// single-quoted with each `'` written as `'\''`. A line break is kept as data inside the quotes (the
    /// remote scripts are multi-line constants; plan values never hold one: the decoder refuses them, BP115).
    public static func quote(_ value: String) -> String {
        precondition(!value.unicodeScalars.contains("\0"), "a shell word cannot hold NUL")
        if !value.isEmpty, value.unicodeScalars.allSatisfy(isSafe) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A bash array literal: `(a 'b c')`.
    public static func array(_ values: [String]) -> String {
        "(" + values.map(quote).joined(separator: " ") + ")"
    }

    /// Characters that need no quoting anywhere in a word (not even at its start), in bash and POSIX sh.
    private static func isSafe(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "/._-:@%+,".unicodeScalars.contains(c)
    }
}
