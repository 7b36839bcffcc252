// The bash below is emitted verbatim into every restore.sh; plan values never appear in it.
/// restore.sh: `restore` into a new folder or `--in-place` (stop, move aside, restore, verify, start; rollback trap).
extension RestoreScriptLibrary {
    static let restore = #"""

# --- Restoring --------------------------------------------------------------------------------------
# A restore copies the snapshot into a staging folder beside the destination, verifies the copy
# there, then renames it into place: the destination never holds a half-restored tree. The copy is
# `cp -a` (no hard links into the snapshot), so the app writing to restored files never changes a
# backup.

STAGING=""          # staging folder of a restore in progress, removed on exit
INPLACE_ASIDE=""    # where --in-place moved the live data dir
APP_STOPPED=0       # --in-place stopped the app (so it must start it again)
APP_START_TRIED=0   # the app was started again (once, whatever happened)
MOVED=0             # the live data dir is at INPLACE_ASIDE
SWITCHED=0          # the restored data is at the data dir path
DATA_DIR_PATH=""   # the data dir, absolute (--in-place)
ALLOW_DOWNGRADE=0   # --allow-downgrade: restore even into an older app (bp_app_restore_check)

# An absolute path without trailing slashes ('/' itself is refused).
bp_absolute() {
  local p=$1
  [[ -n "$p" ]] || bp_die "the destination is an empty path; give the folder to restore into; nothing was changed"
  if [[ "$p" != /* ]]; then p=$PWD/$p; fi
  while [[ "$p" == */ && "$p" != / ]]; do p=${p%/}; done
  [[ "$p" != / ]] || bp_die "refusing to restore into /"
  printf '%s\n' "$p"
}

# Removes the -wal and -shm files beside each SQLite file under $1: a snapshot's database is a
# complete backup copy, and a stale WAL beside it would be replayed into it on the next open.
bp_remove_stale_sidecars() {
  local f side
  while IFS= read -r -d '' f; do
    bp_is_sqlite "$f" || continue
    for side in "$f-wal" "$f-shm"; do
      if [[ -e "$side" ]]; then
        bp_log "removing stale $side"
        rm -f -- "$side"
      fi
    done
  done < <(find "$1" -type f ! -name '*-wal' ! -name '*-shm' -print0)
}

# Copies snapshot folder $1 into a new staging folder beside destination $2 and verifies the copy.
# Leaves the verified data dir at "$STAGING/data".
bp_stage_snapshot() {
  local parent=${2%/*}
  mkdir -p -- "${parent:-/}"
  STAGING=$(mktemp -d "${parent}/.${2##*/}.restore-XXXXXX")
  bp_log "copying snapshot $SNAP_JOB/$SNAP_ID into $STAGING"
  cp -a -- "$1/$BP_DATA_DIR" "$1/$BP_MANIFEST_FILE" "$STAGING/"
  bp_log "verifying the copy"
  bp_verify_folder "$STAGING" >&2 || bp_die "the copy of snapshot $SNAP_JOB/$SNAP_ID failed verification; nothing was restored"
  bp_remove_stale_sidecars "$STAGING/$BP_DATA_DIR"
}

# Renames the verified staging copy to $1 and drops the staging folder.
bp_switch_into_place() {
  mv -T -- "$STAGING/$BP_DATA_DIR" "$1"
  rm -rf -- "$STAGING"
  STAGING=""
}

# restore TARGET [JOB] [ID|latest] DIR
bp_restore_to_dir() {
  local idx=$1 dest
  dest=$(bp_absolute "$2")
  if [[ -e "$dest" || -L "$dest" ]]; then
    [[ -d "$dest" && ! -L "$dest" ]] || bp_die "$dest exists and is not a folder; refusing to restore into it"
    [[ -z "$(ls -A -- "$dest")" ]] || bp_die "$dest is not empty; refusing to restore into it (nothing was changed)"
  fi
  bp_take_lock
  bp_resolve_snapshot "$idx"
  bp_app_restore_check "$SNAP_JOB/$SNAP_ID" "$SNAP_DIR" "$ALLOW_DOWNGRADE"
  bp_stage_snapshot "$SNAP_DIR" "$dest"
  # An empty destination folder is replaced; rmdir fails (and nothing is lost) if it filled up meanwhile.
  if [[ -d "$dest" ]]; then rmdir -- "$dest"; fi
  bp_switch_into_place "$dest"
  printf 'restored snapshot %s/%s of target %s into %s (verified)\n' "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$dest"
}

# The compose command for the app: COMPOSE -f FILE [-p PROJECT] ARGS...
bp_restore_compose() {
  local args=(-f "$COMPOSE_FILE")
  if [[ -n "$COMPOSE_PROJECT" ]]; then args+=(-p "$COMPOSE_PROJECT"); fi
  "${COMPOSE[@]}" "${args[@]}" "$@"
}

bp_app_stop() {
  bp_log "stopping the app (compose service $COMPOSE_SERVICE)"
  APP_STOPPED=1
  bp_restore_compose stop "$COMPOSE_SERVICE"
}

# Starts the app once; a second call does nothing.
bp_app_start() {
  if (( APP_STOPPED == 0 || APP_START_TRIED )); then return 0; fi
  APP_START_TRIED=1
  bp_log "starting the app (compose service $COMPOSE_SERVICE)"
  bp_restore_compose start "$COMPOSE_SERVICE" || { bp_log "starting the app failed: start it by hand"; return 1; }
}

# The EXIT trap: whatever failed after the live data dir was moved aside, put it back, then start
# the app if this script stopped it. The restored copy (if any) is only ever in STAGING.
bp_restore_on_exit() {
  local status=$?
  if [[ -n "$STAGING" ]]; then rm -rf -- "$STAGING"; fi
  if (( MOVED && !SWITCHED )); then
    if mv -T -- "$INPLACE_ASIDE" "$DATA_DIR_PATH"; then
      bp_log "restore failed: the original data dir is back in $DATA_DIR_PATH"
    else
      bp_log "restore failed and the original data could not be moved back: it is in $INPLACE_ASIDE"
    fi
  fi
  bp_app_start || status=1
  exit "$status"
}

# restore TARGET [JOB] [ID|latest] --in-place
bp_restore_in_place() {
  local idx=$1 app_stopped_by_hand=$2 stamp
  DATA_DIR_PATH=$(bp_absolute "$DATA_DIR")
  if (( ${#COMPOSE[@]} == 0 && !app_stopped_by_hand )); then
    bp_die "plan $PLAN has no compose file, so restore.sh cannot stop the app: stop it by hand, run again with --app-stopped, then start it"
  fi
  bp_take_lock
  bp_resolve_snapshot "$idx"
  bp_app_restore_check "$SNAP_JOB/$SNAP_ID" "$SNAP_DIR" "$ALLOW_DOWNGRADE"
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  INPLACE_ASIDE="$DATA_DIR_PATH.before-restore-$stamp"
  if [[ -e "$INPLACE_ASIDE" || -L "$INPLACE_ASIDE" ]]; then
    bp_die "$INPLACE_ASIDE already exists; refusing (nothing was changed)"
  fi
  trap bp_restore_on_exit EXIT
  if (( app_stopped_by_hand )); then bp_log "the app was stopped by hand (--app-stopped): not stopping or starting it"
  else bp_app_stop
  fi
  if [[ -e "$DATA_DIR_PATH" || -L "$DATA_DIR_PATH" ]]; then
    mv -T -- "$DATA_DIR_PATH" "$INPLACE_ASIDE"
    MOVED=1
    bp_log "moved the live data dir aside to $INPLACE_ASIDE"
  else
    bp_log "$DATA_DIR_PATH does not exist: restoring into a new data dir"
  fi
  bp_stage_snapshot "$SNAP_DIR" "$DATA_DIR_PATH"
  bp_switch_into_place "$DATA_DIR_PATH"
  SWITCHED=1
  bp_app_start
  printf 'restored snapshot %s/%s of target %s into the data dir %s (verified)\n' \
    "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$DATA_DIR_PATH"
  if (( MOVED )); then
    printf 'the previous data dir is in %s: delete it yourself once the app works\n' "$INPLACE_ASIDE"
  fi
}

bp_cmd_restore() {
  local in_place=$1 app_stopped_by_hand=$2 idx dir=""
  shift 2
  (( $# >= 1 )) || bp_usage_error "usage: restore.sh restore TARGET [JOB] [ID|latest] (DIR | --in-place)"
  idx=$(bp_target_index "$1")
  shift
  if (( !in_place )); then
    (( $# >= 1 )) || bp_usage_error "restore needs a destination DIR (or --in-place)"
    dir=${!#}
    set -- "${@:1:$#-1}"
  fi
  bp_parse_selector "$@"
  bp_require_supported "$idx"
  if (( in_place )); then
    bp_restore_in_place "$idx" "$app_stopped_by_hand"
  else
    (( !app_stopped_by_hand )) || bp_usage_error "--app-stopped goes with --in-place"
    bp_restore_to_dir "$idx" "$dir"
  fi
}
"""#
}
