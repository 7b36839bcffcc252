import BackplanCore

// The bash below is emitted verbatim; plan values reach it only through the arrays of `assignments`.
extension RemoteTargetBash {
    /// The `restic` target type (docs/remote-restic.md), the same steps as the runtime's `ResticStore`:
    /// one restic snapshot per backplan snapshot, backed up from inside the sealed folder with host
    /// `backplan`, the snapshot's start time and the tags `backplan,plan=P,job=J,id=ID`.
    static let restic = RemoteTargetBash(
        type: .restic,
        assignments: { targets in
            [.array("RESTIC_REPOSITORIES", targets.map { $0.restic?.repository ?? "" }),
             .array("RESTIC_PASSWORD_FILES", targets.map { $0.restic?.passwordFile ?? "" }),
             .array("RESTIC_INIT", targets.map { $0.restic?.initialize == true ? "1" : "" })]
        },
        common: resticCommon, jobFunctions: resticJob, restoreFunctions: resticRestore)

    /// Shared by job scripts and restore.sh: running restic, the repository's state, listing.
    static let resticCommon = #"""

        # ---- Target type restic (docs/remote-restic.md) ----

        BP_RESTIC_STATE=''      # bp_restic_state's result: present or missing
        BP_RESTIC_ROWS=()       # bp_restic_list's result: "ID RESTIC-ID" lines, oldest first
        BP_RESTIC_LABELS=()     # bp_restic_list's result: "ID LABEL" (or "ID ?") per label= tag
        BP_RESTIC_SNAP=''       # bp_restic_find's result: the restic snapshot ID
        BP_RESTIC_CACHE=''      # job scripts: restic's cache folder (absolute), since a systemd service has no HOME

        # bp_restic_in I DIR LABEL ARGS...: restic ARGS in DIR on target I's repository, with its password file
        # (a path: the password is never in argv or the environment), its env file, and TZ=UTC (--time, output).
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_in() {
          local i=$1 dir=$2 label=$3
          shift 3
          bp_remote "$i" "$label" env -C "$dir" TZ=UTC ${BP_RESTIC_CACHE:+"RESTIC_CACHE_DIR=$BP_RESTIC_CACHE"} restic \
            "--repo=${RESTIC_REPOSITORIES[i]}" "--password-file=${RESTIC_PASSWORD_FILES[i]}" "$@"
        }

        # bp_restic I LABEL ARGS...: bp_restic_in in the current folder.
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic() {
          local i=$1
          shift
          bp_restic_in "$i" . "$@"
        }

        # bp_restic_state I: sets BP_RESTIC_STATE to present or missing (restic cannot open the config file
        # because it, the bucket or the folder does not exist); any other error (unreachable, wrong password)
        # returns 1 with BP_REMOTE_ERROR set, and is never taken for "missing".
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_state() {
          local i=$1
          BP_RESTIC_STATE=''
          if bp_restic "$i" "restic cat config" cat config >/dev/null; then
            BP_RESTIC_STATE=present
            return 0
          fi
          if [[ $BP_REMOTE_ERROR == *'unable to open config file'* ]] && [[ $BP_REMOTE_ERROR == *'specified key does not exist'* ||
            $BP_REMOTE_ERROR == *'specified bucket does not exist'* || $BP_REMOTE_ERROR == *'no such file or directory'* ||
            $BP_REMOTE_ERROR == *'file does not exist'* || $BP_REMOTE_ERROR == *'<config/> does not exist'* ]]; then
            BP_RESTIC_STATE=missing
            return 0
          fi
          if [[ $BP_REMOTE_ERROR == *'wrong password'* ]]; then
            BP_REMOTE_ERROR="the password in password_file ${RESTIC_PASSWORD_FILES[i]} does not open restic repository ${RESTIC_REPOSITORIES[i]} (wrong password or no key found)"
          fi
          return 1
        }

