// The bash below is emitted verbatim into every restore.sh; plan values never appear in it.
/// restore.sh: finding snapshots by target type, choosing one, and `list`.
extension RestoreScriptLibrary {
    static let snapshots = #"""

# --- Finding snapshots ------------------------------------------------------------------------------
# Each target type has <type>_snapshots (print "ID JOB" per complete snapshot), <type>_info (print
# "STARTED SOURCE-BYTES" of one snapshot) and <type>_open (print a local folder holding the snapshot's
# data/, MANIFEST.sha256 and SNAPSHOT.json; a remote type downloads it under $DOWNLOAD first).

# "ID JOB" lines of the complete snapshots of this plan on local target $1 (an index), of job $2 ("" for
# every job): bp_list_ids of each job's folder.
bp_local_snapshots() {
  local job id
  for job in "${JOBS[@]}"; do
    if [[ -n "$2" && "$job" != "$2" ]]; then continue; fi
    while IFS= read -r id; do
      printf '%s %s\n' "$id" "$job"
    done < <(bp_list_ids "${TARGET_PATHS[$1]}/$PLAN/$job")
  done
}

# A local snapshot is read where it lies.
bp_local_open() {
  printf '%s\n' "${TARGET_PATHS[$1]}/$PLAN/$2/$3"
}

# "ID JOB" lines of target $1 (index), job $2 ("" for all), oldest first (IDs are UTC times).
bp_snapshots() {
  "bp_${TARGET_TYPES[$1]}_snapshots" "$1" "$2" | sort
}

# The local folder of snapshot $3 of job $2 on target $1 (downloaded first from a remote target, into
# $DOWNLOAD, which the caller makes with bp_ensure_download_dir: this runs in a command substitution).
bp_snapshot_folder() {
  "bp_${TARGET_TYPES[$1]}_open" "$1" "$2" "$3"
}

# "STARTED SOURCE-BYTES" of snapshot $3 of job $2 on target $1.
bp_snapshot_summary() {
  if [[ "${TARGET_TYPES[$1]}" == local ]]; then
    bp_snapshot_info "$(bp_local_open "$1" "$2" "$3")"
  else
    "bp_${TARGET_TYPES[$1]}_info" "$1" "$2" "$3"
  fi
}

bp_is_snapshot_id() { [[ "$1" == latest || "$1" =~ $BP_ID_RE ]]; }

# Reads the optional [JOB] [ID|latest] arguments into SEL_JOB and SEL_ID. One argument is a job when
# the plan has a job of that name, else it must be an ID or `latest`.
bp_parse_selector() {
  SEL_JOB=""
  SEL_ID=latest
  case $# in
    0) ;;
    1)
      if bp_is_job "$1"; then SEL_JOB=$1
      elif bp_is_snapshot_id "$1"; then SEL_ID=$1
      else bp_die "'$1' is neither a job of plan $PLAN (${JOBS[*]}) nor a snapshot ID (YYYYMMDDTHHMMSSZ) nor latest"
      fi ;;
    2)
      bp_require_job "$1"
      bp_is_snapshot_id "$2" || bp_die "'$2' is not a snapshot ID (YYYYMMDDTHHMMSSZ) nor latest"
      SEL_JOB=$1
      SEL_ID=$2 ;;
    *) bp_usage_error "too many arguments" ;;
  esac
}

