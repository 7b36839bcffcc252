/// The constant part of restore.sh: bash functions that read the plan only through the readonly
/// variables `RestoreScriptEmitter` writes above them. One Swift raw string per concern; `text` joins
/// them in the order bash needs (helpers first, `main` last).
enum RestoreScriptLibrary {
    static var text: String { [common, snapshots, verify, appCheck, restore, commandLine].joined(separator: "\n") }

    /// restore.sh's shell options, before its values (no umask: a restored data dir keeps its modes).
    static let prologue = #"""
        # Fail on any unhandled error (also inside functions and subshells), on unset variables and in pipes.
        set -Eeuo pipefail
        # Byte-wise sorting and matching, no locale surprises.
        export LC_ALL=C

        """#

    /// Settings, logging, usage, target and job look-ups, the plan lock.
    static let common = #"""
# ---- restore.sh: list, restore and verify (bp_restore_main) ----
# Needs bash, coreutils and sqlite3 (flock when present; the compose command for --in-place).
# Nothing here evaluates a plan value as code: values are only ever expanded inside double quotes,
# and `--` ends the options of every command that takes a path, so a leading '-' stays a name.

# Logging is the library's (bp_log, bp_die; bp_restore_main sets BP_LOG_TAG); a usage error exits 64.
bp_usage_error() { bp_log "$*"; bp_log "run 'restore.sh --help' for the usage"; exit "$BP_EXIT_USAGE"; }

bp_restore_usage() {
  cat <<USAGE
restore.sh: list, restore and verify the snapshots of plan $PLAN.

  restore.sh list TARGET [JOB]
      Complete snapshots, oldest first, one per line: JOB ID STARTED SOURCE-BYTES.
  restore.sh restore TARGET [JOB] [ID|latest] DIR
      Copy a snapshot (default: the newest) into DIR, which must be empty or not exist; DIR then
      holds webui.db, vector_db/ and uploads/ directly. Verified before success is reported.
  restore.sh restore TARGET [JOB] [ID|latest] --in-place [--app-stopped]
      Replace the data dir $DATA_DIR: stop the app, move the live data
      aside to $DATA_DIR.before-restore-<UTC time> (never deleted), restore,
      verify, start the app. On any failure the original data is put back and the app started.
      --app-stopped: the app is already stopped (needed when the plan has no compose file);
      restore.sh then neither stops nor starts it.
  Before anything changes, restore compares the snapshot's app (SNAPSHOT.json: Open WebUI,
  ChromaDB, alembic revision) with the image of the plan's compose service and refuses to restore
  into an older app; --allow-downgrade restores anyway. A newer app gets a note: its first start
  migrates the data, and the snapshot is the way back.
  restore.sh verify TARGET [JOB] [ID|latest]
      Check every file against MANIFEST.sha256 and run PRAGMA integrity_check on every SQLite file.

The flags of 'backplan restore' work too, in place of the arguments:
  restore.sh restore --target TARGET [--job JOB] [--snapshot ID|latest] (--to DIR | --in-place) [--allow-downgrade]
  restore.sh list --target TARGET [--job JOB]
  restore.sh verify --target TARGET [--job JOB] [--snapshot ID|latest]

Targets: ${TARGET_NAMES[*]}
Jobs: ${JOBS[*]}
Exit status: 0 success, 1 failure, 64 usage error.
USAGE
}

# Prints the index of target $1 in TARGET_NAMES, or fails listing the valid names.
bp_target_index() {
  local i
  for i in "${!TARGET_NAMES[@]}"; do
    if [[ "${TARGET_NAMES[i]}" == "$1" ]]; then printf '%s\n' "$i"; return 0; fi
  done
  bp_die "unknown target '$1'; the targets of plan $PLAN are: ${TARGET_NAMES[*]}"
}

bp_is_job() {
  local job
  for job in "${JOBS[@]}"; do [[ "$job" == "$1" ]] && return 0; done
  return 1
}

bp_require_job() {
  bp_is_job "$1" || bp_die "unknown job '$1'; the jobs of plan $PLAN are: ${JOBS[*]}"
}

# Fails unless target $1 (an index) has a type this script can read: local, or a remote type with its
# <type>_snapshots, <type>_info and <type>_open functions. An rsync target the NAS pulls is read on the NAS.
bp_require_supported() {
  case "${TARGET_TYPES[$1]}" in
    local) ;;
    *)
      if [[ -n "${TARGET_PULLED[$1]:-}" ]]; then
        bp_die "target ${TARGET_NAMES[$1]} is pulled by the NAS: list and restore its snapshots there, with pull-${TARGET_NAMES[$1]}.sh"
      fi
      declare -F "bp_${TARGET_TYPES[$1]}_open" >/dev/null \
        || bp_die "target ${TARGET_NAMES[$1]}: type ${TARGET_TYPES[$1]} is not supported by this restore.sh version" ;;
  esac
}

DOWNLOAD=""         # folder of snapshots downloaded from remote targets, removed on exit

# Makes DOWNLOAD (under TMPDIR, default /var/tmp: a restore may need room) unless it exists. Called in
# this shell before a <type>_open runs in a command substitution, so that the EXIT trap removes it.
bp_ensure_download_dir() {
  if [[ -z "$DOWNLOAD" ]]; then DOWNLOAD=$(mktemp -d "${TMPDIR:-/var/tmp}/backplan-download.XXXXXX"); fi
}

