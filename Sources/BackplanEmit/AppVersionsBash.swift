import BackplanCore

/// The bash side of `AppVersions` (in the plan's library, used by the job scripts and restore.sh): runs
/// the same `hostScript` with the same `probeScript` as `backplan run` and `backplan restore`, reads its
/// lines with the same patterns (`AppVersions.Pattern.bash`), compares with the same rules and prints the
/// same sentences (`AppVersions.restoreLines`).
enum AppVersionsBash {
    static var text: String {
        let problems = AppVersions.problemText.map { "    \($0.code)) text=\(Shell.quote($0.text)) ;;" }.joined(separator: "\n")
        func re(_ p: AppVersions.Pattern) -> String { Shell.quote(p.bash) }
        return #"""

# --- The app's versions (AppVersions: one host script and one probe for both executors) ------------
# The two constant POSIX sh scripts, verbatim (quoted here-documents: nothing in them is expanded here).
IFS= read -r -d '' BP_APP_HOST_SCRIPT <<'BP_APP_HOST_SCRIPT' || true
\#(AppVersions.hostScript)
BP_APP_HOST_SCRIPT
IFS= read -r -d '' BP_APP_PIP_SCRIPT <<'BP_APP_PIP_SCRIPT' || true
\#(AppVersions.pipScript)
BP_APP_PIP_SCRIPT
IFS= read -r -d '' BP_APP_PROBE <<'BP_APP_PROBE' || true
\#(AppVersions.probeScript)
BP_APP_PROBE
readonly BP_APP_HOST_SCRIPT BP_APP_PIP_SCRIPT BP_APP_PROBE

# bp_app_versions SERVICE FILE PROJECT COMPOSE-WORD...: runs the host script and reads its lines into
# BP_APPV_IMAGE, BP_APPV_IMAGE_ID, BP_APPV_DIGEST, BP_APPV_OPEN_WEBUI, BP_APPV_CHROMADB (checked values or
# ''), BP_APPV_REVISIONS (the alembic revisions the app's migrations know) and BP_APPV_PROBLEMS
# (sentences). Never fails.
bp_app_versions() {
  local out
  out=$(sh -c "$BP_APP_HOST_SCRIPT" sh "$1" "$2" "$3" "$BP_APP_PROBE" "${@:4}" 2>/dev/null) || out=''
  bp_app_versions_parse <<<"$out"
}

# bp_app_versions_pip: the same for a pip install, found through the open-webui command on PATH.
bp_app_versions_pip() {
  local out
  out=$(sh -c "$BP_APP_PIP_SCRIPT" sh "$BP_APP_PROBE" 2>/dev/null) || out=''
  bp_app_versions_parse <<<"$out"
}

# bp_read_app_versions: the versions of the app the plan's compose service runs, for SNAPSHOT.json (read
# before the app is stopped); problems are warnings, never failures; a plan without a compose service
# reads none.
bp_read_app_versions() {
  local problem
  BP_APPV_IMAGE='' BP_APPV_IMAGE_ID='' BP_APPV_DIGEST='' BP_APPV_OPEN_WEBUI='' BP_APPV_CHROMADB=''
  if [[ -z ${COMPOSE_SERVICE:-} ]] || ((${#COMPOSE_CMD[@]} == 0)); then return 0; fi
  bp_app_versions "$COMPOSE_SERVICE" "$COMPOSE_FILE" "$COMPOSE_PROJECT" "${COMPOSE_CMD[@]}"
  for problem in "${BP_APPV_PROBLEMS[@]}"; do bp_log "app: warning: $problem; SNAPSHOT.json leaves it out"; done
  bp_log "app: $(bp_app_summary "$BP_APPV_OPEN_WEBUI" "$BP_APPV_CHROMADB" '' "$BP_APPV_IMAGE")"
}

# bp_app_versions_parse: reads the host script's lines on stdin (AppVersions.parse).
bp_app_versions_parse() {
  local line key value re n=0 text
  local -A first=() invalid=() seen=()
  local codes=()
  BP_APPV_REVISIONS=()
  BP_APPV_PROBLEMS=()
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ((n++ < 2000)) || break
    [[ $line == *' '* ]] || continue
    key=${line%% *}
    value=${line#* }
    case $key in
      problem)
        case $value in
          \#(AppVersions.problemText.map(\.code).joined(separator: " | "))) [[ " ${codes[*]} " == *" $value "* ]] || codes+=("$value") ;;
        esac
        continue ;;
      image) re=\#(re(.reference)) ;;
      image_id) re=\#(re(.imageID)) ;;
      image_digest) re=\#(re(.digest)) ;;
      label | open_webui | chromadb) re=\#(re(.version)) ;;
      alembic) re=\#(re(.revision)) ;;
      *) continue ;;
    esac
    if ! [[ $value =~ $re ]]; then invalid[$key]=1; continue; fi
    if [[ $key == alembic ]]; then
      if [[ -z ${seen[$value]:-} ]]; then seen[$value]=1; BP_APPV_REVISIONS+=("$value"); fi
    elif [[ -z ${first[$key]:-} ]]; then
      first[$key]=$value
    fi
  done
  BP_APPV_IMAGE=${first[image]:-}
  BP_APPV_IMAGE_ID=${first[image_id]:-}
  BP_APPV_DIGEST=${first[image_digest]:-}
  BP_APPV_OPEN_WEBUI=${first[open_webui]:-}
  if [[ -z $BP_APPV_OPEN_WEBUI ]] && [[ -n ${first[label]:-} ]] && bp_release "${first[label]}" >/dev/null; then
    BP_APPV_OPEN_WEBUI=${first[label]}
  fi
  BP_APPV_CHROMADB=${first[chromadb]:-}
  for key in "${codes[@]}"; do
    case $key in
