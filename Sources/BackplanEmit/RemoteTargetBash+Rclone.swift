import BackplanCore

// The bash below is emitted verbatim; plan values reach it only through the readonly arrays.
extension RemoteTargetBash {
    /// The `rclone` target type's bash (docs/remote-rclone.md): the same steps and rclone calls as the
    /// runtime's `RcloneStore`.
    static let rclone = RemoteTargetBash(
        type: .rclone,
        assignments: { targets in
            [
                .array("TARGET_RCLONE_REMOTES", targets.map { $0.rclone?.remote ?? "" }),
                .array("TARGET_RCLONE_CONFIGS", targets.map { $0.rclone?.configFile ?? "" }),
                .array("TARGET_RCLONE_BWLIMITS", targets.map { $0.rclone?.bandwidthLimit ?? "" }),
                .array("TARGET_RCLONE_TRANSFERS", targets.map { $0.rclone?.transfers.map(String.init) ?? "" }),
            ]
        },
        common: common, jobFunctions: jobFunctions, restoreFunctions: restoreFunctions)

    /// Both scripts: running rclone for a target, its paths, listing.
    static let common = #"""

        # ---- Target type rclone: <remote>/<plan>/<job>/<ID>/, SNAPSHOT.json uploaded last ----

        # bp_rclone I LABEL ARGS...: rclone ARGS for target I through bp_remote (env file exported), with
        # --config, --bwlimit and --transfers from the plan, and without AWS_CA_BUNDLE (rclone 1.60's S3
        # backend fails whenever it is set; rclone's own --ca-cert names a CA bundle). Callers put `--`
        # before the paths, so that no remote or path is read as an option.
        # shellcheck disable=SC2317 # called through bp_rclone_* functions
        bp_rclone() {
          local i=$1 label=$2
          local -a options=()
          shift 2
          if [[ -n ${TARGET_RCLONE_CONFIGS[i]} ]]; then options+=(--config "${TARGET_RCLONE_CONFIGS[i]}"); fi
          if [[ -n ${TARGET_RCLONE_BWLIMITS[i]} ]]; then options+=(--bwlimit "${TARGET_RCLONE_BWLIMITS[i]}"); fi
          if [[ -n ${TARGET_RCLONE_TRANSFERS[i]} ]]; then options+=(--transfers "${TARGET_RCLONE_TRANSFERS[i]}"); fi
          bp_remote "$i" "$label" env -u AWS_CA_BUNDLE rclone "${options[@]}" "$@"
        }

        # bp_rclone_path I [JOB [ID]]: <remote>/<plan>[/<job>[/<ID>]] of target I.
        # shellcheck disable=SC2317 # called through bp_rclone_* functions
        bp_rclone_path() {
          local remote=${TARGET_RCLONE_REMOTES[$1]} part
          [[ $remote == *[:/] ]] || remote+=/
          remote+=$PLAN
          for part in "${@:2}"; do remote+=/$part; done
          printf '%s' "$remote"
        }

        # bp_rclone_lsf I PATH ARGS...: prints `rclone lsf ARGS PATH`; a folder that does not exist lists nothing.
        # shellcheck disable=SC2317 # called through bp_rclone_* functions
        bp_rclone_lsf() {
          local i=$1 path=$2
          shift 2
          bp_rclone "$i" "rclone lsf $path" lsf "$@" -- "$path" && return 0
          [[ ${BP_REMOTE_ERROR:-} == *'directory not found'* ]]
        }

        # bp_rclone_complete I JOB [SUFFIX]: the IDs of the complete snapshots (folders holding SNAPSHOT.json),
        # oldest first, one a line with SUFFIX after each; one `rclone lsf` call. Runs rclone in this shell, so
        # that BP_REMOTE_ERROR says why it failed.
        # shellcheck disable=SC2317 # called through bp_rclone_* functions
        bp_rclone_complete() {
          local listing rc=0
          listing=$(mktemp "${TMPDIR:-/tmp}/backplan-rclone.XXXXXX") || return 1
          bp_rclone_lsf "$1" "$(bp_rclone_path "$1" "$2")" -R --files-only --include "/*/$BP_RECORD_FILE" >"$listing" || rc=1
          sed -n 's#/SNAPSHOT\.json$##p' "$listing" | bp_ids_only | sort | awk -v suffix="${3:-}" '{ print $0 suffix }'
          rm -f -- "$listing"
          return "$rc"
        }

        """#

    /// The job script's `bp_rclone_*` operations.
    static let jobFunctions = #"""
        # The functions below are called as "bp_${TARGET_TYPES[i]}_upload" and so on (hence SC2317).
        # shellcheck disable=SC2317
        bp_rclone_preflight() {
          local i=$1 config=${TARGET_RCLONE_CONFIGS[$1]}
          if ! command -v rclone >/dev/null 2>&1; then BP_REMOTE_ERROR='rclone is not installed (not found in PATH)'; return 1; fi
          if [[ -n $config && ! -r $config ]]; then
            BP_REMOTE_ERROR="cannot read config_file $config; it must be readable by the user running the backup"
            return 1
          fi
          if ! bp_rclone_lsf "$i" "$(bp_rclone_path "$i")" --dirs-only --max-depth 1 >/dev/null; then
            BP_REMOTE_ERROR="rclone cannot reach ${TARGET_RCLONE_REMOTES[i]}: $BP_REMOTE_ERROR"
            return 1
          fi
        }