# Takes the plan's lock (the one the job scripts hold while they run) so that no backup, retention
# or quiesce of this plan runs while snapshots are read or the data dir is replaced. Skipped when
# the state dir does not exist (no job ran here) or flock is missing.
bp_take_lock() {
  [[ -d "$STATE_DIR" ]] && command -v flock >/dev/null 2>&1 || return 0
  { exec 9>>"$STATE_DIR/$BP_LOCK_FILE"; } 2>/dev/null || { bp_log "cannot open $STATE_DIR/$BP_LOCK_FILE; going on without the lock"; return 0; }
  if ! flock -n 9; then
    bp_log "waiting for $STATE_DIR/$BP_LOCK_FILE (a job of this plan is running)"
    flock 9
  fi
}
"""#

    /// Argument parsing and dispatch to the commands.
    static let commandLine = #"""

# --- Command line -----------------------------------------------------------------------------------

# `backplan restore`'s flags, read into FLAG_* (FLAG_SET=1 once any is given): the same words work in
# both executors. Sets FLAG_SHIFT to how many arguments the flag took (1 or 2).
FLAG_SET=0 FLAG_TARGET="" FLAG_JOB="" FLAG_SNAPSHOT="" FLAG_TO="" FLAG_SHIFT=1
bp_read_flag() {
  local name=${1%%=*} value
  if [[ "$1" == *=* ]]; then value=${1#*=}; FLAG_SHIFT=1
  else
    (( $# >= 2 )) || bp_usage_error "$name needs a value"
    value=$2; FLAG_SHIFT=2
  fi
  [[ -n "$value" ]] || bp_usage_error "$name needs a value (it is empty)"
  case "$name" in
    --target) FLAG_TARGET=$value ;;
    --job) FLAG_JOB=$value ;;
    --snapshot) FLAG_SNAPSHOT=$value ;;
    --to) FLAG_TO=$value ;;
  esac
  FLAG_SET=1
}

# The positional arguments the flags stand for: TARGET [JOB] [ID] [DIR].
bp_flag_arguments() {
  [[ -n "$FLAG_TARGET" ]] || bp_usage_error "--target is needed with --job, --snapshot or --to"
  printf '%s\0' "$FLAG_TARGET"
  if [[ -n "$FLAG_JOB" ]]; then printf '%s\0' "$FLAG_JOB"; fi
  if [[ -n "$FLAG_SNAPSHOT" ]]; then printf '%s\0' "$FLAG_SNAPSHOT"; fi
  if [[ -n "$FLAG_TO" ]]; then printf '%s\0' "$FLAG_TO"; fi
}

bp_restore_main() {
  local args=() in_place=0 app_stopped=0 command
  BP_LOG_TAG="restore.sh [$PLAN]"
  shopt -s nullglob
  while (( $# > 0 )); do
    case "$1" in
      -h | --help) bp_restore_usage; exit 0 ;;
      --in-place) in_place=1 ;;
      --app-stopped) app_stopped=1 ;;
      --allow-downgrade) ALLOW_DOWNGRADE=1 ;;
      --target | --target=* | --job | --job=* | --snapshot | --snapshot=* | --to | --to=*)
        bp_read_flag "$@"
        shift "$FLAG_SHIFT"
        continue ;;
      --force | --rewrite-paths)
        bp_usage_error "$1 is an option of backplan restore; restore.sh restores into a new or empty DIR and leaves upload paths as they are" ;;
      --) shift; args+=("$@"); break ;;
      -*) bp_usage_error "unknown option '$1' (a DIR starting with '-' goes after --)" ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  if (( ${#args[@]} == 0 )); then bp_restore_usage >&2; exit "$BP_EXIT_USAGE"; fi
  command=${args[0]}
  args=("${args[@]:1}")
  if (( FLAG_SET )); then
    (( ${#args[@]} == 0 )) || bp_usage_error "give TARGET, JOB, ID and DIR either as arguments or as --target, --job, --snapshot and --to, not both"
    [[ "$command" == restore || -z "$FLAG_TO" ]] || bp_usage_error "--to goes with restore"
    [[ "$command" != list || -z "$FLAG_SNAPSHOT" ]] || bp_usage_error "--snapshot does not go with list"
    [[ "$in_place" == 0 || -z "$FLAG_TO" ]] || bp_usage_error "--to and --in-place exclude each other"
    mapfile -d '' -t args < <(bp_flag_arguments)
  fi
  [[ "$command" == restore || "$ALLOW_DOWNGRADE" == 0 ]] || bp_usage_error "--allow-downgrade goes with restore"
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  trap 'if [[ -n "$STAGING" ]]; then rm -rf -- "$STAGING"; fi; if [[ -n "$DOWNLOAD" ]]; then rm -rf -- "$DOWNLOAD"; fi' EXIT
  case "$command" in
    list) bp_cmd_list "${args[@]}" ;;
    verify) bp_cmd_verify "${args[@]}" ;;
    restore) bp_cmd_restore "$in_place" "$app_stopped" "${args[@]}" ;;
    help) bp_restore_usage ;;
    *) bp_usage_error "unknown command '$command' (list, restore, verify)" ;;
  esac
}
"""#
}
