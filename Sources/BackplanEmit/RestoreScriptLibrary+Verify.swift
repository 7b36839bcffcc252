import BackplanCore

// The bash below is emitted verbatim into every restore.sh; plan values never appear in it.
/// restore.sh: checking a snapshot-shaped folder (hashes, unlisted files, SQLite integrity), and `verify`.
extension RestoreScriptLibrary {
    static let verify = #"""

# --- Verifying --------------------------------------------------------------------------------------

# Sets UNESCAPED to the name of an escaped MANIFEST.sha256 line (sha256sum writes '\\', '\n' and '\r').
bp_unescape_name() {
  local s=$1 c
  UNESCAPED=""
  while [[ -n "$s" ]]; do
    c=${s:0:1}
    s=${s:1}
    if [[ "$c" == \\ ]]; then
      c=${s:0:1}
      s=${s:1}
      case $c in
        n) c=$'\n' ;;
        r) c=$'\r' ;;
      esac
    fi
    UNESCAPED+=$c
  done
}

# Checks folder $1, laid out as a snapshot (data/, keys/ when it has key files, and MANIFEST.sha256). A
# snapshot holds exactly what its manifest lists: every line names a regular file under data/ or keys/ (no
# absolute path, no '..', nothing reached through a link), every regular file under them is listed, they
# hold nothing but folders and regular files (no link, fifo or device), each listed file has its hash, and
# PRAGMA integrity_check prints `ok` for every SQLite file. Nothing is opened before it is known to be a
# regular file there. Only reads: SQLite files are opened immutable (no -wal/-shm is created).
# Prints each problem on stderr and a summary on stdout; returns 1 on any problem.
bp_verify_folder() {
  local dir=$1 failed=0 unsafe=0 files=0 databases=0 line f result
  local -a found=() roots=("$BP_DATA_DIR")
  local -A listed=() present=()
  if [[ ! -f "$dir/$BP_MANIFEST_FILE" || -L "$dir/$BP_MANIFEST_FILE" || ! -d "$dir/$BP_DATA_DIR" || -L "$dir/$BP_DATA_DIR" ]]; then
    bp_log "$dir: MANIFEST.sha256 or data/ is missing (or is a link, or not a regular file and a folder)"
    return 1
  fi
  if [[ -e "$dir/$BP_KEYS_DIR" || -L "$dir/$BP_KEYS_DIR" ]]; then
    if [[ -L "$dir/$BP_KEYS_DIR" || ! -d "$dir/$BP_KEYS_DIR" ]]; then
      bp_log "$dir: keys/ is a link or not a folder"
      return 1
    fi
    roots+=("$BP_KEYS_DIR")
  fi
  # 1. What data/ and keys/ hold (find does not follow links): regular files, and anything else, which fails.
  while IFS= read -r -d '' f; do
    present["$f"]=1
    found+=("$f")
  done < <(cd -- "$dir" && find "${roots[@]}" -type f -print0 | sort -z)
  files=${#found[@]}
  while IFS= read -r -d '' f; do
    bp_log "$dir: $f is a link or a special file, which a snapshot never holds (MANIFEST.sha256 lists only regular files)"
    failed=1
  done < <(cd -- "$dir" && find "${roots[@]}" ! -type f ! -type d -print0)
  # 2. Every line names a regular file found above. A line is "<64 hex>  <path>", or '\' and the
  # same with the path escaped.
  while IFS= read -r line; do
    if [[ "$line" == \\* ]]; then
      bp_unescape_name "${line:67}"
      f=$UNESCAPED
      line=${line:1}
    else
      f=${line:66}
    fi
    if [[ "${line:0:64}" == *[!0-9a-f]* || ${#line} -le 66 || "${line:64:2}" != "  " ]]; then
      bp_log "$dir: MANIFEST.sha256 has a line that is not '<sha256>  data/<path>'"
      unsafe=1
    elif [[ ( "$f" != data/* && "$f" != keys/* ) || "/$f/" == */../* || "/$f/" == */./* || "/$f/" == *//* ]]; then
      bp_log "$dir: MANIFEST.sha256 names $f, which is not a path inside data/ or keys/"
      unsafe=1
    elif [[ -z "${present[$f]+set}" ]]; then
      bp_log "$dir: MANIFEST.sha256 names $f, which is not a regular file in data/ or keys/ (missing, a link or a special file)"
      unsafe=1
    fi
    if [[ -n "$f" ]]; then listed["$f"]=1; fi
  done < "$dir/$BP_MANIFEST_FILE"
  # 3. Hashes, once every line is known to name a regular file under data/ or keys/. sha256sum names every
  # file that differs ("data/...: FAILED").
  if (( unsafe )); then
    failed=1
  elif ! bp_manifest_ok "$dir"; then
    bp_log "$dir: some files differ from MANIFEST.sha256 (named above)"
    failed=1
  fi
  # 4. Files the manifest does not name (they would be restored unchecked).
  for f in "${found[@]}"; do
    if [[ -z "${listed[$f]+set}" ]]; then
      bp_log "$dir: $f is not in MANIFEST.sha256"
      failed=1
    fi
  done
  # 5. Every SQLite file, found by its header whatever its name.
  for f in "${found[@]}"; do
    bp_is_sqlite "$dir/$f" || continue
    databases=$((databases + 1))
    result=$(cd -- "$dir" && sqlite3 -init /dev/null -batch -readonly \
      "file:$(bp_uri_path "$f")?immutable=1" 'PRAGMA integrity_check;' 2>&1) || true
    if [[ "$result" != ok ]]; then
      bp_log "$dir: $f: PRAGMA integrity_check failed: ${result:0:400}"
      failed=1
    fi
  done
  if (( failed )); then
    printf 'FAILED: %s (%d files, %d SQLite databases; problems above)\n' "$dir" "$files" "$databases"
    return 1
  fi
  printf 'ok: %s (%d files match MANIFEST.sha256, %d SQLite databases pass integrity_check)\n' \
    "$dir" "$files" "$databases"
}

bp_cmd_verify() {
  local idx
  (( $# >= 1 )) || bp_usage_error "usage: restore.sh verify TARGET [JOB] [ID|latest]"
  idx=$(bp_target_index "$1")
  shift
  bp_parse_selector "$@"
  bp_require_supported "$idx"
  bp_take_lock
  bp_resolve_snapshot "$idx"
  bp_log "verifying snapshot $SNAP_JOB/$SNAP_ID on target ${TARGET_NAMES[idx]}"
  bp_verify_folder "$SNAP_DIR" || bp_die "snapshot $SNAP_JOB/$SNAP_ID on target ${TARGET_NAMES[idx]} FAILED verification"
  bp_app_check "$SNAP_DIR" "$SNAP_JOB/$SNAP_ID"
}
"""#

    /// `bp_app_check DIR LABEL`: the app check of `backplan verify` (docs/app-consistency.md) in bash, with
    /// the runtime's SQL, table lists, wording and order (`AppConsistency`, `AppVerifier.copies`).
    static var appCheck: String {
        let problem = { (kind: AppConsistency.Problem.Kind) in Shell.quote(AppConsistency.Problem.template(kind)) }
        typealias Detail = AppConsistency.Problem.Detail
        let nouns = AppConsistency.Counts.nouns.map { Shell.quote("\($0.key):\($0.noun)") }.joined(separator: " ")
        return #"""

    # bp_app_check DIR LABEL: Open WebUI's own consistency in the verified snapshot folder DIR, as
    # `backplan verify` checks it (docs/app-consistency.md): webui.db, uploads and the vector store found by
    # the kinds and paths SNAPSHOT.json lists, each problem a warning on stderr, then one line on stdout:
    # "app ok: COUNTS" or "app: N problems; COUNTS". Nothing when the snapshot holds no webui.db. The copies
    # are opened immutable. Problems never fail restore.sh's verify.
    bp_app_check() {
      local dir=$1 label=$2 kind path copy db='' uploads='' vectors='' uri vuri tables counts
      local id name file size actual detail entry key noun recorded found summary=''
      local -a problems=()
      local -A collections=()
      while IFS=$'\x1f' read -r -d $'\x1e' kind path; do
        [[ -n $path && $path != /* && "/$path/" != *//* && "/$path/" != */./* && "/$path/" != */../* ]] || continue
        copy=$dir/$BP_DATA_DIR/$path
        [[ ! -L $copy ]] || continue
        case $kind in
          sqlite) if [[ -z $db && ${path##*/} == webui.db && -f $copy ]]; then db=$copy; fi ;;
          files) if [[ -z $uploads && ${path##*/} == uploads && -d $copy ]]; then uploads=$copy; fi ;;
          chroma) if [[ -z $vectors && -d $copy ]]; then vectors=$copy; fi ;;
        esac
      done < <(cd -- "$dir" && sqlite3 -batch -separator $'\x1f' -newline $'\x1e' :memory: \
        "SELECT json_extract(value, '$.kind'), json_extract(value, '$.path') FROM json_each(readfile('$BP_RECORD_FILE'), '$.sources')" 2>/dev/null)
      [[ -n $db ]] || return 0
      uri="file:$(bp_uri_path "$(bp_abs "$db")")?immutable=1"
      if ! counts=$(bp_app_counts "$db" "$vectors") || ! tables=$(sqlite3 -batch "$uri" "\#(AppConsistency.SQL.tables)" 2>/dev/null); then
        bp_log "$label: warning: the app's data could not be read"
        return 0
      fi
      if [[ -n $uploads ]] && grep -qxF file <<<"$tables"; then
        while IFS=$'\x1f' read -r -d $'\x1e' id name file size; do
          if [[ -z $file || $file == . || $file == .. ]]; then
            detail=\#(Shell.quote(Detail.noFileName))
          elif [[ -L $uploads/$file || ! -f $uploads/$file ]]; then
            printf -v detail \#(Shell.quote(Detail.uploadMissing)) "$file"
                printf -v entry \#(problem(.uploadMissing)) "$(bp_visible "$name")" "$(bp_visible "$id")" "$(bp_visible "$detail")"
            problems+=("$entry")
            continue
          else
            actual=$(stat -c %s -- "$uploads/$file")
            [[ $size =~ ^[0-9]+$ && $actual != "$size" ]] || continue
                printf -v detail \#(Shell.quote(Detail.uploadSize)) "$file" "$actual" "$size"
          fi
            printf -v entry \#(problem(.uploadSize)) "$(bp_visible "$name")" "$(bp_visible "$id")" "$(bp_visible "$detail")"
          problems+=("$entry")
        done < <(sqlite3 -batch -separator $'\x1f' -newline $'\x1e' "$uri" "\#(AppConsistency.SQL.uploads)" 2>/dev/null)
      fi
      if [[ -n $vectors ]] && grep -qxF knowledge <<<"$tables" && grep -qxF knowledge_file <<<"$tables"; then
        vuri="file:$(bp_uri_path "$(bp_abs "$vectors/chroma.sqlite3")")?immutable=1"
        while IFS=$'\x1f' read -r -d $'\x1e' name found; do
          [[ -n $name && $found =~ ^[0-9]+$ ]] || continue
          collections[$name]=$(( ${collections[$name]:-0} + found ))
        done < <(sqlite3 -batch -separator $'\x1f' -newline $'\x1e' "$vuri" "\#(AppConsistency.SQL.collections)" 2>/dev/null)
        while IFS=$'\x1f' read -r -d $'\x1e' id name; do
          [[ -n $id ]] && (( ${collections[$id]:-0} > 0 )) && continue
            printf -v entry \#(problem(.knowledgeVectorsMissing)) "$(bp_visible "$name")" "$(bp_visible "$id")" \#(Shell.quote(Detail.knowledgeEmpty))
          problems+=("$entry")
        done < <(sqlite3 -batch -separator $'\x1f' -newline $'\x1e' "$uri" "\#(AppConsistency.SQL.knowledgeWithFiles)" 2>/dev/null)
        if grep -qxF file <<<"$tables"; then
          while IFS=$'\x1f' read -r -d $'\x1e' id file name; do
            [[ -n $id && -n ${collections[file-$id]+set} ]] && continue
                printf -v detail \#(Shell.quote(Detail.fileVectors)) "$file" "$id"
                printf -v entry \#(problem(.fileVectorsMissing)) "$(bp_visible "$name")" "$(bp_visible "$id")" "$(bp_visible "$detail")"
            problems+=("$entry")
          done < <(sqlite3 -batch -separator $'\x1f' -newline $'\x1e' "$uri" "\#(AppConsistency.SQL.indexedKnowledgeFiles)" 2>/dev/null)
        fi
      fi
      for entry in \#(nouns); do
        key=${entry%%:*}
        noun=${entry#*:}
        IFS='|' read -r recorded found < <(cd -- "$dir" && sqlite3 -batch :memory: \
          "SELECT json_extract(readfile('$BP_RECORD_FILE'), '$.app.counts.$key'), json_extract('$counts', '$.$key')" 2>/dev/null) || true
        [[ $found =~ ^[0-9]+$ ]] || continue
        summary+="${summary:+, }$found $noun"
        [[ $recorded =~ ^[0-9]+$ && $recorded != "$found" ]] || continue
        printf -v detail \#(Shell.quote(Detail.countDiffers)) "$recorded" "$noun" "$found"
        printf -v entry \#(problem(.countsDiffer)) app.counts "$BP_RECORD_FILE" "$detail"
        problems+=("$entry")
      done
      for entry in "${problems[@]}"; do bp_log "$label: warning: $entry"; done
      if (( ${#problems[@]} == 0 )); then
        printf 'app ok: %s\n' "$summary"
      else
        printf 'app: %d problems; %s\n' "${#problems[@]}" "$summary"
      fi
    }
    """#
    }
}
