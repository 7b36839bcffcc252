extension JobScriptLibrary {
    /// Publishing per target type, verification, retention and the runs.jsonl record (steps 7-10).
    static let publish = #"""
        # ---- Steps 7 to 9: publish, verify, retention (per target) ----

        # bp_target_failed INDEX MESSAGE
        bp_target_failed() {
          BP_TARGET_STATUS[$1]=failed
          BP_TARGET_ERROR[$1]=$2
          bp_error "target ${TARGET_NAMES[$1]}: $2"
        }

        # bp_durable_rename SRC DST: makes SRC (a finished `.ID.partial`) visible as DST only once its data is
        # on disk: `sync -f` flushes the file system that holds it (syncfs), then the rename, then an fsync of
        # the job folder so the rename itself survives a power cut.
        bp_durable_rename() {
          sync -f -- "$1" || return 1
          mv -T -- "$1" "$2" || return 1
          sync -- "${2%/*}"
        }

        # bp_publish_local INDEX: makes the snapshot visible on local target INDEX. The capture target renames
        # its `.ID.partial` (atomic on one file system); a further local target gets an rsync copy into its own
        # `.ID.partial`, hard-linked against its own previous snapshot, then renamed.
        bp_publish_local() {
          local i=$1 dir prev part
          dir=$(bp_job_dir "$i")
          if ((i == BP_CAPTURE_TARGET)); then
            bp_durable_rename "$BP_CAPTURE_DIR" "$dir/$BP_ID" || return 1
            BP_CAPTURE_DIR=''
            BP_SNAPSHOT=$dir/$BP_ID
          else
            mkdir -p -- "$dir" || return 1
            prev=$(bp_previous "$dir")
            part=$dir/.$BP_ID$BP_PARTIAL_SUFFIX
            BP_PARTIALS+=("$part")
            local -a opts=(-a)
            if [[ -n $prev ]]; then opts+=("--link-dest=$prev/"); fi
            rsync "${opts[@]}" -- "$BP_SNAPSHOT/" "$part/" >&2 || return 1
            bp_durable_rename "$part" "$dir/$BP_ID" || return 1
          fi
          BP_TARGET_SNAPSHOT[i]=$dir/$BP_ID
          bp_log "target ${TARGET_NAMES[i]}: published $dir/$BP_ID"
        }

        # bp_publish_remote INDEX: uploads the sealed snapshot ($BP_SNAPSHOT) to remote target INDEX through its
        # type's functions (bp_<type>_upload; see the remote target sections below).
        bp_publish_remote() {
          local i=$1 type=${TARGET_TYPES[$1]}
          BP_REMOTE_ERROR=''
          if [[ -z $BP_SNAPSHOT ]]; then BP_REMOTE_ERROR='no local snapshot to upload'; return 1; fi
          "bp_${type}_upload" "$i" || return 1
          BP_TARGET_SNAPSHOT[i]=$("bp_${type}_location" "$i" "$BP_ID")
          bp_log "target ${TARGET_NAMES[i]}: published ${BP_TARGET_SNAPSHOT[i]}"
        }

        # bp_publish INDEX: publishes to target INDEX by its type; a target that failed its preflight is skipped.
        # An rsync target with direction pull is published by the NAS's pull script, not here.
        bp_publish() {
          local i=$1
          [[ ${BP_TARGET_STATUS[i]:-} != failed ]] || return 1
          case ${TARGET_TYPES[i]} in
            local)
              if ! bp_publish_local "$i"; then bp_target_failed "$i" "publishing to ${TARGET_PATHS[i]} failed"; return 1; fi ;;
            *)
              if [[ -n ${TARGET_PULLED[i]:-} ]]; then
                bp_log "target ${TARGET_NAMES[i]}: pulled by the NAS with pull-${TARGET_NAMES[i]}.sh; nothing to publish here"
              elif ! bp_publish_remote "$i"; then
                bp_target_failed "$i" "${BP_REMOTE_ERROR:-upload failed}"
                return 1
              fi ;;
          esac
          BP_TARGET_STATUS[i]=ok
        }

        # bp_sqlite_ok FILE: PRAGMA integrity_check on FILE prints ok.
        bp_sqlite_ok() {
          local result
          result=$(sqlite3 "$(bp_abs "$1")" 'PRAGMA integrity_check' 2>&1) || return 1
          [[ $result == ok ]]
        }

        # bp_snapshot_ok FOLDER: every byte of snapshot FOLDER: sha256sum -c over its manifest, and PRAGMA
        # integrity_check on each SQLite source.
        bp_snapshot_ok() {
          local snap=$1 ok=0 k
          bp_manifest_ok "$snap" || ok=1
          for k in "${!SOURCE_NAMES[@]}"; do
            case ${SOURCE_KINDS[k]} in
              sqlite) bp_sqlite_ok "$snap/$BP_DATA_DIR/${SOURCE_PATHS[k]}" || ok=1 ;;
              chroma) bp_sqlite_ok "$snap/$BP_DATA_DIR/${SOURCE_PATHS[k]}/chroma.sqlite3" || ok=1 ;;
            esac
          done
          return "$ok"
        }

        # bp_verify INDEX: verifies the snapshot just published on target INDEX, as `verify:` says.
        #   manifest: every file this run wrote (not the same inode as in the previous snapshot with the same
        #             manifest line) is hashed again and compared;
        #   deep:     sha256sum -c over the whole manifest, and PRAGMA integrity_check on each SQLite file.
        # On failure the snapshot is withdrawn (renamed, then removed) and the target counts as failed.
        bp_verify() {
          local i=$1 snap=${BP_TARGET_SNAPSHOT[$1]:-} dir prev ok=1
          [[ $VERIFY != none ]] || return 0
          if [[ ${TARGET_TYPES[i]} != local ]]; then
            bp_verify_remote "$i"
            return
          fi
          dir=$(bp_job_dir "$i")
          case $VERIFY in
            deep)
              bp_snapshot_ok "$snap" || ok=0 ;;
            *)
              prev=$(bp_previous "$dir")
              bp_join "$prev" "$snap" "$BP_TMP/verify.join" || ok=0
              # The manifest lines of the files to read again: those not carried over, plus escaped lines.
              awk 'FILENAME == ARGV[1] { if (substr($0, 1, 2) == "C\t") carried[substr($0, 3)] = 1; next }
                   !($0 in carried) { print }' "$BP_TMP/verify.join" "$snap/$BP_MANIFEST_FILE" >"$BP_TMP/verify.check" || ok=0
              if [[ -s $BP_TMP/verify.check ]]; then
                (cd -- "$snap" && sha256sum -c --quiet --strict "$BP_TMP/verify.check") >&2 || ok=0
              fi ;;
          esac
          if ((ok)); then
            bp_log "target ${TARGET_NAMES[i]}: verified ($VERIFY)"
            return 0
          fi
          bp_target_failed "$i" "verification ($VERIFY) of $snap failed; the snapshot is withdrawn"
          if mv -T -- "$snap" "$dir/.$BP_ID$BP_DELETING_SUFFIX"; then rm -rf -- "$dir/.$BP_ID$BP_DELETING_SUFFIX"; fi
          if [[ $snap == "$BP_SNAPSHOT" ]]; then BP_SNAPSHOT=''; fi
          return 1
        }

        # bp_verify_remote INDEX: the remote type's check of this run's upload; a snapshot that fails is removed.
        bp_verify_remote() {
          local i=$1 type=${TARGET_TYPES[$1]}
          [[ -z ${TARGET_PULLED[i]:-} ]] || return 0
          BP_REMOTE_ERROR=''
          if "bp_${type}_verify" "$i"; then
            bp_log "target ${TARGET_NAMES[i]}: verified ($VERIFY)"
            return 0
          fi
          bp_target_failed "$i" "verification ($VERIFY) of ${BP_TARGET_SNAPSHOT[i]} failed: ${BP_REMOTE_ERROR:-?}; the snapshot is withdrawn"
          "bp_${type}_remove" "$i" "$BP_ID" || bp_log "target ${TARGET_NAMES[i]}: warning: could not withdraw $BP_ID: $BP_REMOTE_ERROR"
          return 1
        }

        # bp_retention INDEX: removes the snapshots of this plan and job on target INDEX that the rules do not
        # keep (bp_retention_pick decides on the unlabelled ones: never the newest, never this run's); labelled
        # snapshots are kept (bp_retention_unlabelled). A local target's snapshots are listed by bp_list_ids,
        # their labels read by bp_label_states and removed by bp_remove_local; a remote one's by bp_<type>_ids,
        # bp_<type>_labels (or both at once by bp_<type>_states, restic) and bp_<type>_remove. Labels that cannot
        # be fetched at all remove nothing.
        bp_retention() {
          local i=$1 dir='' id listing states
          ((RETENTION)) || return 0
          [[ -z ${TARGET_PULLED[i]:-} ]] || return 0
          if [[ ${TARGET_TYPES[i]} == local ]]; then
            dir=$(bp_job_dir "$i")
            mapfile -t BP_IDS < <(bp_list_ids "$dir")
            ((${#BP_IDS[@]} > 0)) || return 0
            states=$(bp_label_states "$dir" "${BP_IDS[@]}")
          elif declare -F "bp_${TARGET_TYPES[i]}_states" >/dev/null; then
            # One call lists the IDs and their labels (restic's tags).
            if ! states=$("bp_${TARGET_TYPES[i]}_states" "$i"); then
              bp_log "retention: warning: target ${TARGET_NAMES[i]}: cannot list snapshots; nothing is removed"
              return 0
            fi
            mapfile -t BP_IDS < <(printf '%s\n' "$states" | cut -d ' ' -f 1 | bp_ids_only | LC_ALL=C sort -u)
            ((${#BP_IDS[@]} > 0)) || return 0
          else
            BP_REMOTE_ERROR=''
            if ! listing=$("bp_${TARGET_TYPES[i]}_ids" "$i"); then
              bp_log "retention: warning: target ${TARGET_NAMES[i]}: cannot list snapshots: $BP_REMOTE_ERROR; nothing is removed"
              return 0
            fi
            mapfile -t BP_IDS < <(printf '%s\n' "$listing" | bp_ids_only)
            ((${#BP_IDS[@]} > 0)) || return 0
            if ! states=$("bp_${TARGET_TYPES[i]}_labels" "$i" "${BP_IDS[@]}"); then
              bp_log "retention: warning: target ${TARGET_NAMES[i]}: cannot read the snapshots' labels; nothing is removed"
              return 0
            fi
          fi
          bp_retention_unlabelled "target ${TARGET_NAMES[i]}" <<<"$states"
          bp_retention_pick "target ${TARGET_NAMES[i]}" "$BP_ID" "$KEEP_LAST" "$KEEP_HOURLY" "$KEEP_DAILY" "$KEEP_WEEKLY" \
            "$KEEP_MONTHLY" "$KEEP_YEARLY" "$KEEP_WITHIN" || return 0
          if ((BP_DRY_RUN)); then
            for id in "${BP_REMOVE[@]}"; do bp_log "dry run: retention would remove snapshot $id from target ${TARGET_NAMES[i]}"; done
            return 0
          fi
          BP_REMOVED=0
          if [[ -n $dir ]]; then
            bp_remove_local "target ${TARGET_NAMES[i]}" "$dir" "${BP_REMOVE[@]}"
          elif ((${#BP_REMOVE[@]} > 0)); then
            bp_log "retention: target ${TARGET_NAMES[i]}: removing snapshots ${BP_REMOVE[*]}"
            if ! "bp_${TARGET_TYPES[i]}_remove" "$i" "${BP_REMOVE[@]}"; then
              bp_log "retention: warning: target ${TARGET_NAMES[i]}: $BP_REMOTE_ERROR"
              return 0
            fi
            BP_REMOVED=${#BP_REMOVE[@]}
          fi
          bp_log "retention: target ${TARGET_NAMES[i]}: $((${#BP_IDS[@]} + BP_LABELLED - BP_REMOVED)) snapshots kept, $BP_REMOVED removed"
        }

        # ---- Step 10: the run log ----

        # bp_record STATUS: appends this run to $STATE_DIR/runs.jsonl (one JSON object, keys sorted), and keeps
        # the line in BP_RECORD_LINE for the webhook.
        # shellcheck disable=SC2317 # called by the EXIT trap (bp_on_exit)
        bp_record() {
          local rc=$1 status i targets='' error label finished t_status
          case $rc in
            "$BP_EXIT_OK") status=ok ;;
            "$BP_EXIT_PARTIAL") status=partial ;;
            *) status=failed ;;
          esac
          for i in "${!TARGET_NAMES[@]}"; do
            t_status=${BP_TARGET_STATUS[i]:-failed}
            targets+="${targets:+,}{"
            if [[ $t_status != ok ]]; then
              targets+="\"error\":$(bp_json_string "${BP_TARGET_ERROR[i]:-not attempted: the run failed before publishing}"),"
            fi
            targets+="\"name\":$(bp_json_string "${TARGET_NAMES[i]}"),\"status\":\"$t_status\"}"
          done
          error=''
          if [[ $status != ok ]]; then error="\"error\":$(bp_json_string "${BP_ERROR:-failed}"),"; fi
          label=''
          if [[ -n $BP_LABEL ]]; then label="\"label\":\"$BP_LABEL\","; fi
          finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
          # shellcheck disable=SC2059 # the format is the run contract's (BP_RUN_FORMAT: the fields in their order)
          printf -v BP_RECORD_LINE "$BP_RUN_FORMAT" \
            "$BP_BYTES" "$BP_DOWNTIME_MS" "$error" "$rc" "$BP_FILES" "$finished" "$BP_ID" "$(bp_json_string "$JOB")" \
            "$label" "$(bp_json_string "$PLAN")" "$BP_STARTED" "$status" "$targets"
          printf '%s\n' "$BP_RECORD_LINE" >>"$STATE_DIR/$BP_RUNS_LOG"
        }
        """#
}