        # bp_rclone_upload I: removes ID folders without SNAPSHOT.json (an interrupted upload's leftovers; the
        # plan's lock is held), uploads everything but SNAPSHOT.json with the unchanged files copied server-side
        # from the newest complete snapshot (--copy-dest: same size and modification time; only on a remote
        # with server-side copy), then SNAPSHOT.json.
        # shellcheck disable=SC2317
        bp_rclone_upload() {
          local i=$1 job dest id previous log=$BP_TMP/rclone-upload.log sent bytes copied rc=0
          local -a args=()
          job=$(bp_rclone_path "$i" "$JOB")
          dest=$job/$BP_ID
          bp_rclone_complete "$i" "$JOB" >"$BP_TMP/rclone.complete" || return 1
          bp_rclone_lsf "$i" "$job" --dirs-only >"$BP_TMP/rclone.folders" || return 1
          while IFS= read -r id; do
            id=${id%/}
            [[ $id =~ $BP_ID_RE && $id != "$BP_ID" ]] || continue
            grep -qxF -- "$id" "$BP_TMP/rclone.complete" && continue
            bp_log "target ${TARGET_NAMES[i]}: removing $id, left incomplete by an interrupted run"
            bp_rclone "$i" "rclone purge of $id" purge -- "$job/$id" || return 1
          done <"$BP_TMP/rclone.folders"
          previous=$(awk -v id="$BP_ID" '$0 < id' "$BP_TMP/rclone.complete" | tail -n 1)
          args=(copy -v --log-file "$log" --exclude "/$BP_RECORD_FILE")
          if [[ -n $previous ]]; then
            # --copy-dest needs server-side copy (S3 has it; sftp has not: rclone would refuse the copy).
            bp_rclone "$i" "rclone backend features" backend features -- "$job" >"$BP_TMP/rclone.features" || return 1
            if grep -q '"Copy": true' "$BP_TMP/rclone.features"; then
              args+=("--copy-dest=$job/$previous")
              bp_log "target ${TARGET_NAMES[i]}: uploading $BP_ID; unchanged files are copied server-side from $previous"
            else
              bp_log "target ${TARGET_NAMES[i]}: uploading $BP_ID (the remote has no server-side copy: every file is sent)"
            fi
          else
            bp_log "target ${TARGET_NAMES[i]}: uploading $BP_ID (no earlier snapshot on the target: every file is sent)"
          fi
          rm -f -- "$log"
          bp_rclone "$i" "rclone copy to $dest" "${args[@]}" -- "$BP_SNAPSHOT" "$dest" || rc=$?
          if ((rc != 0)); then
            # rclone's errors went to the log file (bp_remote's message stands when rclone did not start).
            if [[ -s $log ]]; then BP_REMOTE_ERROR="rclone copy to $dest failed (status $rc)$(bp_redacted_tail "$i" "$log")"; fi
            return 1
          fi
          sed -n -E 's/^.* INFO  : (.*): Copied \((new|replaced existing)\)$/\1/p' "$log" >"$BP_TMP/rclone.sent"
          sent=$(wc -l <"$BP_TMP/rclone.sent")
          bytes=$(cd -- "$BP_SNAPSHOT" && tr '\n' '\0' <"$BP_TMP/rclone.sent" | xargs -0 -r stat -c %s -- | awk '{ s += $1 } END { print s + 0 }')
          copied=$(grep -c ': Copied (server-side copy)$' "$log" || true)
          bp_log "target ${TARGET_NAMES[i]}: sent $sent files ($bytes bytes), $copied unchanged files copied server-side"
          bp_rclone "$i" "rclone copyto of SNAPSHOT.json" copyto -- "$BP_SNAPSHOT/$BP_RECORD_FILE" "$dest/$BP_RECORD_FILE"
        }

