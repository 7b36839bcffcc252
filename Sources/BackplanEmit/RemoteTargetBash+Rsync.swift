import BackplanCore

/// The `rsync` target type's bash (docs/remote-rsync.md): rsync over ssh into `<path>/<plan>/<job>/`, with
/// `.ID.partial` + `--link-dest` against the newest complete remote snapshot and a rename on the remote.
/// The remote side runs only the constant `RsyncRemote` scripts (`sh -c SCRIPT sh ARG…`), as `backplan run` does.
extension RemoteTargetBash {
    static let rsync = RemoteTargetBash(
        type: .rsync,
        assignments: { targets in
            [
                .array("RSYNC_HOSTS", targets.map { $0.rsync?.host ?? "" }),
                .array("RSYNC_USERS", targets.map { $0.rsync?.user ?? "" }),
                .array("RSYNC_PORTS", targets.map { $0.rsync?.port.map(String.init) ?? "" }),
                .array("RSYNC_KEYS", targets.map { $0.rsync?.sshKey ?? "" }),
                .array("RSYNC_KNOWN_HOSTS", targets.map { $0.rsync?.knownHosts ?? "" }),
            ]
        },
        common: rsyncCommon(RsyncScript.allCases), jobFunctions: rsyncJob, restoreFunctions: rsyncRestore)

    /// The remote scripts a bash script can hold, by the variable that holds it.
    enum RsyncScript: String, CaseIterable {
        case preflight = "BP_RSYNC_SH_PREFLIGHT", list = "BP_RSYNC_SH_LIST", prepare = "BP_RSYNC_SH_PREPARE"
        case publish = "BP_RSYNC_SH_PUBLISH", discard = "BP_RSYNC_SH_DISCARD", remove = "BP_RSYNC_SH_REMOVE"
        case deep = "BP_RSYNC_SH_DEEP", manifest = "BP_RSYNC_SH_MANIFEST", freeSpace = "BP_RSYNC_SH_DF"

        var text: String {
            switch self {
            case .preflight: RsyncRemote.preflightScript
            case .list: RsyncRemote.listScript
            case .prepare: RsyncRemote.prepareScript
            case .publish: RsyncRemote.publishScript
            case .discard: RsyncRemote.discardScript
            case .remove: RsyncRemote.removeScript
            case .deep: RsyncRemote.deepVerifyScript
            case .manifest: RsyncRemote.manifestVerifyScript
            case .freeSpace: RsyncRemote.freeSpaceScript
            }
        }
    }

    /// The remote scripts as bash variables (constants: no plan value in them).
    static func rsyncScripts(_ scripts: [RsyncScript]) -> String {
        scripts.map { "# shellcheck disable=SC2016 # POSIX sh for the remote host; \"$1\"… are its arguments there\n"
            + "readonly \($0.rawValue)=\(Shell.quote($0.text))\n" }.joined()
    }

