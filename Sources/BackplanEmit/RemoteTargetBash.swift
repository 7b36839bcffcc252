import BackplanCore

/// The bash of the remote target types (rclone, restic, rsync push) in job scripts and restore.sh
/// (docs/run-contract.md, "Remote targets"). A type's variables and functions are emitted only into a
/// script whose targets include that type, so a script carries no code it cannot run.
///
/// In a job script each type T defines, for target index I (the job's TARGET_NAMES):
///
///     bp_T_preflight I     tool, credential files and reachability; on failure sets BP_REMOTE_ERROR, returns 1
///     bp_T_upload I        publishes $BP_SNAPSHOT (a complete local snapshot folder) as $JOB/$BP_ID,
///                          incrementally; cleans or resumes what an interrupted upload left
///     bp_T_verify I        checks the upload ($VERIFY: manifest or deep)
///     bp_T_ids I           prints the IDs of the complete snapshots of $JOB, oldest first
///     bp_T_remove I ID...  removes these snapshots (each stops being listed first)
///     bp_T_location I ID   prints where snapshot ID lives, for logs (never a credential)
///
/// and in restore.sh `bp_T_snapshots IDX JOB` ("ID JOB" lines, like bp_local_snapshots) and
/// `bp_T_open IDX JOB ID` (downloads the snapshot under $STAGING and prints the folder).
/// Every function sets BP_REMOTE_ERROR to a one-line reason when it returns 1.
struct RemoteTargetBash: Sendable {
    var type: TargetType
    /// Extra readonly arrays of the job script (parallel to TARGET_NAMES), for this type's functions.
    var assignments: @Sendable ([CompiledTarget]) -> [ShellAssignment]
    /// Variables and functions both the job scripts and restore.sh use.
    var common: String
    /// The job scripts' functions.
    var jobFunctions: String
    /// restore.sh's functions.
    var restoreFunctions: String

    /// This type's part of the plan's library (`lib/backplan.sh`).
    var library: String { common + jobFunctions + restoreFunctions }

    /// Every remote type, in the order their code is emitted (`TargetType`'s order).
    static let all: [RemoteTargetBash] = TargetType.allCases.compactMap(bash(for:))

    /// The bash of a target type; nil for `local`, whose code is in every job script.
    static func bash(for type: TargetType) -> RemoteTargetBash? {
        switch type {
        case .local: nil
        case .rclone: .rclone
        case .restic: .restic
        case .rsync: .rsync
        }
    }

    /// The types among `targets`.
    static func types(in targets: [CompiledTarget]) -> [RemoteTargetBash] {
        all.filter { type in targets.contains { $0.type == type.type && !$0.isPulled } }
    }

    /// The shared assignments of scripts with any remote target.
    static func commonAssignments(_ targets: [CompiledTarget]) -> [ShellAssignment] {
        [.array("TARGET_ENV_FILES", targets.map { $0.envFile ?? "" })]
    }

    /// Reading env files (both scripts): KEY=value lines read as data, never executed, with the rules of
    /// compose's env files (`EnvFile`): `#` comments, `export `, quotes; a bare KEY is left as it is.
    static let envFile = #"""

        # ---- Remote targets: credentials from env files ----

        BP_ENV_KEYS=()          # bp_read_env_file's result
        BP_ENV_VALUES=()

