extension JobScriptLibrary {
    /// The EXIT and signal traps, the command line, --dry-run and `main`, which runs the steps in order.
    static let main = #"""
        # ---- Traps ----

        # bp_on_exit: the EXIT trap, on every way out of a run that holds the lock: stops the watchdog and the
        # capture, resumes a journaled quiesce (once), removes what was not published, records the run.
        # Exit status: 0 all targets done, 3 some failed, 1 anything else.
        # shellcheck disable=SC2317 # called by the EXIT trap
        bp_on_exit() {
          local rc=$?
          set +e
          # A second signal must not cut the resume short. Trapped, not ignored (`trap ''`): an ignored
          # signal stays ignored in every child, so an app a start command launches could never be stopped.
          trap 'bp_log "signal ignored while the run cleans up"' INT TERM HUP
          trap - USR1 ERR
          bp_stop_watchdog
          if [[ -n $BP_CAPTURE_PID ]]; then
            bp_kill_group "$BP_CAPTURE_PID"
            wait "$BP_CAPTURE_PID" 2>/dev/null
            BP_CAPTURE_PID=''
          fi
          if [[ -f $STATE_DIR/$BP_QUIESCE_JOURNAL ]]; then bp_resume || rc=1; fi
          if [[ -n $BP_CAPTURE_DIR && -d $BP_CAPTURE_DIR ]]; then rm -rf -- "$BP_CAPTURE_DIR"; fi
          local part
          for part in "${BP_PARTIALS[@]}"; do
            if [[ -d $part ]]; then rm -rf -- "$part"; fi
          done
          if [[ -d $STATE_DIR/$BP_STAGING_DIR ]]; then rm -rf -- "${STATE_DIR:?}/$BP_STAGING_DIR"; fi
          if [[ -n $BP_TMP && -d $BP_TMP ]]; then rm -rf -- "$BP_TMP"; fi
          if ((rc != BP_EXIT_OK && rc != BP_EXIT_PARTIAL)); then rc=$BP_EXIT_FAILED; fi
          if ((BP_RECORD)); then
            bp_record "$rc"
            bp_notify "$rc"
          fi
          case $rc in
            "$BP_EXIT_OK") bp_log "run $BP_ID: ok" ;;
            "$BP_EXIT_PARTIAL") bp_log "run $BP_ID: some targets failed (exit 3)" ;;
            *) bp_log "run ${BP_ID:-}: failed (exit 1)${BP_ERROR:+: $BP_ERROR}" ;;
          esac
          exit "$rc"
        }

        # bp_on_signal NAME: INT, TERM, HUP end the run; the EXIT trap resumes the app first.
        # shellcheck disable=SC2317 # called by the INT, TERM and HUP traps
        bp_on_signal() {
          bp_error "received SIG$1; ending the run"
          exit "$BP_EXIT_FAILED"
        }

        # ---- Command line ----

        bp_usage() {
          printf 'Usage: %s [--dry-run] [--resume] [--jitter SECONDS] [--label NAME]\n' "${0##*/}"
          printf 'Runs job %s of backup plan %s once (see docs/run-contract.md).\n' "$JOB" "$PLAN"
          printf -- '--label NAME (a-z, 0-9, -; up to 63) labels the snapshot: retention keeps it until backplan prune --remove ID.\n'
          printf 'Exit status: 0 all targets done, 1 failed (nothing published), 3 some targets failed.\n'
        }

        bp_parse_args() {
          while (($# > 0)); do
            case $1 in
              --dry-run) BP_DRY_RUN=1 ;;
              --resume) BP_RESUME_ONLY=1 ;;
              --jitter)
                if (($# < 2)) || [[ ! $2 =~ ^[0-9]{1,9}$ ]]; then bp_usage >&2; exit "$BP_EXIT_USAGE"; fi
                BP_JITTER=$((10#$2))
                shift ;;
              --label)
                if (($# < 2)) || [[ ! $2 =~ $BP_LABEL_RE ]]; then
                  bp_log "--label takes a name of 1 to 63 characters: lower-case letters, digits and '-', not starting with '-' (e.g. pre-upgrade)"
                  bp_usage >&2
                  exit "$BP_EXIT_USAGE"
                fi
                BP_LABEL=$2
                shift ;;
              -h | --help) bp_usage; exit 0 ;;
              *) bp_log "unknown argument: $1"; bp_usage >&2; exit "$BP_EXIT_USAGE" ;;
            esac
            shift
          done
          if [[ -n $BP_LABEL ]] && ((BP_RESUME_ONLY)); then
            bp_log "--label does not go with --resume (which takes no snapshot)"
            exit "$BP_EXIT_USAGE"
          fi
        }

        # bp_dry_run: preflight, then the steps a run would take; changes nothing (not even the state dir).
        bp_dry_run() {
          local i k
          bp_log "dry run: nothing is changed"
          BP_TMP=$(mktemp -d)
          # shellcheck disable=SC2064 # BP_TMP is fixed from here on
          trap "rm -rf -- '$BP_TMP'" EXIT
          bp_preflight || return 1
          if [[ -f $STATE_DIR/$BP_QUIESCE_JOURNAL ]]; then bp_log "dry run: would resume the quiesce journaled in $STATE_DIR/$BP_QUIESCE_JOURNAL"; fi
          bp_log "dry run: would lock $STATE_DIR/$BP_LOCK_FILE"
          case $QUIESCE_METHOD in
            none) bp_log "dry run: no quiesce: hot capture" ;;
            commands)
              for k in "${!QUIESCE_STOP_COMMANDS[@]}"; do bp_log "dry run: would stop with: ${QUIESCE_STOP_COMMANDS[k]}"; done ;;
            *) bp_log "dry run: would stop ($QUIESCE_METHOD): ${QUIESCE_NAMES[*]}" ;;
          esac
          for i in "${!SOURCE_NAMES[@]}"; do
            if [[ ${SOURCE_KINDS[i]} == key ]]; then
              bp_log "dry run: would capture ${SOURCE_NAMES[i]} (key) ${SOURCE_ABSOLUTE[i]}${SOURCE_SERVICES[i]:+ in the container of service ${SOURCE_SERVICES[i]}} as $BP_KEYS_DIR/${SOURCE_NAMES[i]}"
            else
              bp_log "dry run: would capture ${SOURCE_NAMES[i]} (${SOURCE_KINDS[i]}) ${SOURCE_ABSOLUTE[i]} as data/${SOURCE_PATHS[i]}"
            fi
          done
          if [[ $QUIESCE_METHOD != none ]]; then bp_log "dry run: would start the app again"; fi
          if [[ -n $BP_LABEL ]]; then bp_log "dry run: would label the snapshot $BP_LABEL (retention keeps it until prune --remove)"; fi
          for i in "${!TARGET_NAMES[@]}"; do
            case ${TARGET_TYPES[i]} in
              local)
                bp_log "dry run: would publish to target ${TARGET_NAMES[i]}: $(bp_job_dir "$i")/ID, verify: $VERIFY"
                bp_retention "$i" ;;
              *)
                if [[ -n ${TARGET_PULLED[i]:-} ]]; then
                  bp_log "dry run: target ${TARGET_NAMES[i]} is pulled by the NAS (pull-${TARGET_NAMES[i]}.sh)"
                  continue
                fi
                bp_log "dry run: would upload to target ${TARGET_NAMES[i]}: $("bp_${TARGET_TYPES[i]}_location" "$i" ID), verify: $VERIFY"
                bp_retention "$i" ;;
            esac
          done
          if ((${#NOTIFY_ON[@]} > 0)); then bp_log "dry run: would notify the webhook on: ${NOTIFY_ON[*]}"; fi
        }

        # bp_prepare_capture: picks the capture folder: `.ID.partial` in the job folder of the first local
        # target (hard links need one file system), else $STATE_DIR/staging/ID; and the previous snapshot there.
        bp_prepare_capture() {
          local i dir
          for i in "${!TARGET_NAMES[@]}"; do
            if [[ ${TARGET_TYPES[i]} == local ]]; then BP_CAPTURE_TARGET=$i; break; fi
          done
          if ((BP_CAPTURE_TARGET >= 0)); then
            dir=$(bp_job_dir "$BP_CAPTURE_TARGET")
            mkdir -p -- "$dir"
            BP_PREVIOUS=$(bp_previous "$dir")
            BP_CAPTURE_DIR=$dir/.$BP_ID$BP_PARTIAL_SUFFIX
          else
            BP_CAPTURE_DIR=$STATE_DIR/$BP_STAGING_DIR/$BP_ID
          fi
          mkdir -p -- "$BP_CAPTURE_DIR/$BP_DATA_DIR"
          bp_log "capture into $BP_CAPTURE_DIR${BP_PREVIOUS:+ (unchanged files linked to ${BP_PREVIOUS##*/})}"
        }

        bp_job_main() {
          local i published=0 failed=0
          BP_LOG_TAG="backplan[$PLAN/$JOB]"
          bp_parse_args "$@"
          if ((BP_DRY_RUN)); then
            bp_dry_run
            exit $?
          fi
          if ((BP_RESUME_ONLY)); then
            bp_lock
            if [[ ! -f $STATE_DIR/$BP_QUIESCE_JOURNAL ]]; then bp_log "resume: no quiesce journal; nothing to do"; exit 0; fi
            bp_resume || exit 1
            exit 0
          fi
          if ((BP_JITTER > 0)); then
            i=$(((RANDOM * 32768 + RANDOM) % (BP_JITTER + 1)))
            bp_log "jitter: sleeping ${i}s"
            sleep "$i"
          fi

          # 1. Lock; from here on every exit goes through bp_on_exit.
          bp_lock
          BP_RECORD=1
          trap bp_on_exit EXIT
          trap 'bp_on_signal INT' INT
          trap 'bp_on_signal TERM' TERM
          trap 'bp_on_signal HUP' HUP
          trap bp_on_watchdog USR1
          trap 'bp_on_err "$LINENO" "$?"' ERR
          BP_TMP=$(mktemp -d "$(bp_abs "$STATE_DIR")/.tmp.XXXXXX")
          bp_new_id
          bp_log "run $BP_ID: start${BP_LABEL:+ (label $BP_LABEL)}"
          if [[ -f $STATE_DIR/$BP_QUIESCE_JOURNAL ]]; then
            bp_log "quiesce: a killed run left the app stopped; resuming it first"
            bp_resume || bp_die "could not resume the quiesce left by an earlier run"
          fi
          bp_clean_leftovers

          # 2. Preflight.
          bp_preflight || bp_die "preflight failed; nothing was stopped"
          bp_read_app_versions
          bp_prepare_capture
          # Keys before the stop: a key in a container is read with `exec`, which needs it running.
          bp_capture_keys "$BP_CAPTURE_DIR" || bp_die "capturing the keys failed; nothing was stopped"

          # 3-5. Stop, capture, start: the downtime is the capture only.
          if ! bp_quiesce_stop; then
            bp_resume || true
            bp_die "quiesce: stopping the app failed (it was started again)"
          fi
          if ! bp_run_capture "$BP_CAPTURE_DIR"; then
            bp_resume || true
            bp_die "${BP_ERROR:-capture failed}"
          fi
          bp_resume || bp_die "the app could not be started again"

          # 6. Manifest, then SNAPSHOT.json (last: it marks the folder complete).
          bp_describe "$BP_CAPTURE_DIR"
          bp_manifest "$BP_CAPTURE_DIR"
          bp_snapshot_json "$BP_CAPTURE_DIR"
          BP_SNAPSHOT=$BP_CAPTURE_DIR

          # 7. Publish: the capture target first, then the others in name order.
          if ((BP_CAPTURE_TARGET >= 0)); then bp_publish "$BP_CAPTURE_TARGET" || true; fi
          for i in "${!TARGET_NAMES[@]}"; do
            if ((i != BP_CAPTURE_TARGET)); then bp_publish "$i" || true; fi
          done
          # 8-9. Verify, then retention where the snapshot is published and verified.
          for i in "${!TARGET_NAMES[@]}"; do
            [[ ${BP_TARGET_STATUS[i]:-} == ok ]] || continue
            bp_verify "$i" || continue
            bp_retention "$i"
          done

          for i in "${!TARGET_NAMES[@]}"; do
            if [[ ${BP_TARGET_STATUS[i]:-} == ok ]]; then published=$((published + 1)); else failed=$((failed + 1)); fi
          done
          # 10. The EXIT trap records the run and releases the lock (by exiting).
          if ((published == 0)); then exit "$BP_EXIT_FAILED"; fi
          if ((failed > 0)); then exit "$BP_EXIT_PARTIAL"; fi
          exit "$BP_EXIT_OK"
        }
        """#
}