    /// The ssh plumbing, shared by job scripts, restore.sh and the NAS's pull script. Reads RSYNC_* and
    /// TARGET_PATHS at index I.
    static func rsyncCommon(_ scripts: [RsyncScript]) -> String {
        "\n# ---- Target type rsync: rsync over ssh (docs/remote-rsync.md) ----\n\n" + rsyncScripts(scripts) + #"""

        BP_RSYNC_SSH=()         # bp_rsync_ssh's result: the ssh command words, no destination
        BP_RSYNC_IDS=''         # bp_rsync_list_in's result
        BP_RSYNC_DEST=''        # and user@host
        BP_RSYNC_SSH_DEST=''    # and user@host as ssh takes it (an IPv6 address without its brackets)

        # bp_rsync_ssh I: sets BP_RSYNC_SSH, BP_RSYNC_DEST and BP_RSYNC_SSH_DEST for rsync target I (RsyncRemote.sshOptions): never a
        # prompt, strict host key checking, the plan's port, key and known_hosts file.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_ssh() {
          local i=$1
          BP_RSYNC_SSH=(ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=4
            -o StrictHostKeyChecking=yes)
          if [[ -n ${RSYNC_PORTS[i]} ]]; then BP_RSYNC_SSH+=(-p "${RSYNC_PORTS[i]}"); fi
          if [[ -n ${RSYNC_KEYS[i]} ]]; then
            BP_RSYNC_SSH+=(-o "IdentityFile=$(bp_rsync_config_path "${RSYNC_KEYS[i]}")" -o IdentitiesOnly=yes)
          fi
          if [[ -n ${RSYNC_KNOWN_HOSTS[i]} ]]; then
            BP_RSYNC_SSH+=(-o "UserKnownHostsFile=$(bp_rsync_config_path "${RSYNC_KNOWN_HOSTS[i]}")")
          fi
          BP_RSYNC_DEST=${RSYNC_HOSTS[i]}
          BP_RSYNC_SSH_DEST=$BP_RSYNC_DEST
          if [[ $BP_RSYNC_DEST == '['*']' ]]; then BP_RSYNC_SSH_DEST=${BP_RSYNC_DEST:1:-1}; fi
          if [[ -n ${RSYNC_USERS[i]} ]]; then
            BP_RSYNC_DEST=${RSYNC_USERS[i]}@$BP_RSYNC_DEST
            BP_RSYNC_SSH_DEST=${RSYNC_USERS[i]}@$BP_RSYNC_SSH_DEST
          fi
        }

        # bp_rsync_config_path PATH: PATH as an ssh option value: double-quoted, \ and " escaped, % doubled.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_config_path() {
          local p=${1//\\/\\\\}
          p=${p//\"/\\\"}
          printf '"%s"' "${p//%/%%}"
        }

        # bp_rsync_rsh: rsync's -e value for BP_RSYNC_SSH (each word single-quoted, a quote inside doubled).
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_rsh() {
          local w out=''
          for w in "${BP_RSYNC_SSH[@]}"; do out+="${out:+ }'${w//\'/\'\'}'"; done
          printf '%s' "$out"
        }

        # bp_rsync_quote TEXT: TEXT as one word for the remote POSIX shell.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_quote() {
          local q="'\\''"
          printf "'%s'" "${1//\'/$q}"
        }

        BP_RSYNC_OUT=''         # bp_rsync_run's result: the remote script's stdout

