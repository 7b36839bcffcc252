extension JobScriptLibrary {
    /// Run state, logging, JSON strings, snapshot listing, the lock, leftovers, IDs and the preflight (steps 1-2).
    static let common = #"""
        # ---- Run state: set by main and the steps below; never holds plan text except in copies of the above ----
        BP_DRY_RUN=0            # --dry-run: print the steps, change nothing
        BP_RESUME_ONLY=0        # --resume: resume a journaled quiesce and exit
        BP_JITTER=0             # --jitter SECONDS
        BP_LABEL=''             # --label NAME (BP_LABEL_RE): SNAPSHOT.json, runs.jsonl, restic's label= tag
        BP_LOCK_FD=''           # descriptor holding the flock on $STATE_DIR/lock
        BP_TMP=''               # private temp folder of this run (under $STATE_DIR)
        BP_ID=''                # snapshot ID of this run (UTC start time)
        BP_STARTED=''           # ISO 8601 of BP_ID
        BP_CAPTURE_DIR=''       # folder being captured into; removed by the EXIT trap unless published
        BP_CAPTURE_TARGET=-1    # index of the local target captured into; -1: $STATE_DIR/staging
        BP_SNAPSHOT=''          # the complete snapshot further targets copy from
        BP_PREVIOUS=''          # previous complete snapshot on the capture target ('' if none)
        BP_CAPTURE_PID=''       # background capture (its own process group)
        BP_WATCHDOG_PID=''      # background max_downtime watchdog (its own process group)
        BP_TIMED_OUT=0          # set by the watchdog's signal
        BP_STOP_MS=0            # when the quiesce stop began (ms since the epoch)
        BP_DOWNTIME_MS=0
        BP_RECORD=0             # 1 once the lock is held: the EXIT trap appends the run to runs.jsonl
        BP_RECORD_LINE=''       # this run's runs.jsonl line (the webhook's body)
        BP_FILES=0
        BP_BYTES=0
        BP_HASHED=0             # manifest lines computed by this run
        BP_CARRIED=0            # manifest lines carried over from the previous snapshot
        BP_SOURCES_JSON='[]'
        BP_APP_JSON='{}'
        BP_TARGET_STATUS=()     # per target index: ok | failed
        BP_TARGET_ERROR=()
        BP_TARGET_SNAPSHOT=()   # per target index: the published snapshot folder
        BP_PARTIALS=()          # .ID.partial folders of further targets, removed by the EXIT trap
        BP_REMOTE_ERROR=''      # why the last remote target operation failed (set by bp_remote and bp_<type>_*)

        # ---- Errors ----

        # bp_on_err LINE STATUS: the ERR trap, naming the line of a command that failed unexpectedly.
        # shellcheck disable=SC2317 # called by the ERR trap
        bp_on_err() {
          bp_log "error: a command failed (status $2) at line $1 of this script"
        }

        # ---- Small helpers ----

        # bp_now_ms: milliseconds since the epoch, into BP_NOW_MS (bash 5's EPOCHREALTIME; no subprocess).
        bp_now_ms() {
          local t=${EPOCHREALTIME/./}
          BP_NOW_MS=$((10#$t / 1000))
        }

        # bp_iso ID: 20261127T031500Z -> 2026-11-27T03:15:00Z
        bp_iso() {
          local i=$1
          printf '%s-%s-%sT%s:%s:%sZ' "${i:0:4}" "${i:4:2}" "${i:6:2}" "${i:9:2}" "${i:11:2}" "${i:13:2}"
        }

        # bp_abs PATH: PATH made absolute, so that it can never read as an option (sqlite3 knows no `--`).
        bp_abs() {
          if [[ $1 == /* ]]; then printf '%s' "$1"; else printf '%s/%s' "$PWD" "$1"; fi
        }

        # bp_job_dir INDEX: the folder of this plan and job on local target INDEX.
        bp_job_dir() {
          printf '%s/%s/%s' "${TARGET_PATHS[$1]}" "$PLAN" "$JOB"
        }

        # bp_previous DIR: the newest complete snapshot folder in DIR other than this run's, or nothing.
        bp_previous() {
          local id last=''
          while IFS= read -r id; do
            if [[ $id != "$BP_ID" ]]; then last=$id; fi
          done < <(bp_list_ids "$1")
          if [[ -n $last ]]; then printf '%s/%s' "$1" "$last"; fi
        }

        # bp_is_sqlite FILE: FILE starts with the SQLite header.
        bp_is_sqlite() {
          local head
          [[ -f $1 && -r $1 ]] || return 1
          head=$(head -c 15 -- "$1" | tr -d '\000') || return 1
          [[ $head == 'SQLite format 3' ]]
        }

        # ---- Step 1: the lock ----

        # bp_lock: creates the state dir (0700) and takes the plan's lock, waiting (and saying so) if held.
        # The descriptor is closed for the commands that may outlive the run (quiesce commands).
        bp_lock() {
          mkdir -p -- "$STATE_DIR"
          chmod 0700 -- "$STATE_DIR"
          exec {BP_LOCK_FD}>>"$STATE_DIR/$BP_LOCK_FILE"
          if ! flock -n "$BP_LOCK_FD"; then
            bp_log "another run of plan $PLAN holds $STATE_DIR/$BP_LOCK_FILE; waiting for it"
            flock "$BP_LOCK_FD"
          fi
        }

        # bp_clean_leftovers: removes what a killed run left: `.ID.partial` and `.ID.deleting` folders of this
        # plan and job on local targets, the staging folder and old temp folders.
        bp_clean_leftovers() {
          local i p
          for i in "${!TARGET_NAMES[@]}"; do
            [[ ${TARGET_TYPES[i]} == local ]] || continue
            bp_sweep "$(bp_job_dir "$i")" "target ${TARGET_NAMES[i]}"
          done
          if [[ -d $STATE_DIR/$BP_STAGING_DIR ]]; then rm -rf -- "${STATE_DIR:?}/$BP_STAGING_DIR"; fi
          for p in "$STATE_DIR"/.tmp.*; do
            if [[ -d $p && $p != "$BP_TMP" ]]; then rm -rf -- "$p"; fi
          done
        }

        # bp_new_id: the snapshot ID, the UTC start time; waits for the next second while a snapshot (or a
        # partial one) of that ID exists on a local target, so IDs stay unique.
        bp_new_id() {
          local id i dir taken
          while :; do
            id=$(date -u "+$BP_ID_DATE_FORMAT")
            taken=0
            for i in "${!TARGET_NAMES[@]}"; do
              [[ ${TARGET_TYPES[i]} == local ]] || continue
              dir=$(bp_job_dir "$i")
              if [[ -e $dir/$id || -e $dir/.$id$BP_PARTIAL_SUFFIX ]]; then taken=1; fi
            done
            if ((taken == 0)); then break; fi
            sleep 0.2
          done
          BP_ID=$id
          BP_STARTED=$(bp_iso "$id")
        }

        # ---- Step 2: preflight (changes nothing) ----

        # bp_preflight_remotes: each remote target's own check (bp_<type>_preflight); one that fails counts as
        # failed at once and is skipped. Returns 1 only when no target is left.
        bp_preflight_remotes() {
          local i left=0
          for i in "${!TARGET_NAMES[@]}"; do
            if [[ ${TARGET_TYPES[i]} != local && -z ${TARGET_PULLED[i]:-} ]]; then
              BP_REMOTE_ERROR=''
              if ! "bp_${TARGET_TYPES[i]}_preflight" "$i"; then
                bp_target_failed "$i" "preflight: ${BP_REMOTE_ERROR:-failed}"
                continue
              fi
            fi
            left=$((left + 1))
          done
          if ((left == 0 && ${#TARGET_NAMES[@]} > 0)); then
            bp_error "preflight: no target can be reached"
            return 1
          fi
        }

        # bp_preflight: the data dir, each source with its kind, each local target's folder or its parent, and
        # the tools; every problem is logged; returns 1 if there was any.
        bp_preflight() {
          local i src ok=0 dir parent tool
          local -a tools=(sqlite3 rsync flock sha256sum find awk sort xargs)
          if [[ ! -d $DATA_DIR ]]; then bp_error "preflight: data dir $DATA_DIR is not a folder"; ok=1; fi
          for i in "${!SOURCE_NAMES[@]}"; do
            src=${SOURCE_ABSOLUTE[i]}
            case ${SOURCE_KINDS[i]} in
              sqlite)
                if ! bp_is_sqlite "$src"; then bp_error "preflight: source ${SOURCE_NAMES[i]}: $src is not a readable SQLite file"; ok=1; fi ;;
              chroma)
                if ! bp_is_sqlite "$src/chroma.sqlite3"; then bp_error "preflight: source ${SOURCE_NAMES[i]}: $src holds no readable chroma.sqlite3"; ok=1; fi ;;
              files)
                if [[ ! -e $src ]]; then bp_error "preflight: source ${SOURCE_NAMES[i]}: $src does not exist"; ok=1; fi ;;
              key)
                if [[ -n ${SOURCE_SERVICES[i]} ]]; then
                  tools+=("${COMPOSE_CMD[0]}")
                elif [[ ! -e $src ]]; then
                  bp_error "preflight: key ${SOURCE_NAMES[i]}: $src: no such file"; ok=1
                elif [[ ! -f $src ]]; then
                  bp_error "preflight: key ${SOURCE_NAMES[i]}: $src: it is not a regular file"; ok=1
                elif [[ ! -r $src ]]; then
                  bp_error "preflight: key ${SOURCE_NAMES[i]}: $src: cannot read it (permission denied)"; ok=1
                fi ;;
              *)
                bp_error "preflight: source ${SOURCE_NAMES[i]}: kind ${SOURCE_KINDS[i]} is not supported by this script version"; ok=1 ;;
            esac
          done
          for i in "${!TARGET_NAMES[@]}"; do
            [[ ${TARGET_TYPES[i]} == local ]] || continue
            dir=${TARGET_PATHS[i]}
            if [[ -e $dir ]]; then
              if [[ ! -d $dir || ! -w $dir ]]; then bp_error "preflight: target ${TARGET_NAMES[i]}: $dir is not a writable folder"; ok=1; fi
            else
              parent=$(dirname -- "$dir")
              if [[ ! -d $parent || ! -w $parent ]]; then bp_error "preflight: target ${TARGET_NAMES[i]}: neither $dir nor its parent folder exists writable"; ok=1; fi
            fi
          done
          bp_preflight_remotes || ok=1
          case $QUIESCE_METHOD in
            compose) tools+=("${COMPOSE_CMD[0]}") ;;
            units) tools+=(systemctl) ;;
          esac
          for tool in "${tools[@]}"; do
            if ! command -v -- "$tool" >/dev/null; then bp_error "preflight: command $tool not found"; ok=1; fi
          done
          if [[ -n $NOTIFY_URL_FILE$NOTIFY_URL_ENV ]] && ! command -v curl >/dev/null; then
            bp_log "preflight: warning: curl not found; the webhook notification will fail (the backup is not affected)"
          fi
          if ((ok == 0)); then bp_log "preflight: ok (${#SOURCE_NAMES[@]} sources, ${#TARGET_NAMES[@]} targets)"; fi
          return "$ok"
        }
        """#
}
