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
  local -a keys=()
  # keys/ is copied whenever it exists (as a link too: the verification of the copy refuses that).
  if [[ -e "$1/$BP_KEYS_DIR" || -L "$1/$BP_KEYS_DIR" ]]; then keys=("$1/$BP_KEYS_DIR"); fi
  cp -a -- "$1/$BP_DATA_DIR" "${keys[@]}" "$1/$BP_MANIFEST_FILE" "$STAGING/"
  bp_log "verifying the copy"
  bp_verify_folder "$STAGING" >&2 || bp_die "the copy of snapshot $SNAP_JOB/$SNAP_ID failed verification; nothing was restored"
  bp_remove_stale_sidecars "$STAGING/$BP_DATA_DIR"
}

# Renames the verified staging copy's data/ to $1 (the staging folder, with keys/, stays until bp_drop_staging).
bp_switch_into_place() {
  mv -T -- "$STAGING/$BP_DATA_DIR" "$1"
}

bp_drop_staging() {
  rm -rf -- "$STAGING"
  STAGING=""
}

# --- Keys (docs/restore.md, "Keys") -------------------------------------------------------------------
# Where a key goes comes from the plan's key source of that name (KEY_NAMES, KEY_PATHS, KEY_SERVICES),
# never from the snapshot. Files under keys/ not named like a source are not restored.
KEY_FILES=()        # bp_key_names
KEY_INDEX=0         # bp_key_index
KEY_FAILED=()       # key files --in-place could not put back
KEY_UNKNOWN=()      # key files of no key source of the plan
KEY_CONTAINERS=()   # key files that go into a container (after the start)