        # bp_restic_missing I: the error of a missing repository, naming the fix.
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_missing() {
          local i=$1
          BP_REMOTE_ERROR="restic repository ${RESTIC_REPOSITORIES[i]} does not exist: create it with \`restic -r ${RESTIC_REPOSITORIES[i]} --password-file ${RESTIC_PASSWORD_FILES[i]} init\` (and the env file's variables), or set \`init: true\` on target ${TARGET_NAMES[i]} so that backplan creates it"
        }

        # bp_restic_list I JOB: sets BP_RESTIC_ROWS to "ID RESTIC-ID" for each restic snapshot tagged plan=$PLAN,
        # job=JOB, oldest first; ID comes from the id= tag and must be a snapshot ID. The JSON is read with
        # sqlite3's JSON functions (the file name is a constant in the SQL; its folder is entered with cd).
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_list() {
          local i=$1 job=$2 dir rows row
          BP_RESTIC_ROWS=()
          if ! dir=$(mktemp -d "${TMPDIR:-/tmp}/backplan-restic.XXXXXX"); then
            BP_REMOTE_ERROR='cannot make a temporary folder'
            return 1
          fi
          if ! bp_restic "$i" "restic snapshots" snapshots --json --tag "plan=$PLAN,job=$job" >"$dir/snapshots.json"; then
            rm -rf -- "$dir"
            return 1
          fi
          if ! rows=$(cd -- "$dir" && sqlite3 -init /dev/null -batch -noheader :memory: \
            "SELECT substr(t.value, 4) || ' ' || json_extract(s.value, '\$.id')
             FROM json_each(CAST(readfile('snapshots.json') AS TEXT)) AS s, json_each(s.value, '\$.tags') AS t
             WHERE substr(t.value, 1, 3) = 'id=' ORDER BY 1;
             SELECT 'label ' || substr(t.value, 4) || ' ' || CASE WHEN length(l.value) BETWEEN 7 AND 69
                 AND substr(l.value, 7) GLOB '[a-z0-9]*' AND substr(l.value, 7) NOT GLOB '*[^a-z0-9-]*'
                 THEN substr(l.value, 7) ELSE '?' END
             FROM json_each(CAST(readfile('snapshots.json') AS TEXT)) AS s, json_each(s.value, '\$.tags') AS t,
               json_each(s.value, '\$.tags') AS l
             WHERE substr(t.value, 1, 3) = 'id=' AND substr(l.value, 1, 6) = 'label=';" 2>&1); then
            BP_REMOTE_ERROR="the output of restic snapshots --json cannot be read: $rows"
            rm -rf -- "$dir"
            return 1
          fi
          rm -rf -- "$dir"
          BP_RESTIC_LABELS=()
          while IFS= read -r row; do
            if [[ ${row%% *} =~ $BP_ID_RE && ${row#* } =~ ^[0-9a-f]{64}$ ]]; then BP_RESTIC_ROWS+=("$row"); fi
            if [[ $row == 'label '* ]]; then BP_RESTIC_LABELS+=("${row#label }"); fi
          done <<<"$rows"
        }

        # bp_restic_states I: "ID STATE" lines (bp_label_states) for every snapshot of the job, from one listing
        # (bp_retention uses it instead of bp_restic_ids and a second listing for the labels): the label= tag's
        # label, `?` (a tag that is no label name) or `-` (no label tag).
        # shellcheck disable=SC2317 # called as "bp_${TARGET_TYPES[i]}_states"
        bp_restic_states() {
          local i=$1 row label last=''
          if ! bp_restic_list "$i" "$JOB"; then
            bp_log "target ${TARGET_NAMES[i]}: $BP_REMOTE_ERROR"
            return 1
          fi
          for row in "${BP_RESTIC_LABELS[@]}"; do printf '%s\n' "$row"; done
          for row in "${BP_RESTIC_ROWS[@]}"; do
            [[ ${row%% *} != "$last" ]] || continue
            last=${row%% *}
            for label in "${BP_RESTIC_LABELS[@]}"; do
              if [[ ${label%% *} == "$last" ]]; then continue 2; fi
            done
            printf '%s -\n' "$last"
          done
        }

        # bp_restic_find I JOB ID: sets BP_RESTIC_SNAP to the restic snapshot of backplan snapshot JOB/ID.
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_find() {
          local i=$1 row
          BP_RESTIC_SNAP=''
          bp_restic_list "$i" "$2" || return 1
          for row in "${BP_RESTIC_ROWS[@]}"; do
            if [[ ${row%% *} == "$3" ]]; then BP_RESTIC_SNAP=${row#* }; fi
          done
          if [[ -z $BP_RESTIC_SNAP ]]; then
            BP_REMOTE_ERROR="restic repository ${RESTIC_REPOSITORIES[i]} holds no snapshot tagged plan=$PLAN,job=$2,id=$3"
            return 1
          fi
        }

        # bp_restic_restore I JOB ID DIR: restores snapshot JOB/ID into DIR (not there yet), which then holds
        # data/, MANIFEST.sha256 and SNAPSHOT.json (the snapshot's paths are relative to its folder).
        # shellcheck disable=SC2317 # called by the functions below
        bp_restic_restore() {
          local i=$1 dir=$4
          bp_restic_find "$i" "$2" "$3" || return 1
          bp_restic "$i" "restic restore ${BP_RESTIC_SNAP:0:8}" restore --target "$dir" -- "$BP_RESTIC_SNAP" >/dev/null || return 1
          if [[ ! -f $dir/$BP_RECORD_FILE ]]; then
            BP_REMOTE_ERROR="restic snapshot ${BP_RESTIC_SNAP:0:8} holds no SNAPSHOT.json at its root"
            return 1
          fi
        }

        """#

    /// The job script's `bp_restic_*` operations.
    static let resticJob = #"""

        BP_RESTIC_CACHE=$STATE_DIR/restic-cache
        if [[ $BP_RESTIC_CACHE != /* ]]; then BP_RESTIC_CACHE=$PWD/$BP_RESTIC_CACHE; fi

        # The functions below are called as "bp_${TARGET_TYPES[i]}_upload" and so on (hence SC2317).
        # bp_restic_preflight I: password file, restic, and the repository (a missing one is fine only with init: true).
        # shellcheck disable=SC2317
        bp_restic_preflight() {
          local i=$1
          if [[ ! -r ${RESTIC_PASSWORD_FILES[i]} ]]; then
            BP_REMOTE_ERROR="cannot read password_file ${RESTIC_PASSWORD_FILES[i]}; it must be a file (0600) readable by the user running the backup"
            return 1
          fi
          if ! command -v restic >/dev/null 2>&1; then
            BP_REMOTE_ERROR='restic is not installed or does not run (apt-get install restic)'
            return 1
          fi
          bp_restic_state "$i" || return 1
          if [[ $BP_RESTIC_STATE == missing && ${RESTIC_INIT[i]} != 1 ]]; then
            bp_restic_missing "$i"
            return 1
          fi
        }

        # bp_restic_upload I: restic backup of $BP_SNAPSHOT from inside it, against the newest snapshot of this job
        # (--parent: restic matches parents by path, and every snapshot folder has its own). --ignore-ctime: a
        # hard-linked file's ctime changes when it is linked; its inode, size and mtime do not.
        # shellcheck disable=SC2317
        bp_restic_upload() {
          local i=$1 row summary reason
          local -a parent=() keys=()
          bp_restic_state "$i" || return 1
          if [[ $BP_RESTIC_STATE == missing ]]; then
            if [[ ${RESTIC_INIT[i]} != 1 ]]; then
              bp_restic_missing "$i"
              return 1
            fi
            bp_restic "$i" "restic init of ${RESTIC_REPOSITORIES[i]}" init >/dev/null || return 1
            bp_log "target ${TARGET_NAMES[i]}: restic repository ${RESTIC_REPOSITORIES[i]} did not exist; created it (init: true)"
          fi
          bp_restic_list "$i" "$JOB" || return 1
          if [[ -d $BP_SNAPSHOT/$BP_KEYS_DIR ]]; then keys=("$BP_KEYS_DIR"); fi
          if ((${#BP_RESTIC_ROWS[@]} > 0)); then
            row=${BP_RESTIC_ROWS[${#BP_RESTIC_ROWS[@]} - 1]}
            parent=("--parent=${row#* }")
            bp_log "target ${TARGET_NAMES[i]}: restic backup against parent ${row%% *} (restic ${row:17:8})"
          fi
          if ! bp_restic_in "$i" "$BP_SNAPSHOT" "restic backup" backup --json --ignore-ctime --host backplan \
            --tag "backplan,plan=$PLAN,job=$JOB,id=$BP_ID${BP_LABEL:+,label=$BP_LABEL}" --time "$(bp_restic_time "$BP_ID")" "${parent[@]}" \
            -- "$BP_DATA_DIR" "${keys[@]}" "$BP_MANIFEST_FILE" "$BP_RECORD_FILE" >"$BP_TMP/restic-backup.json"; then
            # restic exits 3 when it made a snapshot without some files: never leave that one listed.
            reason=$BP_REMOTE_ERROR
            bp_restic_remove "$i" "$BP_ID" || true
            BP_REMOTE_ERROR=$reason
            return 1
          fi
          tail -n 1 "$BP_TMP/restic-backup.json" >"$BP_TMP/restic-summary.json"
          if summary=$(cd -- "$BP_TMP" && sqlite3 -init /dev/null -batch -noheader :memory: \
            "SELECT 'restic snapshot ' || json_extract(j, '\$.snapshot_id') || ': ' || json_extract(j, '\$.files_new') || ' new, ' ||
                    json_extract(j, '\$.files_changed') || ' changed, ' || json_extract(j, '\$.files_unmodified') ||
                    ' unmodified files; ' || json_extract(j, '\$.data_added') || ' bytes added to the repository'
             FROM (SELECT CAST(readfile('restic-summary.json') AS TEXT) AS j);" 2>/dev/null) && [[ -n $summary ]]; then
            bp_log "target ${TARGET_NAMES[i]}: $summary"
          fi
        }

        # bp_restic_time ID: restic's --time of snapshot ID (20261127T031500Z -> 2026-11-27 03:15:00, read as UTC).
        # shellcheck disable=SC2317
        bp_restic_time() {
          local id=$1
          printf '%s-%s-%s %s:%s:%s' "${id:0:4}" "${id:4:2}" "${id:6:2}" "${id:9:2}" "${id:11:2}" "${id:13:2}"
        }

        # bp_restic_verify I: manifest: restic check --read-data-subset=10% (the repository's structure and a
        # tenth of its data); deep: restic check --read-data, then the snapshot restored and checked against its
        # MANIFEST.sha256.
        # shellcheck disable=SC2317
        bp_restic_verify() {
          local i=$1 dir=$BP_TMP/restic-verify
          bp_restic_find "$i" "$JOB" "$BP_ID" || return 1
          bp_restic_unlock "$i"
          if [[ $VERIFY != deep ]]; then
            bp_restic "$i" "restic check --read-data-subset=10%" check --read-data-subset=10% >/dev/null
            return
          fi
          bp_restic "$i" "restic check --read-data" check --read-data >/dev/null || return 1
          rm -rf -- "$dir"
          bp_restic_restore "$i" "$JOB" "$BP_ID" "$dir" || return 1
          if ! bp_snapshot_ok "$dir"; then
            BP_REMOTE_ERROR='the restored snapshot does not match its MANIFEST.sha256 or fails integrity_check'
            rm -rf -- "$dir"
            return 1
          fi
          rm -rf -- "$dir"
        }

        # bp_restic_ids I: the IDs of this job's snapshots, oldest first, each once.
        # shellcheck disable=SC2317
        bp_restic_ids() {
          local row last=''
          # Called in a command substitution, where BP_REMOTE_ERROR is lost: the reason goes to the log here.
          if ! bp_restic_list "$1" "$JOB"; then
            bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
            return 1
          fi
          for row in "${BP_RESTIC_ROWS[@]}"; do
            if [[ ${row%% *} != "$last" ]]; then printf '%s\n' "${row%% *}"; fi
            last=${row%% *}
          done
        }

        # bp_restic_unlock I: check, forget and prune need an exclusive lock, and a killed restic leaves its lock
        # behind: restic unlock removes stale locks only (of a process gone on this host, or older than 30 minutes).
        # shellcheck disable=SC2317
        bp_restic_unlock() { bp_restic "$1" "restic unlock" unlock >/dev/null || true; }

        # bp_restic_remove I ID...: restic forget of every restic snapshot of these IDs, then one prune.
        # shellcheck disable=SC2317
        bp_restic_remove() {
          local i=$1 id row
          local -a snaps=()
          shift
          bp_restic_list "$i" "$JOB" || return 1
          for id in "$@"; do
            for row in "${BP_RESTIC_ROWS[@]}"; do
              if [[ ${row%% *} == "$id" ]]; then snaps+=("${row#* }"); fi
            done
          done
          ((${#snaps[@]} > 0)) || return 0
          bp_restic_unlock "$i"
          bp_restic "$i" "restic forget" forget -- "${snaps[@]}" >/dev/null || return 1
          bp_restic "$i" "restic prune" prune >/dev/null || return 1
          bp_log "target ${TARGET_NAMES[i]}: restic forget of ${#snaps[@]} snapshots and prune done"
        }

        # shellcheck disable=SC2317
        bp_restic_location() { printf '%s:%s/%s/%s' "${TARGET_NAMES[$1]}" "$PLAN" "$JOB" "$2"; }

        """#

    /// restore.sh's `restic_snapshots`, `restic_info` and `restic_open`.
    static let resticRestore = #"""

        # "ID JOB" lines of the restic snapshots of target $1 (index), job $2 ("" for every job).
        # shellcheck disable=SC2317 # called as "bp_${TARGET_TYPES[i]}_snapshots"
        bp_restic_snapshots() {
          local job row last reason
          for job in "${JOBS[@]}"; do
            if [[ -n "$2" && "$job" != "$2" ]]; then continue; fi
            if ! bp_restic_list "$1" "$job"; then
              # The repository's state says more: missing (and whether the first backup creates it),
              # or a wrong password; else the listing's own error stands.
              reason=$BP_REMOTE_ERROR
              if bp_restic_state "$1"; then
                if [[ "$BP_RESTIC_STATE" == present ]]; then
                  BP_REMOTE_ERROR=$reason
                elif [[ "${RESTIC_INIT[$1]}" == 1 ]]; then
                  BP_REMOTE_ERROR="restic repository ${RESTIC_REPOSITORIES[$1]} does not exist yet (init: true: the first backup to it creates it)"
                else
                  bp_restic_missing "$1"
                fi
              fi
              bp_die "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
            fi
            last=''
            for row in "${BP_RESTIC_ROWS[@]}"; do
              if [[ "${row%% *}" != "$last" ]]; then printf '%s %s\n' "${row%% *}" "$job"; fi
              last=${row%% *}
            done
          done
        }

        # "STARTED SOURCE-BYTES" of snapshot $3 of job $2 on target $1, from its SNAPSHOT.json (restic dump).
        # shellcheck disable=SC2317 # called as "bp_${TARGET_TYPES[i]}_info"
        bp_restic_info() {
          local dir=$DOWNLOAD/info-$2-$3
          mkdir -p -- "$dir"
          if bp_restic_find "$1" "$2" "$3" && bp_restic "$1" "restic dump" dump -- "$BP_RESTIC_SNAP" "/$BP_RECORD_FILE" >"$dir/$BP_RECORD_FILE"; then
            bp_snapshot_info "$dir"
          else
            bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
            printf '? ?\n'
          fi
          rm -rf -- "$dir"
        }

        # Restores snapshot $3 of job $2 on target $1 into $DOWNLOAD and prints the folder.
        # shellcheck disable=SC2317 # called as "bp_${TARGET_TYPES[i]}_open"
        bp_restic_open() {
          local dir=$DOWNLOAD/$2-$3
          bp_log "restoring restic snapshot $2/$3 of target ${TARGET_NAMES[$1]} into $dir"
          bp_restic_restore "$1" "$2" "$3" "$dir" || bp_die "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
          printf '%s\n' "$dir"
        }

"""#
}
