import BackplanCore

/// crontab(5) command fields.
extension ScriptWriter {
    /// The command field of a cron line: `words` as one shell command (each through `Shell.quote`), then
    /// its stdout and stderr piped to `logger -t logTag`. cron turns an unescaped `%` into the end of the
    /// command (the rest becomes stdin) and `\%` into `%`, so every `%` is written `\%`, inside quotes
    /// too. A `\` right before a `%` would escape cron's escape; it is only ever inside single quotes
    /// (`Shell.quote` quotes any word holding `\`), where `''` between them changes nothing for the shell.
    static func cronCommand(_ words: [String], logTag: String) -> String {
        let command = words.map(Shell.quote).joined(separator: " ") + " 2>&1 | logger -t " + Shell.quote(logTag)
        return command.replacingOccurrences(of: "\\%", with: "\\''%").replacingOccurrences(of: "%", with: "\\%")
    }
}
