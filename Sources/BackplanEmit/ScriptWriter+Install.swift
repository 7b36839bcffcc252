import BackplanCore

/// INSTALL.md's command blocks (docs/generated-files.md, "INSTALL.md").
extension ScriptWriter {
    /// A word of an INSTALL.md command.
    enum InstallWord {
        /// Any value, quoted.
        case word(String)
        /// An absolute path on the server, written below `$root` (quoted after it).
        case onServer(String)
        /// A constant glob of this folder's files (never a plan value), written as is.
        case glob(String)

        var text: String {
            switch self {
            case .word(let value): Shell.quote(value)
            case .onServer(let path): "\"$root\"" + Shell.quote(path)
            case .glob(let pattern): pattern
            }
        }
    }

    /// The first line of every block that installs: `root` is empty on the server, and a folder to stage
    /// the files below (`DESTDIR=/tmp/stage`).
    static let installRoot = #"root=${DESTDIR:-}  # empty: install on this machine; DESTDIR=/some/folder: below that folder"#

    /// A fenced `sh` block: `installRoot`, then one line per command.
    static func installBlock(_ commands: [[InstallWord]]) -> String {
        installBlock(lines: commands.map(installLine))
    }

    /// A fenced `sh` block: `installRoot`, then `lines` (each already written by `installLine`).
    static func installBlock(lines: [String]) -> String {
        "```sh\n" + installRoot + "\n" + lines.map { $0 + "\n" }.joined() + "```\n"
    }

    static func installLine(_ words: [InstallWord]) -> String {
        words.map(\.text).joined(separator: " ")
    }

    /// Enables `timers`: with an empty root, `daemon-reload` and `enable --now` on the running systemd;
    /// else `systemctl --root` (links below the staging folder, nothing started).
    static func enableTimers(_ timers: [String]) -> [String] {
        let names = timers.map(Shell.quote).joined(separator: " ")
        return [
            #"if [ -z "$root" ]; then"#,
            "  systemctl daemon-reload",
            "  systemctl enable --now \(names)",
            "else",
            #"  systemctl --root="$root" enable "# + names,
            "fi",
        ]
    }

    /// A fenced `sh` block of commands to run by hand on the installed server (not staged: no `root`).
    static func exampleBlock(_ lines: [(words: [String], comment: String)]) -> String {
        let texts = lines.map { $0.words.map(Shell.quote).joined(separator: " ") }
        let width = texts.map(\.count).max() ?? 0
        return "```sh\n" + zip(texts, lines).map { text, line in
            text + String(repeating: " ", count: width - text.count) + "  # " + line.comment + "\n"
        }.joined() + "```\n"
    }
}