        # bp_read_env_file FILE: reads FILE's KEY=value lines into BP_ENV_KEYS and BP_ENV_VALUES (no code is run);
        # returns 1 with BP_REMOTE_ERROR set when FILE cannot be read or a line is not KEY=value.
        # shellcheck disable=SC2317 # called by the remote types' functions
        bp_read_env_file() {
          local file=$1 line key value n=0
          BP_ENV_KEYS=()
          BP_ENV_VALUES=()
          [[ -n $file ]] || return 0
          if [[ ! -r $file ]]; then
            BP_REMOTE_ERROR="cannot read env_file $file; it must be readable by the user running the backup"
            return 1
          fi
          while IFS= read -r line || [[ -n $line ]]; do
            n=$((n + 1))
            line=${line%$'\r'}
            line=${line#"${line%%[!$' \t']*}"}
            [[ -n $line && $line != '#'* ]] || continue
            if [[ $line == 'export '* ]]; then
              line=${line#export }
              line=${line#"${line%%[! ]*}"}
            fi
            [[ $line == *=* ]] || continue
            key=${line%%=*}
            key=${key%"${key##*[!$' \t']}"}
            if [[ ! $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
              BP_REMOTE_ERROR="env_file $file line $n: the name before '=' is not a shell variable name (not shown: the line may hold a credential; KEY=value lines only)"
              return 1
            fi
            value=${line#*=}
            value=${value#"${value%%[!$' \t']*}"}
            if [[ $value == "'"*"'"* ]]; then
              value=${value#\'}
              value=${value%%\'*}
            elif [[ $value == '"'* ]]; then
              value=$(bp_env_unquote "${value#\"}")
            else
              value=${value%% #*}
              value=${value%"${value##*[!$' \t']}"}
            fi
            BP_ENV_KEYS+=("$key")
            BP_ENV_VALUES+=("$value")
          done <"$file"
        }

        # bp_env_unquote TEXT: TEXT after an opening double quote, up to the closing one, with \n, \t and \X read.
        # shellcheck disable=SC2317 # called by the remote types' functions
        bp_env_unquote() {
          local text=$1 out='' c k
          for ((k = 0; k < ${#text}; k++)); do
            c=${text:k:1}
            if [[ $c == "\\" ]]; then
              k=$((k + 1))
              c=${text:k:1}
              case $c in
                n) out+=$'\n' ;;
                t) out+=$'\t' ;;
                *) out+=$c ;;
              esac
            elif [[ $c == '"' ]]; then
              break
            else
              out+=$c
            fi
          done
          printf '%s' "$out"
        }

        # bp_remote I LABEL COMMAND...: runs COMMAND for target I with its env_file's variables exported (in a
        # subshell: nothing leaks into the script), stdin from /dev/null, stdout as this function's. COMMAND's
        # stderr is kept; when COMMAND fails, BP_REMOTE_ERROR says "LABEL failed (status N): <its last lines>"
        # with every secret env-file value (bp_env_is_secret) replaced by [redacted].
        # shellcheck disable=SC2317 # called by the remote types' functions
        bp_remote() {
          local i=$1 label=$2 rc=0 k err
          shift 2
          err=$(mktemp "${TMPDIR:-/tmp}/backplan-remote.XXXXXX") || return 1
          (
            bp_read_env_file "${TARGET_ENV_FILES[i]}" || { printf '%s\n' "$BP_REMOTE_ERROR" >&2; exit 1; }
            for k in "${!BP_ENV_KEYS[@]}"; do export "${BP_ENV_KEYS[k]}=${BP_ENV_VALUES[k]}"; done
            exec "$@"
          ) </dev/null 2>"$err" || rc=$?
          if ((rc != 0)); then BP_REMOTE_ERROR="$label failed (status $rc)$(bp_redacted_tail "$i" "$err")"; fi
          rm -f -- "$err"
          return "$rc"
        }

        # bp_env_is_secret KEY VALUE: whether VALUE is redacted from messages (EnvFile.isSecret): KEY not a plain
        # setting (\#(EnvFile.plainKeySuffixes.joined(separator: " "))), and VALUE not empty and either KEY names a
        # credential (a word \#(EnvFile.secretNameWords.joined(separator: " ")), or containing
        # \#(EnvFile.secretNameParts.joined(separator: " "))) or VALUE is 4 characters or more, not true/false or a number.
        # shellcheck disable=SC2317 # called by bp_redacted_tail
        bp_env_is_secret() {
          local name=${1^^} plain word
          [[ -n $2 ]] || return 1
          for plain in \#(EnvFile.plainKeySuffixes.joined(separator: " ")); do
            if [[ $name == "$plain" || $name == *_"$plain" ]]; then return 1; fi
          done
          for word in \#(EnvFile.secretNameWords.joined(separator: " ")); do
            if [[ _${name}_ == *_"$word"_* ]]; then return 0; fi
          done
          for word in \#(EnvFile.secretNameParts.joined(separator: " ")); do
            if [[ $name == *"$word"* ]]; then return 0; fi
          done
          if ((${#2} < 4)) || [[ $2 == true || $2 == false || $2 =~ ^[0-9]+$ ]]; then return 1; fi
        }

        # bp_redacted_tail I FILE: ": " and FILE's last three non-empty lines joined by " | ", with every secret
        # value of target I's env file replaced by [redacted] (longest first, as RemoteTool.redact: a short value
        # inside a longer one must not split it); nothing when FILE has no line.
        # shellcheck disable=SC2317 # called by the remote types' functions
        bp_redacted_tail() {
          local k
          BP_ENV_KEYS=()
          BP_ENV_VALUES=()
          bp_read_env_file "${TARGET_ENV_FILES[$1]}" 2>/dev/null || true
          {
            for k in "${!BP_ENV_KEYS[@]}"; do
              if bp_env_is_secret "${BP_ENV_KEYS[k]}" "${BP_ENV_VALUES[k]}"; then printf '%s\n' "${BP_ENV_VALUES[k]}"; fi
            done
            printf '\x1e\n'
            cat -- "$2"
          } | awk '
            !sep { if ($0 == "\036") sep = 1; else if (length($0) > 0) secret[n++] = $0; next }
            !sorted { sorted = 1; for (i = 1; i < n; i++) for (j = i; j > 0 && length(secret[j]) > length(secret[j - 1]); j--) { t = secret[j]; secret[j] = secret[j - 1]; secret[j - 1] = t } }
            NF {
              for (k = 0; k < n; k++) {
                out = ""; rest = $0
                while ((p = index(rest, secret[k])) > 0) { out = out substr(rest, 1, p - 1) "[redacted]"; rest = substr(rest, p + length(secret[k])) }
                $0 = out rest
              }
              sub(/^[ \t]+/, ""); lines[m++] = $0
            }
            END { if (m == 0) exit; s = ""; for (k = (m > 3 ? m - 3 : 0); k < m; k++) s = s (s == "" ? "" : " | ") lines[k]; printf ": %s", s }'
        }
        """#
}