# bp_key_names: sets KEY_FILES to the key files of the staging copy, sorted.
bp_key_names() {
  local f
  KEY_FILES=()
  [[ -d "$STAGING/$BP_KEYS_DIR" ]] || return 0
  while IFS= read -r -d '' f; do
    f=${f#./}
    if [[ $f =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]]; then KEY_FILES+=("$f"); fi
  done < <(cd -- "$STAGING/$BP_KEYS_DIR" && find . -mindepth 1 -maxdepth 1 -type f -print0 | LC_ALL=C sort -z)
}

# bp_key_index NAME: sets KEY_INDEX to key source NAME's index; returns 1 when the plan has none.
bp_key_index() {
  local k
  for k in "${!KEY_NAMES[@]}"; do
    if [[ "${KEY_NAMES[k]}" == "$1" ]]; then KEY_INDEX=$k; return 0; fi
  done
  return 1
}

# bp_key_destination NAME: where key NAME belongs, in words.
bp_key_destination() {
  if ! bp_key_index "$1"; then printf 'this plan has no key source %s' "$1"; return 0; fi
  local path=${KEY_PATHS[KEY_INDEX]} service=${KEY_SERVICES[KEY_INDEX]}
  if [[ -z "$service" || -z "$COMPOSE_WORDS" ]]; then printf 'it belongs at %s' "$path"; return 0; fi
  printf 'it belongs in the container of compose service %s at %s (%s cp FILE %s:%s, then restart %s)' \
    "$service" "$path" "$COMPOSE_WORDS" "$service" "$path" "$service"
}

# bp_keys_keep FOLDER: moves the staged keys/ to FOLDER (0700, files 0600) and says where each belongs.
bp_keys_keep() {
  local name
  bp_key_names
  (( ${#KEY_FILES[@]} > 0 )) || return 0
  mv -T -- "$STAGING/$BP_KEYS_DIR" "$1"
  chmod 700 -- "$1"
  for name in "${KEY_FILES[@]}"; do
    chmod 600 -- "$1/$name"
    printf 'key %s: written to %s (mode 0600); %s\n' "$name" "$1/$name" "$(bp_key_destination "$name")"
  done
}

# bp_keys_on_host STAMP: --in-place, before the app starts: each host key file back at its path, a
# previous different file moved aside to PATH.before-restore-STAMP (never deleted). Prints what it did;
# sets KEY_FAILED, KEY_UNKNOWN and KEY_CONTAINERS (keys of containers: bp_keys_in_containers, after the start).
bp_keys_on_host() {
  local name path existed
  KEY_FAILED=() KEY_UNKNOWN=() KEY_CONTAINERS=()
  bp_key_names
  for name in "${KEY_FILES[@]}"; do
    if ! bp_key_index "$name"; then KEY_UNKNOWN+=("$name"); continue; fi
    if [[ -n "${KEY_SERVICES[KEY_INDEX]}" ]]; then KEY_CONTAINERS+=("$name"); continue; fi
    path=${KEY_PATHS[KEY_INDEX]}
    if [[ -f "$path" ]] && cmp -s -- "$STAGING/$BP_KEYS_DIR/$name" "$path"; then
      printf 'key %s: %s already holds it\n' "$name" "$path"
      continue
    fi
    existed=0
    if [[ -e "$path" || -L "$path" ]]; then existed=1; fi
    rm -f -- "$path.backplan-new"
    if ! { cp -- "$STAGING/$BP_KEYS_DIR/$name" "$path.backplan-new" && chmod 600 -- "$path.backplan-new" &&
           { (( !existed )) || mv -T -- "$path" "$path.before-restore-$1"; }; }; then
      rm -f -- "$path.backplan-new"
      KEY_FAILED+=("$name")
      printf 'key %s: could not be written to %s\n' "$name" "$path"
      continue
    fi
    if ! mv -T -- "$path.backplan-new" "$path"; then
      if (( existed )); then mv -T -- "$path.before-restore-$1" "$path" || true; fi
      KEY_FAILED+=("$name")
      printf 'key %s: could not be written to %s\n' "$name" "$path"
      continue
    fi
    if (( existed )); then
      printf 'key %s: put back at %s (the previous file is %s)\n' "$name" "$path" "$path.before-restore-$1"
    else
      printf 'key %s: put back at %s\n' "$name" "$path"
    fi
    # compose reads an env file when it creates the container; `start` keeps the old environment.
    if [[ -n "$COMPOSE_WORDS" ]]; then
      printf "key %s: compose reads it when it creates the container: run '%s up -d %s' so that the app uses it\n" \
        "$name" "$COMPOSE_WORDS" "$COMPOSE_SERVICE"
    fi
  done
}

# bp_keys_in_containers: --in-place, after the app started: each key of a container written back into it
# (`exec -T SERVICE sh -c 'cat >…'`, the key on stdin, never on a command line), then the service restarted
# so that the app reads it. Adds to KEY_FAILED what could not be put back.
bp_keys_in_containers() {
  local name path service staged
  for name in "${KEY_CONTAINERS[@]}"; do
    bp_key_index "$name" || continue
    path=${KEY_PATHS[KEY_INDEX]}
    service=${KEY_SERVICES[KEY_INDEX]}
    staged=$STAGING/$BP_KEYS_DIR/$name
    if bp_restore_compose exec -T "$service" cat "$path" </dev/null 2>/dev/null | head -c "$((BP_KEY_LIMIT + 1))" | cmp -s -- - "$staged"; then
      printf 'key %s: the container of service %s already holds it\n' "$name" "$service"
      continue
    fi
    # shellcheck disable=SC2016 # $1 is expanded by the container's sh
    if ! bp_restore_compose exec -T "$service" sh -c 'cat >"$1.new" && mv -f "$1.new" "$1"' sh "$path" <"$staged" >&2; then
      KEY_FAILED+=("$name")
      printf 'key %s: could not be written into the container of service %s\n' "$name" "$service"
      continue
    fi
    bp_log "restarting compose service $service so that it reads its restored key"
    if ! bp_restore_compose restart "$service" </dev/null >&2; then
      KEY_FAILED+=("$name")
      printf 'key %s: put back in the container of service %s, but restarting it failed: restart it by hand\n' "$name" "$service"
      continue
    fi
    printf 'key %s: put back in the container of service %s at %s (restarted)\n' "$name" "$service" "$path"
  done
}

# bp_keys_keep_unplaced FOLDER NAME...: moves the staged key files NAME… to FOLDER (0700): those not put back.
bp_keys_keep_unplaced() {
  local folder=$1 name
  shift
  (( $# > 0 )) || return 0
  [[ -d "$folder" ]] || mkdir -m 700 -- "$folder"
  for name in "$@"; do
    mv -T -- "$STAGING/$BP_KEYS_DIR/$name" "$folder/$name" || continue
    chmod 600 -- "$folder/$name"
    printf 'key %s: kept in %s (mode 0600); %s\n' "$name" "$folder/$name" "$(bp_key_destination "$name")"
  done
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
  if [[ -e "$SNAP_DIR/$BP_KEYS_DIR" || -L "$SNAP_DIR/$BP_KEYS_DIR" ]] && [[ -e "$dest.keys" || -L "$dest.keys" ]]; then
    bp_die "$dest.keys exists, where the snapshot's key files would go; refusing (nothing was changed)"
  fi
  bp_app_restore_check "$SNAP_JOB/$SNAP_ID" "$SNAP_DIR" "$ALLOW_DOWNGRADE"
  bp_stage_snapshot "$SNAP_DIR" "$dest"
  # An empty destination folder is replaced; rmdir fails (and nothing is lost) if it filled up meanwhile.
  if [[ -d "$dest" ]]; then rmdir -- "$dest"; fi
  bp_switch_into_place "$dest"
  printf 'restored snapshot %s/%s of target %s into %s (verified)\n' "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$dest"
  bp_keys_keep "$dest.keys"
  bp_drop_staging
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
  local idx=$1 app_stopped_by_hand=$2 stamp started=1
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
  printf 'restored snapshot %s/%s of target %s into the data dir %s (verified)\n' \
    "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$DATA_DIR_PATH"
  if (( MOVED )); then
    printf 'the previous data dir is in %s: delete it yourself once the app works\n' "$INPLACE_ASIDE"
  fi
  bp_keys_on_host "$stamp"
  bp_app_start || started=0
  if (( started && !app_stopped_by_hand )); then
    bp_keys_in_containers
  else
    KEY_FAILED+=("${KEY_CONTAINERS[@]}")
  fi
  bp_keys_keep_unplaced "$DATA_DIR_PATH.keys-$stamp" "${KEY_FAILED[@]}" "${KEY_UNKNOWN[@]}"
  bp_drop_staging
  (( started )) || exit 1
  if (( ${#KEY_FAILED[@]} > 0 )); then
    bp_die "${#KEY_FAILED[@]} key files could not be put back (kept as said above): put them back by hand"
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