        # bp_rclone_verify I: manifest: `rclone check` of the sealed local folder against the upload (sizes and
        # the hashes both sides have: MD5 on S3; sizes only, logged, on a remote without a common hash such as
        # sftp); deep: downloads the snapshot and checks it against MANIFEST.sha256 and PRAGMA integrity_check,
        # as for a local snapshot.
        # shellcheck disable=SC2317
        bp_rclone_verify() {
          local i=$1 dest dir=$BP_TMP/rclone-verify log=$BP_TMP/rclone-check.log rc=0
          dest=$(bp_rclone_path "$i" "$JOB" "$BP_ID")
          if [[ $VERIFY != deep ]]; then
            rm -f -- "$log"
            bp_rclone "$i" "rclone check of $dest" check --log-file "$log" -- "$BP_SNAPSHOT" "$dest" || rc=$?
            if ((rc != 0)); then
              if [[ -s $log ]]; then BP_REMOTE_ERROR="rclone check of $dest failed (status $rc)$(bp_redacted_tail "$i" "$log")"; fi
              return 1
            fi
            if grep -q 'No common hash found' "$log"; then
              bp_log "target ${TARGET_NAMES[i]}: rclone check compared sizes only (no hash common to both sides)"
            fi
            return 0
          fi
          rm -rf -- "$dir"
          bp_rclone "$i" "rclone copy of $dest" copy -- "$dest" "$dir" || return 1
          if ! bp_snapshot_ok "$dir"; then
            BP_REMOTE_ERROR="the downloaded copy of $dest does not match its MANIFEST.sha256 or fails integrity_check"
            rm -rf -- "$dir"
            return 1
          fi
          rm -rf -- "$dir"
        }

        # bp_rclone_ids I: the complete snapshots of $JOB, oldest first.
        # shellcheck disable=SC2317
        bp_rclone_ids() {
          if ! bp_rclone_complete "$1" "$JOB"; then
            bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
            return 1
          fi
        }

        # bp_rclone_labels I ID...: "ID STATE" lines (bp_label_states) from every SNAPSHOT.json of the job,
        # fetched in one `rclone copy` into a temporary folder.
        # shellcheck disable=SC2317
        bp_rclone_labels() {
          local i=$1 dir
          shift
          dir=$(mktemp -d "${TMPDIR:-/tmp}/backplan-labels.XXXXXX") || return 1
          if ! bp_rclone "$i" "rclone copy of the $BP_RECORD_FILE files" copy --max-depth 2 --include "/*/$BP_RECORD_FILE" \
            -- "$(bp_rclone_path "$i" "$JOB")" "$dir"; then
            bp_log "target ${TARGET_NAMES[i]}: $BP_REMOTE_ERROR"
            rm -rf -- "$dir"
            return 1
          fi
          bp_label_states "$dir" "$@"
          rm -rf -- "$dir"
        }

        # bp_rclone_remove I ID...: deletes each snapshot's SNAPSHOT.json (it stops being listed at once), then
        # its folder; a purge cut short leaves a folder the next upload removes.
        # shellcheck disable=SC2317
        bp_rclone_remove() {
          local i=$1 id path
          shift
          for id in "$@"; do
            if [[ ! $id =~ $BP_ID_RE ]]; then BP_REMOTE_ERROR="'$id' is not a snapshot ID"; return 1; fi
            path=$(bp_rclone_path "$i" "$JOB" "$id")
            bp_rclone "$i" "rclone deletefile of $id/$BP_RECORD_FILE" deletefile -- "$path/$BP_RECORD_FILE" || return 1
            bp_rclone "$i" "rclone purge of $id" purge -- "$path" || return 1
          done
        }

        # shellcheck disable=SC2317
        bp_rclone_location() { bp_rclone_path "$1" "$JOB" "$2"; }

        """#

    /// restore.sh's `rclone_snapshots`, `rclone_info` and `rclone_open`.
    static let restoreFunctions = #"""
        # "ID JOB" lines of the complete snapshots on rclone target $1 (index) of job $2 ("" for every job).
        bp_rclone_snapshots() {
          local job
          for job in "${JOBS[@]}"; do
            if [[ -n "$2" && "$job" != "$2" ]]; then continue; fi
            if ! bp_rclone_complete "$1" "$job" " $job"; then
              bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
              return 1
            fi
          done
        }

        # "STARTED SOURCE-BYTES" of snapshot $3 of job $2: only its SNAPSHOT.json is fetched (under $DOWNLOAD).
        bp_rclone_info() {
          local dir=$DOWNLOAD/info-$2-$3
          mkdir -p -- "$dir"
          if ! bp_rclone "$1" "rclone copyto of SNAPSHOT.json" copyto -- "$(bp_rclone_path "$1" "$2" "$3")/$BP_RECORD_FILE" "$dir/$BP_RECORD_FILE"; then
            bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
          fi
          bp_snapshot_info "$dir"
        }

        # Downloads snapshot $3 of job $2 from target $1 under $DOWNLOAD and prints the folder.
        bp_rclone_open() {
          local dir=$DOWNLOAD/$2-$3 path
          path=$(bp_rclone_path "$1" "$2" "$3")
          bp_log "downloading $path into $dir"
          if ! bp_rclone "$1" "rclone copy of $path" copy -- "$path" "$dir" || [[ ! -f "$dir/$BP_RECORD_FILE" ]]; then
            bp_log "target ${TARGET_NAMES[$1]}: downloading $path failed: ${BP_REMOTE_ERROR:-it holds no SNAPSHOT.json}"
            return 1
          fi
          printf '%s\n' "$dir"
        }

"""#
}
