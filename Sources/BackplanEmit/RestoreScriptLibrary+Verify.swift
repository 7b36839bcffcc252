// The bash below is emitted verbatim into every restore.sh; plan values never appear in it.
/// restore.sh: checking a snapshot-shaped folder (hashes, unlisted files, SQLite integrity), and `verify`.
extension RestoreScriptLibrary {
    static let verify = #"""

# --- Verifying --------------------------------------------------------------------------------------

# A path as a relative SQLite URI path ('%', '?' and '#' escaped), so any file name opens as itself.
uri_path() {
    local p=${1//%/%25}
    p=${p//\?/%3f}
    printf '%s\n' "${p//#/%23}"
}

# True when file $1 starts with the SQLite header (NUL bytes are dropped before bash sees them).
is_sqlite() {
    [[ "$(head -c 15 -- "$1" | tr -d '\0')" == "SQLite format 3" ]]
}

# Checks folder $1, laid out as a snapshot (data/ and MANIFEST.sha256): every listed file has its
# hash, no file under data/ is missing from the manifest, and PRAGMA integrity_check prints `ok` for
# every SQLite file. Only reads: SQLite files are opened immutable (no -wal/-shm is created).
# Prints each problem on stderr and a summary on stdout; returns 1 on any problem.
verify_folder() {
    local dir=$1 failed=0 files=0 databases=0 line f result
    local -A listed=()
    if [[ ! -f "$dir/MANIFEST.sha256" || ! -d "$dir/data" ]]; then
        log "$dir: MANIFEST.sha256 or data/ is missing"
        return 1
    fi
    # 1. Hashes. sha256sum names every file that differs or is missing ("data/...: FAILED").
    if ! (cd -- "$dir" && sha256sum --quiet --strict -c MANIFEST.sha256) >&2; then
        log "$dir: some files differ from MANIFEST.sha256 (named above)"
        failed=1
    fi
    # 2. Files the manifest does not name (they would be restored unchecked). A line is
    # "<64 hex>  <path>"; lines starting with '\' hold escaped names and are skipped, as are such files.
    while IFS= read -r line; do
        if [[ "$line" != \\* ]]; then listed["${line:66}"]=1; fi
    done < "$dir/MANIFEST.sha256"
    while IFS= read -r -d '' f; do
        files=$((files + 1))
        if [[ -z "${listed[$f]+set}" && "$f" != *[\\$'\n']* ]]; then
            log "$dir: $f is not in MANIFEST.sha256"
            failed=1
        fi
    done < <(cd -- "$dir" && find data -type f -print0)
    # 3. Every SQLite file, found by its header whatever its name.
    while IFS= read -r -d '' f; do
        is_sqlite "$dir/$f" || continue
        databases=$((databases + 1))
        result=$(cd -- "$dir" && sqlite3 -init /dev/null -batch -readonly \
            "file:$(uri_path "$f")?immutable=1" 'PRAGMA integrity_check;' 2>&1) || true
        if [[ "$result" != ok ]]; then
            log "$dir: $f: PRAGMA integrity_check failed: ${result:0:400}"
            failed=1
        fi
    done < <(cd -- "$dir" && find data -type f -print0 | sort -z)
    if (( failed )); then
        printf 'FAILED: %s (%d files, %d SQLite databases; problems above)\n' "$dir" "$files" "$databases"
        return 1
    fi
    printf 'ok: %s (%d files match MANIFEST.sha256, %d SQLite databases pass integrity_check)\n' \
        "$dir" "$files" "$databases"
}

cmd_verify() {
    local idx
    (( $# >= 1 )) || usage_error "usage: restore.sh verify TARGET [JOB] [ID|latest]"
    idx=$(target_index "$1")
    shift
    parse_selector "$@"
    require_supported "$idx"
    take_lock
    resolve_snapshot "$idx"
    log "verifying snapshot $SNAP_JOB/$SNAP_ID on target ${TARGET_NAMES[idx]}"
    verify_folder "$SNAP_DIR" || die "snapshot $SNAP_JOB/$SNAP_ID on target ${TARGET_NAMES[idx]} FAILED verification"
}
"""#
}
