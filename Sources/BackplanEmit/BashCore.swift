import BackplanCore

/// The bash every server-side script shares, written once: the run contract's values (`RunContract.bash`),
/// logging, JSON strings, listing snapshot IDs, sweeping leftovers, the manifest check and applying
/// retention. The plan's `lib/backplan.sh` holds it once for the job scripts, restore.sh and the remote target
/// types; the NAS's pull script, which is standalone, gets the same text from the same strings.
enum BashCore {
    /// The functions, in the order bash needs them (after `BashRetention.function`, which `retention` calls).
    static var functions: String { [logging, json, snapshots, retention].joined(separator: "\n") }

    /// The run contract's values that `script` (the rest of a library or pull script) reads, then the functions.
    static func text(before script: String) -> String {
        RunContract.bash(usedBy: functions + script) + "\n" + functions
    }

    /// One logging family. Each entry point (bp_job_main, bp_restore_main, the pull's main) sets BP_LOG_TAG.
    static let logging = #"""
        # ---- Logging: one line per step on standard error ----
        BP_LOG_TAG='backplan'   # the prefix of every line: backplan[PLAN/JOB], restore.sh [PLAN], backplan pull [PLAN/TARGET]
        BP_ERROR=''             # the first error (runs.jsonl)

        bp_log() {
          printf '%s: %s\n' "$BP_LOG_TAG" "$*" >&2
        }

        # bp_error MESSAGE: logs an error; the first one becomes the run's error in runs.jsonl.
        bp_error() {
          if [[ -z $BP_ERROR ]]; then BP_ERROR=$*; fi
          bp_log "error: $*"
        }

        # bp_die MESSAGE: logs the error and ends the script (status 1; an EXIT trap cleans up).
        bp_die() {
          bp_error "$*"
          exit "$BP_EXIT_FAILED"
        }

