/// systemd `Exec*=` lines (systemd.service(5), "Command lines"; systemd.syntax(7), quoting).
extension ScriptWriter {
    /// A command line for `ExecStart=` and its kin: each word double-quoted when it holds more than safe
    /// characters (with `\` and `"` escaped), `%` doubled (specifiers) in every word, and `$` doubled
    /// (environment substitution) in the arguments. The executable is never substituted, and systemd
    /// refuses one holding `"`, `'` or `\`; backplan's are absolute paths built from plan names.
    static func systemdExec(_ words: [String]) -> String {
        precondition(words.first?.hasPrefix("/") == true, "an Exec line starts with an absolute path")
        precondition(!words[0].contains { "\"'\\".contains($0) }, "systemd refuses these in an executable name")
        return words.enumerated().map { index, word in systemdWord(word, substituted: index > 0) }.joined(separator: " ")
    }

    static func systemdWord(_ word: String, substituted: Bool) -> String {
        var text = word.replacingOccurrences(of: "%", with: "%%")
        if substituted { text = text.replacingOccurrences(of: "$", with: "$$") }
        guard word.isEmpty || !word.unicodeScalars.allSatisfy(isSystemdSafe) else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func isSystemdSafe(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "/._-:@%+,=$".unicodeScalars.contains(c)
    }
}
