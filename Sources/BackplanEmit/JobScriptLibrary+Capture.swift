extension JobScriptLibrary {
    /// The capture of each source kind, run in the background under the max_downtime watchdog (step 4).
    static let capture = #"""
        # ---- Step 4: capture ----

        # bp_capture_sqlite SOURCE DEST: a consistent copy of a live SQLite database by the online backup API
        # (it reads through the WAL; the source is opened read-only, so it is never checkpointed), then
        # `PRAGMA integrity_check` on the copy. The copy is made under a fixed name in DEST's folder, so no
        # path is ever spelled inside sqlite3's dot-command syntax, and renamed to DEST once it checks out.
        bp_capture_sqlite() {
          local src dest=$2 destdir tmp=.backplan-capture.tmp result
          src=$(bp_abs "$1")
          destdir=$(dirname -- "$dest")
          mkdir -p -- "$destdir" || return 1
          if ! (cd -- "$destdir" && rm -f -- "$tmp" && sqlite3 -readonly "$src" ".timeout 10000" ".backup '$tmp'") >&2; then
            bp_error "capture: online backup of $1 failed"
            return 1
          fi
          result=$(cd -- "$destdir" && sqlite3 "$tmp" 'PRAGMA integrity_check' 2>&1) || result="sqlite3 failed: $result"
          if [[ $result != ok ]]; then
            bp_error "capture: integrity check of the copy of $1 failed: ${result:0:200}"
            return 1
          fi
          mv -f -- "$destdir/$tmp" "$dest"
        }

        # bp_capture_files INDEX DIR: copies source INDEX into DIR/data with rsync, hard-linking every file whose
        # size, mtime and mode are unchanged since the previous snapshot (BP_PREVIOUS), honouring its excludes.
        # Symbolic links are skipped (rsync says so): a snapshot holds only folders and the regular files
        # its manifest lists.
        bp_capture_files() {
          local i=$1 dir=$2 rel=${SOURCE_PATHS[$1]} src=${SOURCE_ABSOLUTE[$1]} k parent rc=0
          local -a opts=(-a --no-links)
          for k in "${!EXCLUDE_SOURCE[@]}"; do
            if [[ ${EXCLUDE_SOURCE[k]} == "$i" ]]; then opts+=("--exclude=${EXCLUDE_PATTERNS[k]}"); fi
          done
          if [[ ${SOURCE_KINDS[i]} == chroma ]]; then
            # chroma.sqlite3 was captured by online backup; it and its journals are never copied as files.
            opts+=(--exclude=/chroma.sqlite3 --exclude=/chroma.sqlite3-journal --exclude=/chroma.sqlite3-wal --exclude=/chroma.sqlite3-shm)
          fi
          if [[ -d $src ]]; then
            if [[ -n $BP_PREVIOUS && -d $BP_PREVIOUS/$BP_DATA_DIR/$rel ]]; then opts+=("--link-dest=$BP_PREVIOUS/$BP_DATA_DIR/$rel"); fi
            mkdir -p -- "$dir/$BP_DATA_DIR/$rel" || return 1
            rsync "${opts[@]}" -- "$src/" "$dir/$BP_DATA_DIR/$rel/" >&2 || rc=$?
          else
            # A single file: rsync it into its folder, linking against the same folder of the previous snapshot.
            parent=''
            if [[ $rel == */* ]]; then parent=/${rel%/*}; fi
            if [[ -n $BP_PREVIOUS && -d $BP_PREVIOUS/$BP_DATA_DIR$parent ]]; then opts+=("--link-dest=$BP_PREVIOUS/$BP_DATA_DIR$parent"); fi
            mkdir -p -- "$dir/$BP_DATA_DIR$parent" || return 1
            rsync "${opts[@]}" -- "$src" "$dir/$BP_DATA_DIR$parent/" >&2 || rc=$?
          fi
          if ((rc == 24)); then
            bp_log "capture: warning: some files of $src vanished while they were copied"
            rc=0
          fi
          if ((rc != 0)); then bp_error "capture: copying $src failed (rsync status $rc)"; fi
          return "$rc"
        }

        # bp_capture_keys DIR: the job's key sources into DIR/keys/NAME (mode 0600, at most BP_KEY_LIMIT bytes),
        # before the stop: a key in a container is read with `COMPOSE exec -T SERVICE cat PATH`, which needs the
        # container running. A file on the host is read only when it is a regular file (never a fifo). The key
        # is never logged: the log names the source, where it came from and its size.
        bp_capture_keys() {
          local dir=$1 i dest from size rc
          for i in "${!SOURCE_NAMES[@]}"; do
            [[ ${SOURCE_KINDS[i]} == key ]] || continue
            mkdir -p -- "$dir/$BP_KEYS_DIR" || return 1
            dest=$dir/$BP_KEYS_DIR/${SOURCE_NAMES[i]}
            rc=0
            if [[ -n ${SOURCE_SERVICES[i]} ]]; then
              from="${SOURCE_ABSOLUTE[i]} in the container of service ${SOURCE_SERVICES[i]}"
              bp_compose_output exec -T "${SOURCE_SERVICES[i]}" cat "${SOURCE_ABSOLUTE[i]}" \
                | head -c "$((BP_KEY_LIMIT + 1))" >"$dest" || rc=${PIPESTATUS[0]}
            else
              from=${SOURCE_ABSOLUTE[i]}
              if [[ ! -f $from ]]; then
                bp_error "capture: key ${SOURCE_NAMES[i]}: $from: it is not a regular file"
                return 1
              fi
              head -c "$((BP_KEY_LIMIT + 1))" -- "$from" >"$dest" || rc=$?
            fi
            size=$(stat -c %s -- "$dest")
            if ((size > BP_KEY_LIMIT)); then
              bp_error "capture: key ${SOURCE_NAMES[i]}: $from is larger than $BP_KEY_LIMIT bytes"
              return 1
            elif ((rc != 0)); then
              bp_error "capture: key ${SOURCE_NAMES[i]}: reading $from failed (status $rc)${SOURCE_SERVICES[i]:+; is the service running?}"
              return 1
            elif ((size == 0)); then
              bp_error "capture: key ${SOURCE_NAMES[i]}: $from is empty"
              return 1
            fi
            chmod 600 -- "$dest"
            bp_log "capture: key ${SOURCE_NAMES[i]} from $from ($size bytes, mode 0600)"
          done
        }

        # bp_capture DIR: captures every source of the job into DIR/data. Runs in the background (see
        # bp_run_capture); only its exit status reaches the main script.
        bp_capture() {
          local dir=$1 i
          trap - EXIT INT TERM HUP USR1
          for i in "${!SOURCE_NAMES[@]}"; do
            [[ ${SOURCE_KINDS[i]} != key ]] || continue # captured before the stop (bp_capture_keys)
            bp_log "capture: source ${SOURCE_NAMES[i]} (${SOURCE_KINDS[i]}) ${SOURCE_ABSOLUTE[i]}"
            case ${SOURCE_KINDS[i]} in
              sqlite) bp_capture_sqlite "${SOURCE_ABSOLUTE[i]}" "$dir/$BP_DATA_DIR/${SOURCE_PATHS[i]}" || return 1 ;;
              chroma)
                bp_capture_sqlite "${SOURCE_ABSOLUTE[i]}/chroma.sqlite3" "$dir/$BP_DATA_DIR/${SOURCE_PATHS[i]}/chroma.sqlite3" || return 1
                bp_capture_files "$i" "$dir" || return 1 ;;
              files) bp_capture_files "$i" "$dir" || return 1 ;;
            esac
          done
        }

        # bp_kill_group PID: SIGTERM to the process group PID leads (a background job started under `set -m`).
        bp_kill_group() {
          if [[ -n $1 ]]; then kill -TERM -- "-$1" 2>/dev/null || true; fi
        }

        # bp_on_watchdog: the USR1 trap: max_downtime is over while the capture runs. Kills the capture;
        # bp_run_capture then fails the run (after the app is resumed).
        # shellcheck disable=SC2317 # called by the USR1 trap
        bp_on_watchdog() {
          BP_TIMED_OUT=1
          bp_error "quiesce: max_downtime of ${MAX_DOWNTIME}s exceeded; stopping the capture"
          bp_kill_group "$BP_CAPTURE_PID"
        }

        # bp_stop_watchdog: ends the watchdog (and its sleep) if it runs.
        bp_stop_watchdog() {
          if [[ -n $BP_WATCHDOG_PID ]]; then
            bp_kill_group "$BP_WATCHDOG_PID"
            wait "$BP_WATCHDOG_PID" 2>/dev/null || true
            BP_WATCHDOG_PID=''
          fi
        }

        # bp_run_capture DIR: runs bp_capture in the background and waits for it. With max_downtime (and a
        # quiesce) a watchdog sends this script USR1 when the downtime budget, counted from the stop, is spent.
        # Both get their own process group (set -m), so one kill reaches sqlite3 or rsync too. A signal, not a
        # flag file, so that the script reacts at once: `wait` returns as soon as the trap has run.
        # Returns 0 when the capture succeeded in time.
        bp_run_capture() {
          local dir=$1 rc budget_ms capture_pid flag="$STATE_DIR/watchdog-fired" errfile="$STATE_DIR/capture-error"
          rm -f -- "$flag" "$errfile"
          set -m
          # The capture's first error is set in the background subshell; it comes back through errfile so
          # runs.jsonl records it rather than only the capture's exit status.
          { bp_capture "$dir" || { printf '%s' "$BP_ERROR" >"$errfile"; exit 1; }; } &
          BP_CAPTURE_PID=$!
          capture_pid=$BP_CAPTURE_PID
          if ((MAX_DOWNTIME > 0)) && [[ $QUIESCE_METHOD != none ]]; then
            bp_now_ms
            budget_ms=$((MAX_DOWNTIME * 1000 - (BP_NOW_MS - BP_STOP_MS)))
            if ((budget_ms < 1)); then budget_ms=1; fi
            (
              trap - EXIT INT TERM HUP USR1
              sleep "$((budget_ms / 1000)).$(printf '%03d' $((budget_ms % 1000)))"
              : >"$flag" # says why the capture ended, also when the signal below is blocked
              kill -USR1 "$$"
              # Normally the script's USR1 trap has ended the capture (and this watchdog) by now. Should the
              # signal be blocked (a parent that blocks signals passes that on), kill the capture outright:
              # its non-zero status fails the run all the same.
              sleep 2
              kill -KILL -- "-$capture_pid" 2>/dev/null
            ) </dev/null >/dev/null 2>&1 &
            BP_WATCHDOG_PID=$!
          fi
          set +m
          # `wait` returns early when a trapped signal (the watchdog's USR1) arrives: wait again until the
          # capture has really ended (kill -0 still sees it until it is reaped).
          while :; do
            rc=0
            wait "$BP_CAPTURE_PID" || rc=$?
            if ! kill -0 "$BP_CAPTURE_PID" 2>/dev/null; then break; fi
          done
          BP_CAPTURE_PID=''
          bp_stop_watchdog
          if [[ -e $flag ]] && ((!BP_TIMED_OUT)); then
            BP_TIMED_OUT=1
            bp_error "quiesce: max_downtime of ${MAX_DOWNTIME}s exceeded; the capture was stopped"
          fi
          rm -f -- "$flag"
          if [[ -z $BP_ERROR && -s $errfile ]] && ((!BP_TIMED_OUT)); then BP_ERROR=$(<"$errfile"); fi
          rm -f -- "$errfile"
          if ((BP_TIMED_OUT)); then return 1; fi
          if ((rc != 0)); then
            bp_error "capture failed (status $rc)"
            return 1
          fi
          bp_log "capture: done"
        }
        """#
}