\#(problems)
    esac
    BP_APPV_PROBLEMS+=("$text")
  done
  for key in image image_id image_digest label open_webui chromadb alembic; do
    [[ -n ${invalid[$key]:-} && -z ${first[$key]:-} ]] || continue
    if [[ $key == alembic ]] && ((${#BP_APPV_REVISIONS[@]})); then continue; fi
    BP_APPV_PROBLEMS+=("the image's $key value is not valid and was left out")
  done
}

# bp_release VERSION: prints a release version's numbers (an optional v, 1 to 6 dot-separated numbers of
# at most 9 digits) one a line; fails for anything else (AppVersions.release).
bp_release() {
  local v=${1#v} part parts
  [[ $v =~ ^[0-9]{1,9}(\.[0-9]{1,9}){0,5}$ ]] || return 1
  IFS=. read -r -a parts <<<"$v"
  for part in "${parts[@]}"; do printf '%d\n' "$((10#$part))"; done
}

# bp_version_compare A B: prints -1, 0 or 1; fails unless both are release versions (AppVersions.compare).
bp_version_compare() {
  local -a x y
  local i l r
  mapfile -t x < <(bp_release "$1") && ((${#x[@]})) || return 1
  mapfile -t y < <(bp_release "$2") && ((${#y[@]})) || return 1
  for ((i = 0; i < (${#x[@]} > ${#y[@]} ? ${#x[@]} : ${#y[@]}); i++)); do
    l=${x[i]:-0} r=${y[i]:-0}
    if ((l != r)); then if ((l < r)); then echo -1; else echo 1; fi; return 0; fi
  done
  echo 0
}

# bp_app_summary OPEN_WEBUI CHROMADB ALEMBIC IMAGE: the known values, or 'unknown' (AppVersions.summary).
bp_app_summary() {
  local parts=()
  [[ -z $1 ]] || parts+=("Open WebUI $1")
  [[ -z $2 ]] || parts+=("ChromaDB $2")
  [[ -z $3 ]] || parts+=("alembic $3")
  [[ -z $4 ]] || parts+=("image $4")
  if ((${#parts[@]} == 0)); then printf 'unknown\n'; return 0; fi
  bp_app_join ', ' "${parts[@]}"
}

# bp_app_join SEPARATOR WORD...: the words joined by SEPARATOR, on one line.
bp_app_join() {
  local sep=$1 out=$2 word
  shift 2
  for word in "$@"; do out+=$sep$word; done
  printf '%s\n' "$out"
}

# bp_app_versions_json: the members SNAPSHOT.json's app gets from BP_APPV_* ('' for none), as two parts in
# sorted key order: BP_APPV_JSON_HEAD (chromadb_version, before counts) and BP_APPV_JSON_TAIL (image,
# image_digest, image_id, open_webui_version, after it).
bp_app_versions_json() {
  BP_APPV_JSON_HEAD=''
  BP_APPV_JSON_TAIL=''
  [[ -z ${BP_APPV_CHROMADB:-} ]] || BP_APPV_JSON_HEAD="\"chromadb_version\":$(bp_json_string "$BP_APPV_CHROMADB")"
  [[ -z ${BP_APPV_IMAGE:-} ]] || BP_APPV_JSON_TAIL+="${BP_APPV_JSON_TAIL:+,}\"image\":$(bp_json_string "$BP_APPV_IMAGE")"
  [[ -z ${BP_APPV_DIGEST:-} ]] || BP_APPV_JSON_TAIL+="${BP_APPV_JSON_TAIL:+,}\"image_digest\":$(bp_json_string "$BP_APPV_DIGEST")"
  [[ -z ${BP_APPV_IMAGE_ID:-} ]] || BP_APPV_JSON_TAIL+="${BP_APPV_JSON_TAIL:+,}\"image_id\":$(bp_json_string "$BP_APPV_IMAGE_ID")"
  [[ -z ${BP_APPV_OPEN_WEBUI:-} ]] || BP_APPV_JSON_TAIL+="${BP_APPV_JSON_TAIL:+,}\"open_webui_version\":$(bp_json_string "$BP_APPV_OPEN_WEBUI")"
  return 0
}

# bp_app_restore_check NAME SNAPSHOT-DIR ALLOW: compares the snapshot's app (its SNAPSHOT.json, values
# checked again) with the app the plan's compose service runs (without one: the pip install the
# open-webui command on PATH belongs to), logs what restore says
# (AppVersions.restoreLines) and dies when the app is older, unless ALLOW is 1.
bp_app_restore_check() {
  local name=$1 dir=$2 allow=$3 s_owui='' s_chroma='' s_alembic='' a_owui a_chroma reason='' order
  local older=() newer=() compared=0 pair label s a
  local rows=()
  if [[ -f $dir/$BP_RECORD_FILE ]]; then
    mapfile -t rows < <(cd -- "$dir" && sqlite3 -init /dev/null -batch -noheader :memory: \
      "SELECT coalesce(json_extract(j, '\$.app.open_webui_version'), ''), coalesce(json_extract(j, '\$.app.chromadb_version'), ''),
              coalesce(json_extract(j, '\$.app.alembic_version'), '')
       FROM (SELECT CAST(readfile('$BP_RECORD_FILE') AS TEXT) AS j);" 2>/dev/null | tr '|' '\n') || rows=()
  fi
  local version_re=\#(re(.version)) revision_re=\#(re(.revision))
  if [[ ${rows[0]:-} =~ $version_re ]]; then s_owui=${rows[0]}; fi
  if [[ ${rows[1]:-} =~ $version_re ]]; then s_chroma=${rows[1]}; fi
  if [[ ${rows[2]:-} =~ $revision_re ]]; then s_alembic=${rows[2]}; fi
  if [[ -z ${COMPOSE_SERVICE:-} ]] || ((${#COMPOSE[@]} == 0)); then
    bp_app_versions_pip
  else
    bp_app_versions "$COMPOSE_SERVICE" "$COMPOSE_FILE" "$COMPOSE_PROJECT" "${COMPOSE[@]}"
  fi
  if [[ -z $BP_APPV_OPEN_WEBUI && -z $BP_APPV_CHROMADB ]] && ((${#BP_APPV_REVISIONS[@]} == 0)); then
    reason=${BP_APPV_PROBLEMS[0]:-"the app tells no version"}
  fi
  if [[ -n $reason ]]; then
    bp_log "note: cannot tell which Open WebUI will open the restored data ($reason); the snapshot's app: $(bp_app_summary "$s_owui" "$s_chroma" "$s_alembic" ''); start it with that version or a newer one"
    return 0
  fi
  a_owui=$BP_APPV_OPEN_WEBUI a_chroma=$BP_APPV_CHROMADB
  bp_log "the snapshot's app: $(bp_app_summary "$s_owui" "$s_chroma" "$s_alembic" ''); the app that will open it: $(bp_app_summary "$a_owui" "$a_chroma" '' "$BP_APPV_IMAGE")"
  for pair in "Open WebUI|$s_owui|$a_owui" "ChromaDB|$s_chroma|$a_chroma"; do
    IFS='|' read -r label s a <<<"$pair"
    [[ -n $s && -n $a ]] || continue
    order=$(bp_version_compare "$a" "$s") || continue
    compared=1
    if ((order < 0)); then older+=("the snapshot was written by $label $s, the app has $label $a"); fi
    if ((order > 0)); then newer+=("$label $s -> $a"); fi
  done
  if [[ -n $s_alembic ]] && ((${#BP_APPV_REVISIONS[@]})); then
    compared=1
    if [[ " ${BP_APPV_REVISIONS[*]} " != *" $s_alembic "* ]]; then
      older+=("webui.db is at alembic revision $s_alembic, which the app's migrations do not know (a newer Open WebUI migrated it)")
    fi
  fi
  if ((${#older[@]})); then
    local reasons
    reasons=$(bp_app_join '; ' "${older[@]}")
    if ((allow)); then
      bp_log "warning: restoring into an older app (--allow-downgrade): $reasons"
    else
      bp_die "refusing to restore snapshot $name into an older app: $reasons; an older Open WebUI cannot open data a newer one migrated: upgrade the app first, or pass --allow-downgrade to restore anyway; nothing was changed"
    fi
  elif ((${#newer[@]})); then
    bp_log "note: the app is newer than the snapshot ($(bp_app_join ', ' "${newer[@]}")): its first start migrates the restored data, and this snapshot is the way back"
  elif ((!compared)); then
    bp_log "note: the versions cannot be compared (no release version or alembic revision on both sides); check that the app is the snapshot's or a newer one before starting it"
  fi
  return 0
}
"""#
    }
}