# Finds the snapshot SEL_JOB/SEL_ID on target $1 (index) and sets SNAP_ID, SNAP_JOB and SNAP_DIR.
# `latest` is the newest ID (across every job when no job is named).
bp_resolve_snapshot() {
  local idx=$1 rows=() matches=() row listing
  # A command substitution, not < <(...): a remote listing that fails must stop the script here.
  listing=$(bp_snapshots "$idx" "$SEL_JOB") || bp_die "target ${TARGET_NAMES[idx]}: its snapshots cannot be listed"
  if [[ -n "$listing" ]]; then mapfile -t rows <<<"$listing"; fi
  if (( ${#rows[@]} == 0 )); then
    bp_die "target ${TARGET_NAMES[idx]} holds no snapshot of plan $PLAN${SEL_JOB:+ job $SEL_JOB}"
  fi
  if [[ "$SEL_ID" == latest ]]; then
    matches=("${rows[-1]}")
  else
    for row in "${rows[@]}"; do
      if [[ "${row%% *}" == "$SEL_ID" ]]; then matches+=("$row"); fi
    done
    if (( ${#matches[@]} == 0 )); then
      bp_die "target ${TARGET_NAMES[idx]} holds no snapshot $SEL_ID of plan $PLAN${SEL_JOB:+ job $SEL_JOB}; see: restore.sh list ${TARGET_NAMES[idx]}"
    fi
    if (( ${#matches[@]} > 1 )); then
      bp_die "several jobs have a snapshot $SEL_ID; name the job: restore.sh ... ${TARGET_NAMES[idx]} JOB $SEL_ID"
    fi
  fi
  SNAP_ID=${matches[0]%% *}
  SNAP_JOB=${matches[0]#* }
  if [[ "${TARGET_TYPES[idx]}" != local ]]; then bp_ensure_download_dir; fi
  SNAP_DIR=$(bp_snapshot_folder "$idx" "$SNAP_JOB" "$SNAP_ID")
}

# "STARTED SOURCE-BYTES" from SNAPSHOT.json in folder $1, and " label=NAME" for a labelled snapshot (`?`
# for a label that is no label name, or two; keys as json_each decodes them, like bp_label_states), read with sqlite3's JSON functions (the file name is a constant
# inside the SQL; the folder is entered with cd, never put in SQL).
bp_snapshot_info() {
  local out
  if out=$(cd -- "$1" && sqlite3 -init /dev/null -batch -noheader :memory: \
    "SELECT coalesce(json_extract(j, '\$.started'), '?') || ' ' ||
        coalesce((SELECT sum(json_extract(value, '\$.bytes')) FROM json_each(j, '\$.sources')), 0) ||
        (SELECT CASE WHEN count(*) = 0 THEN '' WHEN count(*) = 1 AND max(type) = 'text' AND length(max(value)) BETWEEN 1 AND 63
            AND max(value) GLOB '[a-z0-9]*' AND max(value) NOT GLOB '*[^a-z0-9-]*' THEN ' label=' || max(value)
          ELSE ' label=?' END FROM json_each(j) WHERE key = 'label')
     FROM (SELECT CAST(readfile('SNAPSHOT.json') AS TEXT) AS j);" 2>/dev/null) && [[ -n "$out" ]]; then
    printf '%s\n' "$out"
  else
    bp_log "$(bp_visible "$1")/SNAPSHOT.json cannot be read as JSON"
    printf '? ?\n'
  fi
}

# $1 on one line with control bytes (C0, DEL, C1) and bidirectional controls as '?': names and
# SNAPSHOT.json fields come from the target, and must not drive the terminal or a CI log.
bp_visible() {
  printf '%s\n' "${1//$'\n'/?}" | LC_ALL=C sed -e 's/[\x01-\x1f\x7f]/?/g' -e 's/\xc2[\x80-\x9f]/?/g' \
    -e 's/\xe2\x80[\xaa-\xae]/?/g' -e 's/\xe2\x81[\xa6-\xa9]/?/g'
}

bp_cmd_list() {
  local idx row id job
  (( $# >= 1 && $# <= 2 )) || bp_usage_error "usage: restore.sh list TARGET [JOB]"
  idx=$(bp_target_index "$1")
  if (( $# == 2 )); then bp_require_job "$2"; fi
  bp_require_supported "$idx"
  if [[ "${TARGET_TYPES[idx]}" != local ]]; then bp_ensure_download_dir; fi
  local count=0 listing
  listing=$(bp_snapshots "$idx" "${2:-}") || bp_die "target $1: its snapshots cannot be listed"
  while IFS= read -r row; do
    [[ -n "$row" ]] || continue
    count=$((count + 1))
    id=${row%% *}
    job=${row#* }
    bp_visible "$job $id $(bp_snapshot_summary "$idx" "$job" "$id")"
  done <<<"$listing"
  if (( count == 0 )); then bp_log "target $1 holds no complete snapshot of plan $PLAN${2:+ job $2}"; fi
}
"""#
}
