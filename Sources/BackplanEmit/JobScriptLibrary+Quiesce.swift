extension JobScriptLibrary {
    /// The quiesce journal, stopping the app and resuming it (steps 3 and 5).
    static let quiesce = #"""
        # ---- Step 3 and 5: quiesce (stop the app, start it again) ----
        #
        # The journal $STATE_DIR/quiesce is written (and synced) before anything is stopped and removed only
        # after the app was started again, so a killed run is resumed by the next run or by `JOB.sh --resume`.
        # One line per entry, "KEY VALUE" (plan values hold no line breaks):
        #   format 1 | plan P | job J | method compose|containers|units|commands
        #   name N   (compose services / containers / systemd units, in stop order)
        #   start C  (commands: the start commands, in order)

        # bp_compose VERB SERVICE...: the plan's compose command on the plan's compose file and project.
        # No `--` before the services: docker-compose 1.29 refuses it for `start`; the plan decoder only
        # accepts compose service names ([A-Za-z0-9][A-Za-z0-9_.-]*), which never look like options.
        bp_compose() {
          bp_compose_output "$@" >&2
        }

        # bp_compose_output ARG...: the same, its standard output kept (a key read with `exec -T … cat`).
        bp_compose_output() {
          local -a cmd=("${COMPOSE_CMD[@]}" -f "$COMPOSE_FILE")
          if [[ -n $COMPOSE_PROJECT ]]; then cmd+=(-p "$COMPOSE_PROJECT"); fi
          "${cmd[@]}" "$@" </dev/null
        }

        # bp_engine VERB NAME...: the plan's container engine (docker or podman) on containers by name. No `--`:
        # the plan decoder only accepts container names ([A-Za-z0-9][A-Za-z0-9_.-]*), never options.
        bp_engine() {
          "${CONTAINER_CMD[@]}" "$@" </dev/null >&2
        }

        # bp_run_command WHAT CMD: runs one plan-provided quiesce command with `bash -c` (their documented
        # meaning: a shell command line). Output goes to the log; the lock descriptor is closed so an app it
        # starts in the background does not hold the plan's lock.
        bp_run_command() {
          bp_log "quiesce: $1"
          bash -c "$2" </dev/null >&2 {BP_LOCK_FD}>&-
        }

        # bp_write_journal: the quiesce journal, synced to disk before the stop.
        bp_write_journal() {
          local journal=$STATE_DIR/$BP_QUIESCE_JOURNAL value
          {
            printf 'format 1\nplan %s\njob %s\nmethod %s\n' "$PLAN" "$JOB" "$QUIESCE_METHOD"
            for value in "${QUIESCE_NAMES[@]}"; do printf 'name %s\n' "$value"; done
            for value in "${QUIESCE_START_COMMANDS[@]}"; do printf 'start %s\n' "$value"; done
          } >"$journal.new"
          sync -- "$journal.new"
          mv -f -- "$journal.new" "$journal"
          sync -- "$STATE_DIR"
        }

        # bp_quiesce_stop: journals, then stops the app. Returns 1 if a stop failed (the caller resumes).
        bp_quiesce_stop() {
          local k
          [[ $QUIESCE_METHOD != none ]] || return 0
          bp_write_journal
          bp_now_ms
          BP_STOP_MS=$BP_NOW_MS
          case $QUIESCE_METHOD in
            compose)
              bp_log "quiesce: stopping compose services: ${QUIESCE_NAMES[*]}"
              bp_compose stop "${QUIESCE_NAMES[@]}" || return 1 ;;
            containers)
              bp_log "quiesce: stopping containers: ${QUIESCE_NAMES[*]}"
              bp_engine stop "${QUIESCE_NAMES[@]}" || return 1 ;;
            units)
              bp_log "quiesce: stopping systemd units: ${QUIESCE_NAMES[*]}"
              systemctl stop -- "${QUIESCE_NAMES[@]}" </dev/null >&2 || return 1 ;;
            commands)
              for k in "${!QUIESCE_STOP_COMMANDS[@]}"; do
                bp_run_command "stop command $((k + 1)) of ${#QUIESCE_STOP_COMMANDS[@]}" "${QUIESCE_STOP_COMMANDS[k]}" || return 1
              done ;;
          esac
          bp_log "quiesce: app stopped"
        }

        # bp_resume: if the journal exists, starts the app as the journal says (reverse order for services,
        # containers and units; commands in order), then removes the journal. Runs at most once per journal. On failure the
        # journal stays, so the next run or `--resume` tries again, and the run fails.
        bp_resume() {
          local journal=$STATE_DIR/$BP_QUIESCE_JOURNAL line key value method='' failed=0 k
          local -a names=() starts=() reversed=()
          [[ -f $journal ]] || return 0
          while IFS= read -r line || [[ -n $line ]]; do
            key=${line%% *}
            value=${line#* }
            case $key in
              method) method=$value ;;
              name) names+=("$value") ;;
              start) starts+=("$value") ;;
            esac
          done <"$journal"
          for ((k = ${#names[@]} - 1; k >= 0; k--)); do reversed+=("${names[k]}"); done
          case $method in
            compose)
              bp_log "quiesce: starting compose services: ${reversed[*]}"
              bp_compose start "${reversed[@]}" || failed=1 ;;
            containers)
              if ((${#CONTAINER_CMD[@]} == 0)); then
                bp_error "quiesce: the journal says containers, but plan $PLAN names no container"
                failed=1
              else
                bp_log "quiesce: starting containers: ${reversed[*]}"
                bp_engine start "${reversed[@]}" || failed=1
              fi ;;
            units)
              bp_log "quiesce: starting systemd units: ${reversed[*]}"
              systemctl start -- "${reversed[@]}" </dev/null >&2 || failed=1 ;;
            commands)
              for k in "${!starts[@]}"; do
                bp_run_command "start command $((k + 1)) of ${#starts[@]}" "${starts[k]}" || failed=1
              done ;;
            *)
              bp_error "quiesce: $journal names no known method"
              failed=1 ;;
          esac
          if ((failed)); then
            bp_error "quiesce: starting the app failed; $journal is kept so that the next run or --resume tries again"
            return 1
          fi
          rm -f -- "$journal"
          sync -- "$STATE_DIR"
          if ((BP_STOP_MS > 0)); then
            bp_now_ms
            BP_DOWNTIME_MS=$((BP_NOW_MS - BP_STOP_MS))
            BP_STOP_MS=0
          fi
          bp_log "quiesce: app started again (downtime ${BP_DOWNTIME_MS} ms)"
        }
        """#
}
