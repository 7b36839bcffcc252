/// The values both executors share (docs/run-contract.md): the snapshot-ID pattern, the file names of the
/// state dir and of a snapshot, the step names, the exit statuses and the fields of `runs.jsonl`. The
/// runtime reads them from here; the emitters write them once into the plan's `lib/backplan.sh` (and the
/// standalone pull script) as `readonly BP_…` values (`bashValues`), which every bash function uses. Neither
/// executor spells them on its own.
public enum RunContract {
    // MARK: Snapshot IDs

    /// The shape of a snapshot ID, the UTC start time `YYYYMMDDTHHMMSSZ`, as a POSIX extended regular
    /// expression without anchors (bash's `=~`, `grep -E`). `SnapshotTime` parses it (and rejects dates
    /// that do not exist, which the pattern lets through).
    public static let idBody = "[0-9]{8}T[0-9]{6}Z"
    /// A whole name that is a snapshot ID.
    public static let idPattern = "^" + idBody + "$"
    /// `date -u +FORMAT` of an ID.
    public static let idDateFormat = "%Y%m%dT%H%M%SZ"
    /// A snapshot being written (`.<ID>.partial`) or removed (`.<ID>.deleting`): never listed, swept by
    /// the next run.
    public static let partialSuffix = ".partial"
    public static let deletingSuffix = ".deleting"
    /// The whole name of such a leftover: the ID's shape between a dot and one of the suffixes.
    public static let leftoverPattern = #"^\."# + idBody + #"\.(partial|deleting)$"#

    /// `.<ID>.partial`
    public static func partialName(_ id: String) -> String { "." + id + partialSuffix }
    /// `.<ID>.deleting`
    public static func deletingName(_ id: String) -> String { "." + id + deletingSuffix }

    // MARK: Files

    /// In `<state_dir>`: `flock`ed for the whole run.
    public static let lockFile = "lock"
    /// In `<state_dir>`: the quiesce journal (written as `quiesce.new`, then renamed).
    public static let quiesceJournal = "quiesce"
    /// In `<state_dir>`: one JSON object per run.
    public static let runsLog = "runs.jsonl"
    /// In `<state_dir>`: the capture of a job without a local target.
    public static let stagingDir = "staging"
    /// In a snapshot: the files, as under the data dir.
    public static let dataDir = "data"
    /// In a snapshot: one file per `key` source, named after it, mode 0600.
    public static let keysDir = "keys"
    /// The largest key file either executor captures (a key, an env file), in bytes.
    public static let keyFileLimit = 65_536
    /// In a snapshot: `sha256sum -c` format, paths relative to the snapshot folder.
    public static let manifestFile = "MANIFEST.sha256"
    /// In a snapshot: what the run captured; a folder is a complete snapshot only when it holds it.
    public static let recordFile = "SNAPSHOT.json"

    // MARK: Steps and exit statuses

    /// The `step` of a log line in the runtime's `--json` output. (The bash script's log lines carry no
    /// step field; their messages start with the same words.)
    public enum Step: String, Sendable, CaseIterable {
        case run, start, jitter, signal, lock, cleanup, preflight, quiesce, capture, manifest, publish, verify
        case retention, record, notify, end
        case dryRun = "dry-run"
        /// `--timings`' line (the runtime only).
        case timing
    }

    /// A run's exit status.
    public enum Exit: Int32, Sendable, CaseIterable {
        /// Every target done.
        case ok = 0
        /// Nothing published (preflight, quiesce, capture or every target failed).
        case failed = 1
        /// Some targets failed, at least one published.
        case partial = 3
        /// Bad arguments.
        case usage = 64

        /// `status` in runs.jsonl: ok, partial or failed.
        public static func status(_ exit: Int32) -> String {
            exit == Exit.ok.rawValue ? "ok" : exit == Exit.partial.rawValue ? "partial" : "failed"
        }
    }

    // MARK: runs.jsonl

    /// The fields of a `runs.jsonl` line, in their (sorted) order; `RunRecord`'s coding keys.
    public enum RunField: String, CodingKey, Sendable, CaseIterable {
        case bytes
        case downtimeMs = "downtime_ms"
        case error, executor, exit, files, finished, id, job, label, plan, started, status, targets
    }

    /// The fields of one target in `targets`, sorted.
    public enum TargetField: String, CodingKey, Sendable, CaseIterable {
        case error, name, status
    }

    /// The bash script's `printf` format of a runs.jsonl line, keys in the order above: numbers as `%d`,
    /// strings as `"%s"`, `job` and `plan` as already-escaped JSON (`%s`), `error` and `label` as a whole
    /// optional `"error":…,` / `"label":…,` member (`%s`), `executor` the constant `bash`, `targets` the joined target objects.
    static var bashRunFormat: String {
        let members = RunField.allCases.map { field -> String in
            switch field {
            case .error, .label: return "%s"
            case .executor: return #""executor":"bash","#
            case .bytes, .downtimeMs, .exit, .files: return "\"\(field.rawValue)\":%d,"
            case .finished, .id, .started, .status: return "\"\(field.rawValue)\":\"%s\","
            case .job, .plan: return "\"\(field.rawValue)\":%s,"
            case .targets: return "\"\(field.rawValue)\":[%s]"
            }
        }
        return "{" + members.joined() + "}"
    }

    // MARK: Bash

    /// The `readonly` lines written once into every bash library and pull script: the only place bash
    /// gets these values from.
    public static var bashValues: [(name: String, value: String)] {
        [
            ("BP_ID_RE", idPattern),
            ("BP_LEFTOVER_RE", leftoverPattern),
            ("BP_ID_DATE_FORMAT", idDateFormat),
            ("BP_PARTIAL_SUFFIX", partialSuffix),
            ("BP_DELETING_SUFFIX", deletingSuffix),
            ("BP_LOCK_FILE", lockFile),
            ("BP_QUIESCE_JOURNAL", quiesceJournal),
            ("BP_RUNS_LOG", runsLog),
            ("BP_STAGING_DIR", stagingDir),
            ("BP_DATA_DIR", dataDir),
            ("BP_KEYS_DIR", keysDir),
            ("BP_KEY_LIMIT", String(keyFileLimit)),
            ("BP_MANIFEST_FILE", manifestFile),
            ("BP_RECORD_FILE", recordFile),
            ("BP_EXIT_OK", String(Exit.ok.rawValue)),
            ("BP_EXIT_FAILED", String(Exit.failed.rawValue)),
            ("BP_EXIT_PARTIAL", String(Exit.partial.rawValue)),
            ("BP_EXIT_USAGE", String(Exit.usage.rawValue)),
            ("BP_LABEL_RE", SnapshotLabel.pattern),
            ("BP_RUN_FORMAT", bashRunFormat),
        ]
    }

    /// `bashValues` as bash, one `readonly NAME=VALUE` a line, quoted by `Shell.quote`: those `script` reads
    /// (`$NAME` or `${NAME`), so that a script that needs only some (the NAS's pull script) holds no unused one.
    public static func bash(usedBy script: String) -> String {
        "# ---- The run contract (RunContract in BackplanCore; docs/run-contract.md): written from it, not by hand ----\n"
            + bashValues.filter { script.contains("$" + $0.name) || script.contains("${" + $0.name) }
                .map { "readonly \($0.name)=\(Shell.quote($0.value))\n" }.joined()
    }
}
