/// The constant bash library of every job, in the plan's `lib/backplan.sh` (`LibraryEmitter`): the same
/// text for every plan, so it can be audited once. It reads plan values only from the `readonly` variables `JobScriptEmitter` assigns (PLAN, JOB,
/// DATA_DIR, STATE_DIR, SOURCE_*, EXCLUDE_*, TARGET_*, COMPOSE_*, QUIESCE_*, MAX_DOWNTIME, RETENTION,
/// KEEP_*, VERIFY, NOTIFY_*), always quoted, with `--` before them wherever a command could read an option.
/// Nothing evaluates plan text except the quiesce commands, run with `bash -c` by design.
///
/// Tools used: bash 5, coreutils, find, awk, sed, xargs, flock, sqlite3, rsync, and per quiesce
/// method `docker compose` (or the plan's compose command) or systemctl; curl only for a plan's webhook.
enum JobScriptLibrary {
    /// Shell options, before the plan's values.
    static let prologue = #"""
        # Fail on any unhandled error (also inside functions and subshells), on unset variables and in pipes.
        set -Eeuo pipefail
        # Everything this script creates (state, snapshots, temp files) is private to the user running it.
        umask 077
        # Byte-wise sorting and matching, no locale surprises (also makes `sort` order the manifest by bytes).
        export LC_ALL=C

        """#

    /// The functions, in the order they are written into the script.
    static var parts: [String] { [common, quiesce, capture, manifest, appCounts, publish, notify, main] }
}