        """#

    /// The JSON string escaper.
    static let json = #"""
        # bp_json_string VALUE: VALUE as a JSON string literal. Backslash, double quote and control characters
        # are escaped (\t, \n, \r, else \u00XX); every other byte (UTF-8 included) passes through. The
        # replacements are quoted so that bash 5.2's patsub_replacement never reads `&` in them.
        bp_json_string() {
          local s=$1 out='' c i code bs=\\ dq='"'
          s=${s//"$bs"/"$bs$bs"}
          s=${s//"$dq"/"$bs$dq"}
          s=${s//$'\t'/"${bs}t"}
          s=${s//$'\n'/"${bs}n"}
          s=${s//$'\r'/"${bs}r"}
          if [[ $s == *[$'\001'-$'\037']* ]]; then
            for ((i = 0; i < ${#s}; i++)); do
              c=${s:i:1}
              if [[ $c == [$'\001'-$'\037'] ]]; then
                printf -v code '\\u%04x' "'$c"
                out+=$code
              else
                out+=$c
              fi
            done
            s=$out
          fi
          printf '"%s"' "$s"
        }

        """#

    /// Snapshot IDs, leftovers and the manifest check on a folder of snapshots.
    static let snapshots = #"""
        # ---- Snapshots in a folder <plan>/<job>/ (docs/run-contract.md, "Snapshot layout") ----

        # bp_list_ids DIR: IDs of the complete snapshots in DIR, oldest first. A complete snapshot is a folder
        # named like an ID that holds SNAPSHOT.json; `.ID.partial` and `.ID.deleting` folders never match.
        bp_list_ids() {
          local d name
          for d in "$1"/*; do
            name=${d##*/}
            if [[ $name =~ $BP_ID_RE && -f $d/$BP_RECORD_FILE ]]; then
              printf '%s\n' "$name"
            fi
          done
        }

        # bp_ids_only: the lines of standard input that are snapshot IDs (a remote listing), in their order.
        bp_ids_only() {
          grep -E -- "$BP_ID_RE" || true
        }

        # bp_sweep DIR WHO: removes the `.ID.partial` and `.ID.deleting` folders a killed run left in DIR,
        # logging each as WHO.
        bp_sweep() {
          local p name
          for p in "$1"/.*"$BP_PARTIAL_SUFFIX" "$1"/.*"$BP_DELETING_SUFFIX"; do
            name=${p##*/}
            if [[ -d $p && $name =~ $BP_LEFTOVER_RE ]]; then
              bp_log "$2: removing $name left by an earlier run"
              rm -rf -- "$p"
            fi
          done
        }

        # bp_manifest_ok FOLDER: sha256sum -c over the whole MANIFEST.sha256 of snapshot FOLDER (problems on stderr).
        bp_manifest_ok() {
          (cd -- "$1" && sha256sum -c --quiet --strict -- "$BP_MANIFEST_FILE") >&2
        }

        """#

    /// Applying retention: which IDs go, and removing them from a folder.
    static let retention = #"""
        # ---- Retention (docs/run-contract.md, step 9) ----
        BP_IDS=()               # bp_retention_pick's input: complete snapshot IDs, oldest first
        BP_REMOVE=()            # bp_retention_pick's output
        BP_REMOVED=0            # bp_remove_local's count
        BP_LABELLED=0           # bp_retention_unlabelled's count: labelled snapshots set aside (kept)

        # bp_label_states DIR ID...: an "ID STATE" line per ID from DIR/ID/SNAPSHOT.json, read with sqlite3's
        # JSON functions in one call (DIR is entered with cd; only IDs, checked against BP_ID_RE, are in the
        # SQL; keys are compared as json_each decodes them, so `\u006cabel` is `label`). STATE is `-` (a JSON
        # object without "label"), the label, or `?` (the file cannot be read, is no JSON object, holds two
        # "label" keys, or its label is no label name: SNAPSHOT.json is hostile input). A snapshot whose label
        # cannot be read is kept like a labelled one (docs/run-contract.md, "Labelled snapshots"). Without
        # sqlite3 (a NAS running the pull script) a file that is not readable, or holds `label` or a `\u` escape
        # anywhere, is `?` unless its only `label` is a plain "label":"NAME" member; any other file is `-`.
        bp_label_states() {
          local dir=$1 id values='' out f name rc
          shift
          if ! command -v sqlite3 >/dev/null 2>&1; then
            for id in "$@"; do
              f=$dir/$id/$BP_RECORD_FILE
              if [[ ! $id =~ $BP_ID_RE ]]; then continue; fi
              if [[ ! -f $f || ! -r $f ]]; then printf '%s ?\n' "$id"; continue; fi
              # grep: 1 no match (unlabelled), 0 a match (read on), anything else (an error) cannot be read.
              rc=0
              grep -q -e label -e '\\u' -- "$f" || rc=$?
              if ((rc == 1)); then printf '%s -\n' "$id"; continue; fi
              name=''
              if ((rc == 0)) && ! grep -q -e '\\u' -- "$f" && (($(grep -o label -- "$f" | wc -l) == 1)); then
                name=$(sed -n 's/^.*"label":"\([a-z0-9][a-z0-9-]*\)".*$/\1/p' -- "$f")
              fi
              if [[ $name =~ $BP_LABEL_RE ]]; then printf '%s %s\n' "$id" "$name"; else printf '%s ?\n' "$id"; fi
            done
            return 0
          fi
          for id in "$@"; do
            if [[ $id =~ $BP_ID_RE ]]; then values+="${values:+,}('$id')"; fi
          done
          [[ -n $values ]] || return 0
          if ! out=$(cd -- "$dir" && sqlite3 -init /dev/null -batch -noheader :memory: \
            "SELECT i || ' ' || CASE WHEN j IS NULL THEN '?' WHEN NOT json_valid(j) THEN '?'
                 WHEN json_type(j) IS NOT 'object' THEN '?'
                 WHEN (SELECT count(*) FROM json_each(j) WHERE key = 'label') = 0 THEN '-'
                 WHEN (SELECT count(*) FROM json_each(j) WHERE key = 'label') > 1 THEN '?'
                 ELSE coalesce((SELECT value FROM json_each(j) WHERE key = 'label' AND type = 'text'
                   AND length(value) BETWEEN 1 AND 63 AND value GLOB '[a-z0-9]*' AND value NOT GLOB '*[^a-z0-9-]*'), '?') END
             FROM (SELECT column1 AS i, CAST(readfile(column1 || '/$BP_RECORD_FILE') AS TEXT) AS j FROM (VALUES $values));" \
            2>/dev/null); then
            out=''
          fi
          printf '%s\n' "$out"
        }

        # bp_retention_unlabelled WHO: reads "ID STATE" lines (bp_label_states) on standard input and keeps in
        # BP_IDS only the snapshots without a label, on which the keep rules decide; a labelled one is set aside
        # (kept, logged as WHO), and one whose label cannot be read (`?`, or no line) too, with a warning. Sets
        # BP_LABELLED to how many were set aside.
        bp_retention_unlabelled() {
          local who=$1 id state
          local -A states=()
          local -a ids=()
          while read -r id state; do
            if [[ $id =~ $BP_ID_RE ]]; then
              if [[ -n ${states[$id]:-} && ${states[$id]} != "$state" ]]; then state='?'; fi
              states[$id]=$state
            fi
          done
          BP_LABELLED=0
          for id in "${BP_IDS[@]}"; do
            state=${states[$id]:-?}
            if [[ $state == - ]]; then
              ids+=("$id")
              continue
            fi
            BP_LABELLED=$((BP_LABELLED + 1))
            if [[ $state =~ $BP_LABEL_RE ]]; then
              bp_log "retention: $who: keeping snapshot $id (label $state)"
            else
              bp_log "retention: warning: $who: snapshot $id is kept: its label cannot be read; remove it with prune --remove"
            fi
          done
          BP_IDS=("${ids[@]}")
        }

        # bp_retention_pick WHO NEW LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN: sets BP_REMOVE to the IDs of
        # BP_IDS that the rules remove (bp_retention_remove_ids decides), never the newest, never NEW (this
        # run's). When the rules fail it warns (as WHO) and returns 1: nothing is removed.
        bp_retention_pick() {
          local who=$1 new=$2 id newest out
          shift 2
          BP_REMOVE=()
          ((${#BP_IDS[@]} > 0)) || return 0
          newest=${BP_IDS[${#BP_IDS[@]} - 1]}
          if ! out=$(printf '%s\n' "${BP_IDS[@]}" | bp_retention_remove_ids "$@"); then
            bp_log "retention: warning: $who: the retention rules failed; nothing is removed"
            return 1
          fi
          while IFS= read -r id; do
            if [[ $id =~ $BP_ID_RE && $id != "$newest" && $id != "$new" ]]; then BP_REMOVE+=("$id"); fi
          done <<<"$out"
        }

        # bp_remove_local WHO DIR ID...: removes each complete snapshot ID from folder DIR: renamed to
        # `.ID.deleting` first (out of every listing at once), then deleted. Sets BP_REMOVED to how many went.
        bp_remove_local() {
          local who=$1 dir=$2 id gone
          shift 2
          BP_REMOVED=0
          for id in "$@"; do
            [[ $id =~ $BP_ID_RE && -f $dir/$id/$BP_RECORD_FILE ]] || continue
            gone=$dir/.$id$BP_DELETING_SUFFIX
            bp_log "retention: $who: removing snapshot $id"
            if mv -T -- "$dir/$id" "$gone"; then
              BP_REMOVED=$((BP_REMOVED + 1))
              rm -rf -- "$gone" || bp_log "retention: warning: could not remove all of $gone"
            else
              bp_log "retention: warning: could not remove $dir/$id"
            fi
          done
        }

        """#
}
