import BackplanCore

extension JobScriptLibrary {
    /// MANIFEST.sha256 with hashes carried over for hard-linked files, and SNAPSHOT.json (step 6).
    static let manifest = #"""
        # ---- Step 6: manifest and SNAPSHOT.json ----

        # The join of a snapshot with the previous one, by path and inode. Reads three files named in the
        # environment: BP_J_PREV_MANIFEST (the previous MANIFEST.sha256), BP_J_PREV_INODES and BP_J_CUR_INODES
        # ("INODE<TAB>PATH" lines from `find -printf`). For every current file it prints either
        #   "C<TAB>HASH  PATH"  the previous snapshot has the same file (same inode: a hard link) and its hash
        #   "F<TAB>PATH"        anything else: the file must be read and hashed
        # Paths holding a backslash are always "F" (sha256sum escapes them, so the lines would not compare).
        # shellcheck disable=SC2016
        BP_JOIN_AWK='
          FILENAME == ENVIRON["BP_J_PREV_MANIFEST"] {
            if (substr($0, 1, 1) != "\\" && substr($0, 65, 2) == "  ") hash[substr($0, 67)] = substr($0, 1, 64)
            next
          }
          FILENAME == ENVIRON["BP_J_PREV_INODES"] {
            t = index($0, "\t"); inode[substr($0, t + 1)] = substr($0, 1, t - 1)
            next
          }
          {
            t = index($0, "\t"); ino = substr($0, 1, t - 1); p = substr($0, t + 1)
            if (index(p, "\\") == 0 && (p in hash) && inode[p] == ino) print "C\t" hash[p] "  " p
            else print "F\t" p
          }'

        # bp_inodes DIR OUT: "INODE<TAB>PATH" of every file under DIR/data (paths relative to DIR); names
        # holding a line break are left out here (bp_manifest hashes them separately).
        bp_inodes() {
          (cd -- "$1" && find data -type f ! -name $'*\n*' -printf '%i\t%p\n') >"$2"
        }

        # bp_join PREV CUR OUT: the join above of snapshot folder CUR against PREV ('' = none) into OUT.
        bp_join() {
          local prev=$1 cur=$2 out=$3
          : >"$BP_TMP/prev.manifest"
          : >"$BP_TMP/prev.inodes"
          if [[ -n $prev && -f $prev/$BP_MANIFEST_FILE ]]; then
            cp -- "$prev/$BP_MANIFEST_FILE" "$BP_TMP/prev.manifest"
            bp_inodes "$prev" "$BP_TMP/prev.inodes"
          fi
          bp_inodes "$cur" "$BP_TMP/cur.inodes"
          BP_J_PREV_MANIFEST=$BP_TMP/prev.manifest BP_J_PREV_INODES=$BP_TMP/prev.inodes BP_J_CUR_INODES=$BP_TMP/cur.inodes \
            awk "$BP_JOIN_AWK" "$BP_TMP/prev.manifest" "$BP_TMP/prev.inodes" "$BP_TMP/cur.inodes" >"$out"
        }

        # bp_manifest DIR: writes DIR/MANIFEST.sha256 (sha256sum -c format, paths relative to DIR, sorted by
        # bytes). Files hard-linked to the previous snapshot carry its hash over; only the others are read.
        bp_manifest() {
          local dir=$1
          bp_join "$BP_PREVIOUS" "$dir" "$BP_TMP/join"
          sed -n 's/^C\t//p' "$BP_TMP/join" >"$BP_TMP/lines"
          BP_CARRIED=$(wc -l <"$BP_TMP/lines")
          sed -n 's/^F\t//p' "$BP_TMP/join" | tr '\n' '\0' >"$BP_TMP/fresh"
          (cd -- "$dir" && xargs -0 -r sha256sum -- <"$BP_TMP/fresh") >>"$BP_TMP/lines"
          # Names with a line break (never carried over): sha256sum writes them escaped.
          (cd -- "$dir" && find data -type f -name $'*\n*' -print0 | xargs -0 -r sha256sum --) >>"$BP_TMP/lines"
          # Key files: read before the stop, never linked, always hashed.
          if [[ -d $dir/$BP_KEYS_DIR ]]; then (cd -- "$dir" && find "$BP_KEYS_DIR" -type f -print0 | xargs -0 -r sha256sum --) >>"$BP_TMP/lines"; fi
          BP_HASHED=$(($(wc -l <"$BP_TMP/lines") - BP_CARRIED))
          # Every line is "HASH  PATH" (64 + 2 bytes, or one more for an escaped line): field 2 to the end of
          # the line is the path, with the same leading blanks on every line.
          sort -k 2 "$BP_TMP/lines" >"$dir/$BP_MANIFEST_FILE"
          bp_log "manifest: $((BP_HASHED + BP_CARRIED)) files, $BP_HASHED hashed, $BP_CARRIED carried over from the previous snapshot"
        }

        # bp_count PATH: "FILES BYTES" of the regular files at or under PATH.
        bp_count() {
          if [[ -e $1 ]]; then
            find "$(bp_abs "$1")" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %.0f\n", n, b }'
          else
            printf '0 0\n'
          fi
        }

