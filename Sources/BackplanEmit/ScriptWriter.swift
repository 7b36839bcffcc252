import BackplanCore

/// The one writer of the shell backplan emits: the header and the block of plan values of the job
/// scripts, restore.sh and the pull scripts, INSTALL.md's command blocks (`ScriptWriter+Install`),
/// systemd `Exec` lines (`ScriptWriter+Systemd`) and cron lines (`ScriptWriter+Cron`). Every plan value
/// it writes goes through `Shell.quote`, with systemd's and cron's own escaping on top where they apply.
enum ScriptWriter {
    /// The heading of a script's block of plan values.
    static let valuesHeading = "# ---- The plan's values (the only place they appear; all quoted) ----"

    /// The shellcheck note above a value holding `$`, a backtick or a backslash.
    static let lintNote = "# shellcheck disable=SC2016,SC1003 # literal plan data, not an expansion"

    /// Shebang, the generated-file header, then `comments` as `#` lines (an empty one is a bare `#`).
    static func header(_ plan: CompiledPlan, _ comments: [String]) -> String {
        "#!/usr/bin/env bash\n" + GeneratedHeader.lines(for: plan)
            + comments.map { $0.isEmpty ? "#\n" : "# \($0)\n" }.joined()
    }

    /// Sources the plan's library from `lib/` beside the script (wherever it is started from, under cron
    /// and systemd alike), refusing one that is missing or not this plan's (`LibraryEmitter.id`).
    static func sourceLibrary(_ plan: CompiledPlan) -> String {
        "\n" + values([.scalar("LIBRARY", LibraryEmitter.id(plan))],
                      heading: "# ---- The plan's bash library (lib/backplan.sh beside this script, installed with it) ----")
            + #"""
            BP_LIBRARY=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/backplan.sh
            if [[ ! -f $BP_LIBRARY || ! -r $BP_LIBRARY ]]; then
              printf '%s: cannot read %s: install lib/backplan.sh of this plan beside the script (INSTALL.md)\n' "${BASH_SOURCE[0]}" "$BP_LIBRARY" >&2
              exit 1
            fi
            # shellcheck source-path=SCRIPTDIR source=lib/backplan.sh
            source "$BP_LIBRARY"
            if ! declare -F bp_library_id >/dev/null || [[ $(bp_library_id) != "$LIBRARY" ]]; then
              printf '%s: %s is not the library of this plan and backplan version; install the generated files of one compile together (INSTALL.md)\n' "${BASH_SOURCE[0]}" "$BP_LIBRARY" >&2
              exit 1
            fi

            """#
    }

    /// `heading`, then one line per assignment: its comment, the shellcheck note when it needs one, the
    /// `readonly` line.
    static func values(_ assignments: [ShellAssignment], heading: String = valuesHeading) -> String {
        var out = heading + "\n"
        for assignment in assignments {
            if let comment = assignment.comment { out += "# \(comment)\n" }
            if assignment.needsLintNote { out += lintNote + "\n" }
            out += assignment.line + "\n"
        }
        return out
    }
}
