/// The constant bash of the NAS's pull script (`PullScriptEmitter`), after the rsync functions it shares
/// with the job scripts. It reads the plan only through the readonly variables above it.
enum PullScriptLibrary {
    static let text = #"""

        # ---- The pull (docs/remote-rsync.md, "Pull") ----

        BP_REMOTE_ERROR=''
        BP_STATE=''             # $NAS_PATH/$PLAN/.pull-$TARGET: the lock and runs.jsonl
        BP_STARTED=''
        BP_JOBS_JSON=''         # one JSON object per job, for runs.jsonl
        BP_RECORD=0
        BP_PARTIAL=''           # the .ID.partial being filled, removed on exit
        BP_TMP=''
        BP_PULLED_ID=''         # the snapshot bp_pull_job pulled (or found here already)

        # bp_pull_verify DIR NAME VERIFY: checks the pulled folder DIR/NAME as the job says (on the NAS).
        bp_pull_verify() {
          case $3 in
            none) return 0 ;;
            deep)
              if ! bp_manifest_ok "$1/$2" >"$BP_TMP/verify.out" 2>&1; then
                BP_REMOTE_ERROR="sha256sum -c failed: $(tail -n 3 "$BP_TMP/verify.out" | tr '\n' ' ')"
                return 1
              fi ;;
            *)
              if ! sh -c "$BP_RSYNC_SH_MANIFEST" sh "$1" . "$2" >"$BP_TMP/verify.out" 2>"$BP_TMP/verify.err"; then
                BP_REMOTE_ERROR="hashing failed: $(tail -n 3 "$BP_TMP/verify.err" | tr '\n' ' ')"
                return 1
              fi
              bp_rsync_manifest_check "$BP_TMP/verify.out" ;;
          esac
        }

        # bp_pull_retention K DIR NEW: job K's retention on the NAS (never a labelled snapshot, never the newest
        # unlabelled one, never NEW).
        bp_pull_retention() {
          local k=$1 dir=$2 new=$3
          local -a keep=()
          [[ ${JOB_RETENTION[k]} != none ]] || return 0
          read -ra keep <<<"${JOB_RETENTION[k]}"
          mapfile -t BP_IDS < <(bp_list_ids "$dir")
          ((${#BP_IDS[@]} > 0)) || return 0
          bp_retention_unlabelled "job ${JOB_NAMES[k]}" < <(bp_label_states "$dir" "${BP_IDS[@]}")
          bp_retention_pick "job ${JOB_NAMES[k]}" "$new" "${keep[@]}" || return 0
          bp_remove_local "job ${JOB_NAMES[k]}" "$dir" "${BP_REMOVE[@]}"
          bp_log "retention: job ${JOB_NAMES[k]}: $((${#BP_IDS[@]} + BP_LABELLED - BP_REMOVED)) snapshots kept, $BP_REMOVED removed"
        }

        # bp_pull_job K: pulls the newest complete snapshot of job K from the server. Sets BP_PULLED_ID.
        bp_pull_job() {
          local k=$1 job=${JOB_NAMES[$1]} dir newest prev
          local -a opts=(-a --numeric-ids --protect-args --stats)
          dir=$NAS_PATH/$PLAN/$job
          BP_PULLED_ID=''
          mkdir -p -- "$dir" || { BP_REMOTE_ERROR="cannot create $dir"; return 1; }
          bp_sweep "$dir" "job $job"
          bp_rsync_list_in 0 "${JOB_SOURCES[k]}" "$PLAN/$job" || return 1
          newest=$(printf '%s\n' "$BP_RSYNC_IDS" | tail -n 1)
          if [[ -z $newest ]]; then
            BP_REMOTE_ERROR="the server holds no complete snapshot in ${JOB_SOURCES[k]}/$PLAN/$job"
            return 1
          fi
          BP_PULLED_ID=$newest
          if [[ -f $dir/$newest/$BP_RECORD_FILE ]]; then
            bp_log "job $job: snapshot $newest is here already"
          else
            prev=$(bp_list_ids "$dir" | tail -n 1)
            if [[ -n $prev ]]; then opts+=("--link-dest=../$prev"); fi
            BP_PARTIAL=$dir/.$newest$BP_PARTIAL_SUFFIX
            bp_rsync_ssh 0
            bp_log "job $job: pulling $BP_RSYNC_DEST:${JOB_SOURCES[k]}/$PLAN/$job/$newest${prev:+ (unchanged files linked to $prev)}"
            if ! bp_remote 0 rsync rsync "${opts[@]}" -e "$(bp_rsync_rsh)" -- \
              "$BP_RSYNC_DEST:${JOB_SOURCES[k]}/$PLAN/$job/$newest/" "$BP_PARTIAL/" >"$BP_TMP/rsync.stats"; then
              bp_rsync_hint 0
              return 1
            fi
            bp_log "job $job: rsync received $(sed -n 's/^Literal data: *//p' "$BP_TMP/rsync.stats" | tr -d ',') bytes of file data"
            if [[ ! -f $BP_PARTIAL/$BP_RECORD_FILE ]]; then BP_REMOTE_ERROR="the pulled snapshot has no SNAPSHOT.json"; return 1; fi
            if ! bp_pull_verify "$dir" ".$newest$BP_PARTIAL_SUFFIX" "${JOB_VERIFY[k]}"; then
              BP_REMOTE_ERROR="verification (${JOB_VERIFY[k]}) failed: $BP_REMOTE_ERROR"
              return 1
            fi
            sync -f -- "$BP_PARTIAL" || return 1
            mv -T -- "$BP_PARTIAL" "$dir/$newest" || return 1
            BP_PARTIAL=''
            sync -- "$dir" || true
            bp_log "job $job: published $dir/$newest (verified: ${JOB_VERIFY[k]})"
          fi
          bp_pull_retention "$k" "$dir" "$newest"
        }

        # bp_pull_exit: the EXIT trap: removes an unfinished .ID.partial, appends the run to runs.jsonl.
        # shellcheck disable=SC2317 # called by the EXIT trap
        bp_pull_exit() {
          local rc=$? status
          set +e
          if [[ -n $BP_PARTIAL && -d $BP_PARTIAL ]]; then rm -rf -- "$BP_PARTIAL"; fi
          if [[ -n $BP_TMP ]]; then rm -rf -- "$BP_TMP"; fi
          if ((rc != BP_EXIT_OK && rc != BP_EXIT_PARTIAL)); then rc=$BP_EXIT_FAILED; fi
          case $rc in "$BP_EXIT_OK") status=ok ;; "$BP_EXIT_PARTIAL") status=partial ;; *) status=failed ;; esac
          if ((BP_RECORD)); then
            printf '{"executor":"pull","exit":%d,"finished":"%s","jobs":[%s],"plan":%s,"started":"%s","status":"%s","target":%s}\n' \
              "$rc" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$BP_JOBS_JSON" "$(bp_json_string "$PLAN")" "$BP_STARTED" "$status" \
              "$(bp_json_string "$TARGET")" >>"$BP_STATE/$BP_RUNS_LOG"
          fi
          bp_log "pull: $status (exit $rc)"
          exit "$rc"
        }

        bp_pull_usage() {
          printf 'Usage: %s [--delay SECONDS]\n' "${0##*/}"
          printf 'Run on the NAS: pulls the newest snapshot of each job of plan %s from the server into %s.\n' "$PLAN" "$NAS_PATH"
          printf 'Exit status: 0 every job pulled or up to date, 1 none, 3 some jobs failed.\n'
        }

        main() {
          local delay=0 k tool ok=0 failed=0 entry
          BP_LOG_TAG="backplan pull [$PLAN/$TARGET]"
          while (($# > 0)); do
            case $1 in
              --delay)
                if (($# < 2)) || [[ ! $2 =~ ^[0-9]{1,9}$ ]]; then bp_pull_usage >&2; exit "$BP_EXIT_USAGE"; fi
                delay=$((10#$2))
                shift ;;
              -h | --help) bp_pull_usage; exit 0 ;;
              *) bp_log "unknown argument: $1"; bp_pull_usage >&2; exit "$BP_EXIT_USAGE" ;;
            esac
            shift
          done
          for tool in ssh rsync flock sha256sum find awk sort grep sed; do
            command -v "$tool" >/dev/null 2>&1 || bp_die "preflight: $tool is not installed"
          done
          if [[ ! -d $NAS_PATH || ! -w $NAS_PATH ]]; then
            bp_die "preflight: $NAS_PATH is not a writable folder (is the volume mounted?)"
          fi
          if ((delay > 0)); then
            bp_log "waiting ${delay}s for the server's run to finish"
            sleep "$delay"
          fi
          BP_STATE=$NAS_PATH/$PLAN/.pull-$TARGET
          mkdir -p -- "$BP_STATE"
          exec 9>>"$BP_STATE/$BP_LOCK_FILE"
          if ! flock -n 9; then
            bp_log "waiting for $BP_STATE/$BP_LOCK_FILE (another pull is running)"
            flock 9
          fi
          BP_STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
          BP_RECORD=1
          trap bp_pull_exit EXIT
          trap 'bp_log "received SIGINT"; exit 1' INT
          trap 'bp_log "received SIGTERM"; exit 1' TERM
          trap 'bp_log "received SIGHUP"; exit 1' HUP
          BP_TMP=$(mktemp -d "$BP_STATE/.tmp.XXXXXX")
          for k in "${!JOB_NAMES[@]}"; do
            BP_REMOTE_ERROR=''
            if bp_pull_job "$k"; then
              ok=$((ok + 1))
              entry="{\"id\":\"$BP_PULLED_ID\",\"job\":$(bp_json_string "${JOB_NAMES[k]}"),\"status\":\"ok\"}"
            else
              failed=$((failed + 1))
              if [[ -n $BP_PARTIAL && -d $BP_PARTIAL ]]; then rm -rf -- "$BP_PARTIAL"; fi
              BP_PARTIAL=''
              bp_log "job ${JOB_NAMES[k]}: failed: ${BP_REMOTE_ERROR:-?}"
              entry="{\"error\":$(bp_json_string "${BP_REMOTE_ERROR:-failed}"),\"id\":\"$BP_PULLED_ID\",\"job\":$(bp_json_string "${JOB_NAMES[k]}"),\"status\":\"failed\"}"
            fi
            BP_JOBS_JSON+="${BP_JOBS_JSON:+,}$entry"
          done
          if ((ok == 0)); then exit "$BP_EXIT_FAILED"; fi
          if ((failed > 0)); then exit "$BP_EXIT_PARTIAL"; fi
          exit "$BP_EXIT_OK"
        }
        """#
}
