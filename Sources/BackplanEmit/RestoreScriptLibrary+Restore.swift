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

# An absolute path without trailing slashes ('/' itself is refused).
absolute() {
    local p=$1
    [[ -n "$p" ]] || die "the destination is an empty path; give the folder to restore into; nothing was changed"
    if [[ "$p" != /* ]]; then p=$PWD/$p; fi
    while [[ "$p" == */ && "$p" != / ]]; do p=${p%/}; done
    [[ "$p" != / ]] || die "refusing to restore into /"
    printf '%s\n' "$p"
}

# Removes the -wal and -shm files beside each SQLite file under $1: a snapshot's database is a
# complete backup copy, and a stale WAL beside it would be replayed into it on the next open.
remove_stale_sidecars() {
    local f side
    while IFS= read -r -d '' f; do
        is_sqlite "$f" || continue
        for side in "$f-wal" "$f-shm"; do
            if [[ -e "$side" ]]; then
                log "removing stale $side"
                rm -f -- "$side"
            fi
        done
    done < <(find "$1" -type f ! -name '*-wal' ! -name '*-shm' -print0)
}

# Copies snapshot folder $1 into a new staging folder beside destination $2 and verifies the copy.
# Leaves the verified data dir at "$STAGING/data".
stage_snapshot() {
    local parent=${2%/*}
    mkdir -p -- "${parent:-/}"
    STAGING=$(mktemp -d "${parent}/.${2##*/}.restore-XXXXXX")
    log "copying snapshot $SNAP_JOB/$SNAP_ID into $STAGING"
    cp -a -- "$1/data" "$1/MANIFEST.sha256" "$STAGING/"
    log "verifying the copy"
    verify_folder "$STAGING" >&2 || die "the copy of snapshot $SNAP_JOB/$SNAP_ID failed verification; nothing was restored"
    remove_stale_sidecars "$STAGING/data"
}

# Renames the verified staging copy to $1 and drops the staging folder.
switch_into_place() {
    mv -T -- "$STAGING/data" "$1"
    rm -rf -- "$STAGING"
    STAGING=""
}

# restore TARGET [JOB] [ID|latest] DIR
restore_to_dir() {
    local idx=$1 dest
    dest=$(absolute "$2")
    if [[ -e "$dest" || -L "$dest" ]]; then
        [[ -d "$dest" && ! -L "$dest" ]] || die "$dest exists and is not a folder; refusing to restore into it"
        [[ -z "$(ls -A -- "$dest")" ]] || die "$dest is not empty; refusing to restore into it (nothing was changed)"
    fi
    take_lock
    resolve_snapshot "$idx"
    stage_snapshot "$SNAP_DIR" "$dest"
    # An empty destination folder is replaced; rmdir fails (and nothing is lost) if it filled up meanwhile.
    if [[ -d "$dest" ]]; then rmdir -- "$dest"; fi
    switch_into_place "$dest"
    printf 'restored snapshot %s/%s of target %s into %s (verified)\n' "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$dest"
}

# The compose command for the app: COMPOSE -f FILE [-p PROJECT] ARGS...
compose() {
    local args=(-f "$COMPOSE_FILE")
    if [[ -n "$COMPOSE_PROJECT" ]]; then args+=(-p "$COMPOSE_PROJECT"); fi
    "${COMPOSE[@]}" "${args[@]}" "$@"
}

app_stop() {
    log "stopping the app (compose service $COMPOSE_SERVICE)"
    APP_STOPPED=1
    compose stop "$COMPOSE_SERVICE"
}

# Starts the app once; a second call does nothing.
app_start() {
    if (( APP_STOPPED == 0 || APP_START_TRIED )); then return 0; fi
    APP_START_TRIED=1
    log "starting the app (compose service $COMPOSE_SERVICE)"
    compose start "$COMPOSE_SERVICE" || { log "starting the app failed: start it by hand"; return 1; }
}

# The EXIT trap: whatever failed after the live data dir was moved aside, put it back, then start
# the app if this script stopped it. The restored copy (if any) is only ever in STAGING.
on_exit() {
    local status=$?
    if [[ -n "$STAGING" ]]; then rm -rf -- "$STAGING"; fi
    if (( MOVED && !SWITCHED )); then
        if mv -T -- "$INPLACE_ASIDE" "$DATA_DIR_PATH"; then
            log "restore failed: the original data dir is back in $DATA_DIR_PATH"
        else
            log "restore failed and the original data could not be moved back: it is in $INPLACE_ASIDE"
        fi
    fi
    app_start || status=1
    exit "$status"
}

# restore TARGET [JOB] [ID|latest] --in-place
restore_in_place() {
    local idx=$1 app_stopped_by_hand=$2 stamp
    DATA_DIR_PATH=$(absolute "$DATA_DIR")
    if (( ${#COMPOSE[@]} == 0 && !app_stopped_by_hand )); then
        die "plan $PLAN has no compose file, so restore.sh cannot stop the app: stop it by hand, run again with --app-stopped, then start it"
    fi
    take_lock
    resolve_snapshot "$idx"
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    INPLACE_ASIDE="$DATA_DIR_PATH.before-restore-$stamp"
    if [[ -e "$INPLACE_ASIDE" || -L "$INPLACE_ASIDE" ]]; then
        die "$INPLACE_ASIDE already exists; refusing (nothing was changed)"
    fi
    trap on_exit EXIT
    if (( app_stopped_by_hand )); then log "the app was stopped by hand (--app-stopped): not stopping or starting it"
    else app_stop
    fi
    if [[ -e "$DATA_DIR_PATH" || -L "$DATA_DIR_PATH" ]]; then
        mv -T -- "$DATA_DIR_PATH" "$INPLACE_ASIDE"
        MOVED=1
        log "moved the live data dir aside to $INPLACE_ASIDE"
    else
        log "$DATA_DIR_PATH does not exist: restoring into a new data dir"
    fi
    stage_snapshot "$SNAP_DIR" "$DATA_DIR_PATH"
    switch_into_place "$DATA_DIR_PATH"
    SWITCHED=1
    app_start
    printf 'restored snapshot %s/%s of target %s into the data dir %s (verified)\n' \
        "$SNAP_JOB" "$SNAP_ID" "${TARGET_NAMES[idx]}" "$DATA_DIR_PATH"
    if (( MOVED )); then
        printf 'the previous data dir is in %s: delete it yourself once the app works\n' "$INPLACE_ASIDE"
    fi
}

cmd_restore() {
    local in_place=$1 app_stopped_by_hand=$2 idx dir=""
    shift 2
    (( $# >= 1 )) || usage_error "usage: restore.sh restore TARGET [JOB] [ID|latest] (DIR | --in-place)"
    idx=$(target_index "$1")
    shift
    if (( !in_place )); then
        (( $# >= 1 )) || usage_error "restore needs a destination DIR (or --in-place)"
        dir=${!#}
        set -- "${@:1:$#-1}"
    fi
    parse_selector "$@"
    require_supported "$idx"
    if (( in_place )); then
        restore_in_place "$idx" "$app_stopped_by_hand"
    else
        (( !app_stopped_by_hand )) || usage_error "--app-stopped goes with --in-place"
        restore_to_dir "$idx" "$dir"
    fi
}
"""#
}