        # bp_describe DIR: per-source counts (BP_SOURCES_JSON, BP_FILES, BP_BYTES) and what the captured
        # databases tell of the app (BP_APP_JSON: alembic_version of the first that has one; the counts of
        # the copies of webui.db and the vector store, bp_app_counts), with the app's versions read before the
        # capture (bp_read_app_versions).
        bp_describe() {
          local dir=$1 i files bytes json='' version='' v copy db='' vectors='' counts app=''
          BP_FILES=0
          BP_BYTES=0
          for i in "${!SOURCE_NAMES[@]}"; do
            copy=$dir/$BP_DATA_DIR/${SOURCE_PATHS[i]}
            if [[ ${SOURCE_KINDS[i]} == key ]]; then copy=$dir/$BP_KEYS_DIR/${SOURCE_PATHS[i]}; fi
            read -r files bytes < <(bp_count "$copy")
            BP_FILES=$((BP_FILES + files))
            BP_BYTES=$((BP_BYTES + bytes))
            json+="${json:+,}{\"bytes\":$bytes,\"files\":$files,\"kind\":$(bp_json_string "${SOURCE_KINDS[i]}"),\"name\":$(bp_json_string "${SOURCE_NAMES[i]}"),\"path\":$(bp_json_string "${SOURCE_PATHS[i]}")}"
            if [[ -z $version && ${SOURCE_KINDS[i]} == sqlite ]]; then
              v=$(sqlite3 "$(bp_abs "$copy")" 'SELECT version_num FROM alembic_version LIMIT 1' 2>/dev/null) || v=''
              if [[ $v =~ ^[0-9A-Za-z_]+$ ]]; then version=$v; fi
            fi
            if [[ -z $db && ${SOURCE_KINDS[i]} == sqlite && ${SOURCE_PATHS[i]##*/} == webui.db && -f $copy ]]; then db=$copy; fi
            if [[ -z $vectors && ${SOURCE_KINDS[i]} == chroma && -d $copy ]]; then vectors=$copy; fi
          done
          BP_SOURCES_JSON="[$json]"
          if [[ -n $version ]]; then app="\"alembic_version\":$(bp_json_string "$version")"; fi
          bp_app_versions_json
          if [[ -n $BP_APPV_JSON_HEAD ]]; then app+="${app:+,}$BP_APPV_JSON_HEAD"; fi
          if [[ -n $db ]] && counts=$(bp_app_counts "$db" "$vectors"); then app+="${app:+,}\"counts\":$counts"; fi
          if [[ -n $BP_APPV_JSON_TAIL ]]; then app+="${app:+,}$BP_APPV_JSON_TAIL"; fi
          BP_APP_JSON="{$app}"
        }

        # bp_uri_path PATH: PATH as a SQLite URI path ('%', '?' and '#' escaped), so any file name opens as
        # itself (also restore.sh's verify).
        bp_uri_path() {
          local p=${1//%/%25}
          p=${p//\?/%3f}
          printf '%s\n' "${p//#/%23}"
        }

        # bp_snapshot_json DIR: writes DIR/SNAPSHOT.json (keys sorted, one line). Written last: a folder holding
        # it is complete.
        bp_snapshot_json() {
          local finished label=''
          finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
          if [[ -n $BP_LABEL ]]; then label="\"label\":\"$BP_LABEL\","; fi
          printf '{"app":%s,"downtime_ms":%d,"executor":"bash","finished":"%s","format":1,"id":"%s","job":%s,%s"plan":%s,"sources":%s,"started":"%s"}\n' \
            "$BP_APP_JSON" "$BP_DOWNTIME_MS" "$finished" "$BP_ID" "$(bp_json_string "$JOB")" "$label" "$(bp_json_string "$PLAN")" \
            "$BP_SOURCES_JSON" "$BP_STARTED" >"$1/$BP_RECORD_FILE.new"
          mv -f -- "$1/$BP_RECORD_FILE.new" "$1/$BP_RECORD_FILE"
        }
        """#

    /// `bp_app_counts DB VECTORS`: SNAPSHOT.json's `app.counts`, from the table list of
    /// `AppConsistency.Counts` (the runtime reads the same tables with the same SQL).
    static var appCounts: String {
        let entries = AppConsistency.Counts.tables.map { "\($0.key):\($0.store == .database ? "db" : "vectors"):\($0.table)" }
        return #"""

            # bp_app_counts DB VECTORS: Open WebUI's counts in the captured DB (webui.db) and the vector store
            # folder VECTORS ('' for none), as SNAPSHOT.json's app.counts: a JSON object, keys sorted, a table
            # the copy lacks left out (docs/app-consistency.md). The copies are opened immutable.
            bp_app_counts() {
              local -A uri=() tables=()
              local entry key store table n json=''
              uri[db]="file:$(bp_uri_path "$(bp_abs "$1")")?immutable=1"
              [[ -z $2 ]] || uri[vectors]="file:$(bp_uri_path "$(bp_abs "$2/chroma.sqlite3")")?immutable=1"
              for store in "${!uri[@]}"; do
                tables[$store]=$(sqlite3 "${uri[$store]}" "\#(AppConsistency.SQL.tables)" 2>/dev/null) || return 1
              done
              for entry in \#(entries.joined(separator: " ")); do
                IFS=: read -r key store table <<<"$entry"
                if [[ -z ${uri[$store]:-} ]] || ! grep -qxF -- "$table" <<<"${tables[$store]}"; then continue; fi
                n=$(sqlite3 "${uri[$store]}" "SELECT count(*) FROM \"$table\"" 2>/dev/null) || return 1
                [[ $n =~ ^[0-9]+$ ]] || return 1
                json+="${json:+,}\"$key\":$n"
              done
              printf '{%s}\n' "$json"
            }
            """#
    }
}