        # bp_rsync_run I LABEL SCRIPT ARG...: runs SCRIPT with sh on rsync target I's host (ssh … sh -c SCRIPT sh
        # ARG…, every word quoted for the remote shell) and puts its stdout in BP_RSYNC_OUT (not printed: a
        # command substitution would lose BP_REMOTE_ERROR). On failure BP_REMOTE_ERROR says why, with a hint
        # for a refused key or an unknown host key.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_run() {
          local i=$1 label=$2 cmd arg out
          shift 2
          cmd="sh -c $(bp_rsync_quote "$1") sh"
          shift
          for arg in "$@"; do cmd+=" $(bp_rsync_quote "$arg")"; done
          bp_rsync_ssh "$i"
          BP_RSYNC_OUT=''
          out=$(mktemp "${TMPDIR:-/tmp}/backplan-rsync.XXXXXX") || { BP_REMOTE_ERROR="mktemp failed"; return 1; }
          if ! bp_remote "$i" "$label" "${BP_RSYNC_SSH[@]}" -- "$BP_RSYNC_SSH_DEST" "$cmd" >"$out"; then
            rm -f -- "$out"
            bp_rsync_hint "$i"
            return 1
          fi
          BP_RSYNC_OUT=$(cat -- "$out")
          rm -f -- "$out"
        }

        # bp_rsync_hint I: adds what to do to BP_REMOTE_ERROR when ssh could not log in.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_hint() {
          local known=${RSYNC_KNOWN_HOSTS[$1]:-the known_hosts files of $(id -un)}
          case $BP_REMOTE_ERROR in
            *'Host key verification failed'*)
              BP_REMOTE_ERROR+=" (the host key of ${RSYNC_HOSTS[$1]} is not in $known or has changed: check its fingerprint, then add it)" ;;
            *'Permission denied'*)
              BP_REMOTE_ERROR+=" (${BP_RSYNC_DEST} refused the key${RSYNC_KEYS[$1]:+ ${RSYNC_KEYS[$1]}}: is its public key in the remote authorized_keys?)" ;;
          esac
        }

        # bp_rsync_list_in I ROOT PLAN/JOB: sets BP_RSYNC_IDS to the IDs of the complete snapshots under
        # ROOT/PLAN/JOB on target I's host, one a line, oldest first.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_list_in() {
          BP_RSYNC_IDS=''
          bp_rsync_run "$1" "listing $2/$3" "$BP_RSYNC_SH_LIST" "$2" "$3" || return 1
          BP_RSYNC_IDS=$(bp_rsync_ids_of "$BP_RSYNC_OUT")
        }

        # bp_rsync_ids_of TEXT: the lines of TEXT that are snapshot IDs, sorted.
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_ids_of() {
          printf '%s\n' "$1" | bp_ids_only | LC_ALL=C sort
        }

        # bp_rsync_manifest_check FILE: checks the output of BP_RSYNC_SH_MANIFEST (RsyncRemote.manifestCheck).
        # shellcheck disable=SC2317 # called by the rsync functions
        bp_rsync_manifest_check() {
          local reason
          reason=$(awk '
            $0 == "\036" { part++; next }
            part == 0 { if (!($0 in m)) { m[$0] = 1; n++ }; next }
            part == 1 { if (!($0 in m) && bad == "") { bad = $0; sub(/^[^ ]*  /, "", bad) }; next }
            part == 2 { files = $1 + 0 }
            END {
              if (part != 2) { print "the remote host'"'"'s answer is incomplete"; exit }
              if (bad != "") { print "a file does not match MANIFEST.sha256: " bad; exit }
              if (files != n) printf "the snapshot holds %d files, MANIFEST.sha256 lists %d\n", files, n
            }' "$1")
          if [[ -n $reason ]]; then BP_REMOTE_ERROR=$reason; return 1; fi
        }
        """#
    }

    /// The job script's bp_rsync_* functions (docs/run-contract.md, "Remote targets").
    static let rsyncJob = #"""

        # The functions below are called as "bp_${TARGET_TYPES[i]}_upload" and so on (hence SC2317).

        # shellcheck disable=SC2317
        bp_rsync_preflight() {
          local i=$1 tool
          for tool in ssh rsync; do
            command -v "$tool" >/dev/null 2>&1 || { BP_REMOTE_ERROR="$tool is not installed"; return 1; }
          done
          if [[ -n ${RSYNC_KEYS[i]} && ! -r ${RSYNC_KEYS[i]} ]]; then
            BP_REMOTE_ERROR="cannot read ssh_key ${RSYNC_KEYS[i]}; it must be readable by the user running the backup"
            return 1
          fi
          if [[ -n ${RSYNC_KNOWN_HOSTS[i]} && ! -r ${RSYNC_KNOWN_HOSTS[i]} ]]; then
            BP_REMOTE_ERROR="cannot read known_hosts ${RSYNC_KNOWN_HOSTS[i]}"
            return 1
          fi
          bp_rsync_run "$i" "ssh to ${RSYNC_HOSTS[i]}" "$BP_RSYNC_SH_PREFLIGHT" "${TARGET_PATHS[i]}"
        }

        # bp_rsync_upload I: rsync -a of $BP_SNAPSHOT into .ID.partial on the remote, hard-linked (--link-dest)
        # against the newest complete remote snapshot, then renamed to ID there. Leftovers of earlier runs are
        # removed first; a failed upload's .ID.partial is removed (or by the next run).
        # shellcheck disable=SC2317
        bp_rsync_upload() {
          local i=$1 prev='' error sent literal largest stats=$BP_TMP/rsync.stats
          local -a opts=(-a --numeric-ids --protect-args --stats)
          bp_rsync_run "$i" "preparing the upload" "$BP_RSYNC_SH_PREPARE" "${TARGET_PATHS[i]}" "$PLAN/$JOB" || return 1
          prev=$(bp_rsync_ids_of "$BP_RSYNC_OUT" | grep -vx -- "$BP_ID" | tail -n 1 || true)
          if [[ -n $prev ]]; then opts+=("--link-dest=../$prev"); fi
          bp_rsync_ssh "$i"
          bp_log "target ${TARGET_NAMES[i]}: uploading to $(bp_rsync_location "$i" ".$BP_ID$BP_PARTIAL_SUFFIX")${prev:+ (unchanged files linked to $prev)}"
          if ! bp_remote "$i" "rsync" rsync "${opts[@]}" -e "$(bp_rsync_rsh)" -- "$BP_SNAPSHOT/" \
            "$BP_RSYNC_DEST:${TARGET_PATHS[i]}/$PLAN/$JOB/.$BP_ID$BP_PARTIAL_SUFFIX/" >"$stats"; then
            bp_rsync_hint "$i"
            error=$BP_REMOTE_ERROR
            # rsync often loses the receiver's "No space left on device": say it when the remote disk is full
            # (less free than the largest file plus 1 MiB: rsync removes the file it failed to write).
            largest=$(find "$BP_SNAPSHOT" -type f -printf '%s\n' | sort -n | tail -n 1)
            if bp_rsync_run "$i" "df" "$BP_RSYNC_SH_DF" "${TARGET_PATHS[i]}" && [[ $BP_RSYNC_OUT =~ ^[0-9]+$ ]] &&
              ((BP_RSYNC_OUT < ${largest:-0} / 1024 + 1024)); then
              error+="; no space left on the remote file system holding ${TARGET_PATHS[i]} ($BP_RSYNC_OUT KiB free)"
            fi
            bp_rsync_run "$i" "removing the partial upload" "$BP_RSYNC_SH_DISCARD" "${TARGET_PATHS[i]}" "$PLAN/$JOB" "$BP_ID" || true
            BP_REMOTE_ERROR=$error
            return 1
          fi
          sent=$(sed -n 's/^Total bytes sent: *//p' "$stats" | tr -d ',')
          literal=$(sed -n 's/^Literal data: *//p' "$stats" | tr -d ',')
          bp_log "target ${TARGET_NAMES[i]}: rsync sent ${sent:-?} bytes (${literal:-?} bytes of file data)"
          bp_rsync_run "$i" "publishing $BP_ID" "$BP_RSYNC_SH_PUBLISH" "${TARGET_PATHS[i]}" "$PLAN/$JOB" "$BP_ID"
        }

        # bp_rsync_verify I: deep: sha256sum -c of the whole manifest on the remote host; manifest: the files the
        # upload wrote (one link) are hashed there and must be manifest lines, and the file count must match.
        # shellcheck disable=SC2317
        bp_rsync_verify() {
          local i=$1
          if [[ $VERIFY == deep ]]; then
            bp_rsync_run "$i" "sha256sum -c on the remote host" "$BP_RSYNC_SH_DEEP" "${TARGET_PATHS[i]}" "$PLAN/$JOB" "$BP_ID"
            return
          fi
          bp_rsync_run "$i" "hashing on the remote host" "$BP_RSYNC_SH_MANIFEST" "${TARGET_PATHS[i]}" "$PLAN/$JOB" "$BP_ID" || return 1
          printf '%s\n' "$BP_RSYNC_OUT" >"$BP_TMP/rsync.verify"
          bp_rsync_manifest_check "$BP_TMP/rsync.verify"
        }

        # bp_rsync_ids I: prints the IDs (as bp_T_ids must); the error also goes to stderr, since the caller
        # reads this in a command substitution.
        # shellcheck disable=SC2317
        bp_rsync_ids() {
          if ! bp_rsync_list_in "$1" "${TARGET_PATHS[$1]}" "$PLAN/$JOB"; then
            printf '%s\n' "$BP_REMOTE_ERROR" >&2
            return 1
          fi
          if [[ -n $BP_RSYNC_IDS ]]; then printf '%s\n' "$BP_RSYNC_IDS"; fi
        }

        # bp_rsync_labels I ID...: "ID STATE" lines (bp_label_states) from every SNAPSHOT.json of the job,
        # fetched in one rsync into a temporary folder (regular files only: -r without -l skips links).
        # shellcheck disable=SC2317
        bp_rsync_labels() {
          local i=$1 dir
          shift
          dir=$(mktemp -d "${TMPDIR:-/tmp}/backplan-labels.XXXXXX") || return 1
          bp_rsync_ssh "$i"
          if ! bp_remote "$i" "rsync of the $BP_RECORD_FILE files" rsync -r --protect-args --include='/*/' \
            --include="/*/$BP_RECORD_FILE" --exclude='*' -e "$(bp_rsync_rsh)" -- \
            "$BP_RSYNC_DEST:${TARGET_PATHS[i]}/$PLAN/$JOB/" "$dir/"; then
            bp_log "target ${TARGET_NAMES[i]}: $BP_REMOTE_ERROR"
            rm -rf -- "$dir"
            return 1
          fi
          bp_label_states "$dir" "$@"
          rm -rf -- "$dir"
        }

        # shellcheck disable=SC2317
        bp_rsync_remove() {
          local i=$1
          shift
          bp_rsync_run "$i" "removing snapshots" "$BP_RSYNC_SH_REMOVE" "${TARGET_PATHS[i]}" "$PLAN/$JOB" "$@"
        }

        # shellcheck disable=SC2317
        bp_rsync_location() {
          bp_rsync_ssh "$1"
          printf '%s:%s/%s/%s/%s' "$BP_RSYNC_DEST" "${TARGET_PATHS[$1]}" "$PLAN" "$JOB" "$2"
        }

        """#

    /// restore.sh's rsync_snapshots, rsync_info and rsync_open.
    static let rsyncRestore = #"""

        # "ID JOB" lines of the complete snapshots on rsync target $1, of job $2 ("" for every job).
        bp_rsync_snapshots() {
          local job
          for job in "${JOBS[@]}"; do
            if [[ -n "$2" && "$job" != "$2" ]]; then continue; fi
            bp_rsync_list_in "$1" "${TARGET_PATHS[$1]}" "$PLAN/$job" || bp_die "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
            if [[ -n "$BP_RSYNC_IDS" ]]; then printf '%s\n' "$BP_RSYNC_IDS" | sed "s/\$/ $job/"; fi
          done
        }

        # "STARTED SOURCE-BYTES" of snapshot $3 of job $2 on rsync target $1 (its SNAPSHOT.json, read with ssh cat).
        bp_rsync_info() {
          local dir="$DOWNLOAD/info-$2-$3"
          mkdir -p -- "$dir"
          bp_rsync_ssh "$1"
          if ! bp_remote "$1" "reading SNAPSHOT.json" "${BP_RSYNC_SSH[@]}" -- "$BP_RSYNC_SSH_DEST" \
            "cat -- $(bp_rsync_quote "${TARGET_PATHS[$1]}/$PLAN/$2/$3/$BP_RECORD_FILE")" >"$dir/$BP_RECORD_FILE"; then
            bp_log "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
          fi
          bp_snapshot_info "$dir"
        }

        # Downloads snapshot $3 of job $2 from rsync target $1 into $DOWNLOAD and prints the folder.
        bp_rsync_open() {
          local dir="$DOWNLOAD/$2-$3"
          bp_rsync_ssh "$1"
          bp_log "downloading $BP_RSYNC_DEST:${TARGET_PATHS[$1]}/$PLAN/$2/$3 into $dir"
          bp_remote "$1" "rsync" rsync -rlpt --protect-args -e "$(bp_rsync_rsh)" -- \
            "$BP_RSYNC_DEST:${TARGET_PATHS[$1]}/$PLAN/$2/$3/" "$dir/" >&2 || bp_die "target ${TARGET_NAMES[$1]}: $BP_REMOTE_ERROR"
          printf '%s\n' "$dir"
        }

"""#
}
