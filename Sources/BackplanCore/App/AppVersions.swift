import Foundation

/// The versions of an Open WebUI app: what SNAPSHOT.json's `app` records of the app that wrote the data,
/// and what a restore compares with the app that will open it (docs/run-contract.md, docs/restore.md).
///
/// Both executors read them the same way: they run `hostScript` with POSIX `sh` (the compose tool's
/// `ps -q SERVICE`, the engine's `inspect` and `image inspect`, then `probeScript` in a throw-away
/// container of the service's image), and read its `KEY VALUE` lines with the same rules (`parse` here,
/// `bp_app_versions_parse` in bash). Everything read from the engine or the image is untrusted: each value
/// is checked against its pattern (a version is `[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}`) and dropped when it does
/// not match, so only checked values are ever printed or recorded.
public struct AppVersions: Hashable, Sendable {
    /// The image reference the service's container was created from (`ghcr.io/open-webui/open-webui:main`).
    public var image: String?
    /// The engine's image ID (`sha256:` and 64 hex digits).
    public var imageID: String?
    /// The first repo digest (`ghcr.io/open-webui/open-webui@sha256:…`); a locally built image has none.
    public var imageDigest: String?
    /// Open WebUI's version: `/app/package.json`'s `version`, else an `open_webui-X.dist-info`, else the
    /// image's `org.opencontainers.image.version` label when it is a release (`:main` says `main`).
    public var openWebUI: String?
    /// The version of the `chromadb` Python package (`chromadb-X.dist-info`), which writes `vector_db/`.
    public var chromaDB: String?
    /// The snapshot's side: `alembic_version` of its webui.db.
    public var alembicVersion: String?
    /// The app's side: the alembic revisions its migrations know (restore only; never recorded).
    public var alembicRevisions: [String] = []
    /// Why something was not read or was dropped, as sentences (warnings; never fatal).
    public var problems: [String] = []

    public init(image: String? = nil, imageID: String? = nil, imageDigest: String? = nil, openWebUI: String? = nil,
                chromaDB: String? = nil, alembicVersion: String? = nil, alembicRevisions: [String] = []) {
        self.image = image
        self.imageID = imageID
        self.imageDigest = imageDigest
        self.openWebUI = openWebUI
        self.chromaDB = chromaDB
        self.alembicVersion = alembicVersion
        self.alembicRevisions = alembicRevisions
    }

    // MARK: The scripts both executors run

    /// Run in a throw-away container of the app's image (`ENGINE run --rm --network none --entrypoint sh
    /// IMAGE -c PROBE`), or on the server for a pip install (`sh -c PROBE sh SITE-PACKAGES`, `pipScript`):
    /// POSIX sh and its built-ins only (no python, no sed), so any image with a `sh` answers. Prints
    /// `open_webui V` (package.json's first `"version"` line; a pip install's dist-info), `chromadb V` (its
    /// dist-info folder) and `alembic REV` (each migration file's `revision =` line), looking in `$1` (when
    /// given) and then in the system's site-packages.
    public static let probeScript = #"""
        for f in /app/package.json; do
          [ -f "$f" ] || continue
          while IFS= read -r line; do
            case $line in
              *'"version"'*:*) v=${line#*'"version"'}; v=${v#*'"'}; printf 'open_webui %s\n' "${v%%'"'*}"; break ;;
            esac
          done <"$f"
        done
        migrations=''
        for m in /app/backend/open_webui/migrations/versions; do [ -d "$m" ] && migrations=$m; done
        for site in ${1:+"$1"} /usr/local/lib/python3*/site-packages /usr/lib/python3*/site-packages; do
          [ -d "$site" ] || continue
          for d in "$site"/open_webui-*.dist-info; do
            [ -d "$d" ] || continue
            d=${d##*/open_webui-}; printf 'open_webui %s\n' "${d%.dist-info}"
          done
          for d in "$site"/chromadb-*.dist-info; do
            [ -d "$d" ] || continue
            d=${d##*/chromadb-}; printf 'chromadb %s\n' "${d%.dist-info}"
          done
          if [ -z "$migrations" ] && [ -d "$site/open_webui/migrations/versions" ]; then migrations=$site/open_webui/migrations/versions; fi
        done
        if [ -n "$migrations" ]; then
          for f in "$migrations"/*.py; do
            [ -f "$f" ] || continue
            while IFS= read -r line; do
              case $line in
                revision*=*) v=${line#*=}; v=${v#*[\"\']}; printf 'alembic %s\n' "${v%%[\"\']*}"; break ;;
              esac
            done <"$f"
          done
        fi
        exit 0
        """#

    /// Run on the server by restore for a plan without a compose service (a pip install): `sh -c SCRIPT sh
    /// PROBE`. The `open-webui` command on PATH (the environment restore runs in: an activated venv, pipx's
    /// `~/.local/bin`) names its Python on its `#!` line; the probe runs on that Python's site-packages.
    public static let pipScript = #"""
        probe=$1
        exe=$(command -v open-webui 2>/dev/null) || exe=''
        case $exe in /*) ;; *) echo 'problem pip'; exit 0 ;; esac
        IFS= read -r line <"$exe" || line=''
        case $line in '#!/'*) ;; *) echo 'problem pip'; exit 0 ;; esac
        python=${line#'#!'}
        python=${python%% *}
        prefix=${python%/bin/*}
        site=''
        for s in "$prefix"/lib/python3*/site-packages; do [ -d "$s/open_webui" ] && site=$s; done
        [ -n "$site" ] || { echo 'problem pip'; exit 0; }
        sh -c "$probe" sh "$site" | tr -d '\000' | cut -c 1-300 | head -n 2000
        exit 0
        """#

    /// Run on the server by both executors: `sh -c SCRIPT sh SERVICE FILE PROJECT PROBE COMPOSE-WORD…`
    /// (PROJECT may be empty). The container is the first of `ps -q SERVICE`, else of `ps -a -q SERVICE`
    /// (compose v2 lists a stopped container only with `-a`; v1's `-a` adds one-off `run` containers, so it
    /// comes second). The engine is `podman` when the compose command is podman's, else `docker`.
    /// Each engine call is bounded by `timeout 60` when coreutils has it; the output loses its NUL bytes
    /// (bash cannot hold them, so both executors read the same text) and is cut to 2000 lines of 300 bytes. A step that fails prints `problem CODE` (`problemText`) and the script exits 0.
    public static let hostScript = #"""
        service=$1 file=$2 project=$3 probe=$4
        shift 4
        case ${1##*/} in podman | podman-compose) engine=podman ;; *) engine=docker ;; esac
        t=''
        if command -v timeout >/dev/null 2>&1; then t='timeout 60'; fi
        if [ -n "$project" ]; then set -- "$@" -f "$file" -p "$project"; else set -- "$@" -f "$file"; fi
        ids=$($t "$@" ps -q "$service" 2>/dev/null) || { echo 'problem compose'; exit 0; }
        [ -n "$ids" ] || ids=$($t "$@" ps -a -q "$service" 2>/dev/null) || ids=''
        id=$(printf '%s\n' "$ids" | head -n 1)
        case $id in '' | *[!0-9a-f]*) echo 'problem container'; exit 0 ;; esac
        ref=$($t "$engine" inspect --type container --format '{{.Config.Image}}' "$id" 2>/dev/null) || ref=''
        image=$($t "$engine" inspect --type container --format '{{.Image}}' "$id" 2>/dev/null) || image=''
        case ${image#sha256:} in '' | *[!0-9a-f]*) echo 'problem image'; exit 0 ;; esac
        {
          printf 'image %s\nimage_id %s\n' "$ref" "$image"
          $t "$engine" image inspect --format '{{range .RepoDigests}}{{println "image_digest" .}}{{end}}' "$image" 2>/dev/null
          $t "$engine" image inspect --format '{{range $k, $v := .Config.Labels}}{{if eq $k "org.opencontainers.image.version"}}{{println "label" $v}}{{end}}{{end}}' "$image" 2>/dev/null
          $t "$engine" run --rm --network none --entrypoint sh "$image" -c "$probe" 2>/dev/null || echo 'problem probe'
        } | tr -d '\000' | cut -c 1-300 | head -n 2000
        exit 0
        """#

    /// The sentence for each `problem CODE` of `hostScript`.
    public static let problemText: [(code: String, text: String)] = [
        ("compose", "the compose command failed (is the container engine running?)"),
        ("container", "the compose service has no container (it was never created here)"),
        ("image", "the engine did not say which image the service's container runs"),
        ("probe", "a container of the app's image could not be run to read its versions"),
        ("pip", "no open-webui command on PATH leads to a pip install (activate its venv, or put its bin on PATH)"),
    ]

    // MARK: Reading the script's output

    /// What a line of `hostScript` may carry under each key, checked with `matches(_:_:)`.
    public enum Pattern: String, Sendable, CaseIterable {
        /// `[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}`
        case version
        /// An image reference: `[0-9A-Za-z][0-9A-Za-z._/:@+-]{0,254}`
        case reference
        /// `sha256:` and 64 lowercase hex digits.
        case imageID
        /// `NAME@sha256:HEX` with NAME of reference characters (no `@`).
        case digest
        /// An alembic revision: `[0-9A-Za-z_]{1,64}` (the executors' rule for `alembic_version`).
        case revision

        /// The same rule as a bash extended regular expression (`[[ $v =~ … ]]`, LC_ALL=C).
        public var bash: String {
            switch self {
            case .version: "^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$"
            case .reference: "^[0-9A-Za-z][0-9A-Za-z._/:@+-]{0,254}$"
            case .imageID: "^sha256:[0-9a-f]{64}$"
            case .digest: "^[0-9A-Za-z][0-9A-Za-z._/:+-]{0,254}@sha256:[0-9a-f]{64}$"
            case .revision: "^[0-9A-Za-z_]{1,64}$"
            }
        }
    }

    /// Whether `value` matches `pattern` (ASCII only, byte for byte the bash rule).
    public static func matches(_ value: String, _ pattern: Pattern) -> Bool {
        let bytes = Array(value.utf8)
        func isAlnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 102) }
        func run(_ s: ArraySlice<UInt8>, first: (UInt8) -> Bool, rest: (UInt8) -> Bool, max: Int) -> Bool {
            guard let head = s.first, first(head), s.count <= max else { return false }
            return s.dropFirst().allSatisfy(rest)
        }
        let refChar: (UInt8) -> Bool = { isAlnum($0) || Array("._/:@+-".utf8).contains($0) }
        switch pattern {
        case .version:
            return run(bytes[...], first: isAlnum, rest: { isAlnum($0) || Array(".+_-".utf8).contains($0) }, max: 64)
        case .reference:
            return run(bytes[...], first: isAlnum, rest: refChar, max: 255)
        case .imageID:
            return bytes.count == 71 && value.hasPrefix("sha256:") && bytes.dropFirst(7).allSatisfy(isHex)
        case .digest:
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
            let hash = bytes[(at + 1)...]
            return run(bytes[..<at], first: isAlnum, rest: { refChar($0) && $0 != UInt8(ascii: "@") }, max: 255)
                && hash.count == 71 && hash.starts(with: Array("sha256:".utf8)) && hash.dropFirst(7).allSatisfy(isHex)
        case .revision:
            return !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
        }
    }

    /// The keys `hostScript` prints, with their pattern, in the order their problems are reported.
    static let keys: [(key: String, pattern: Pattern)] = [
        ("image", .reference), ("image_id", .imageID), ("image_digest", .digest), ("label", .version),
        ("open_webui", .version), ("chromadb", .version), ("alembic", .revision),
    ]

    /// Reads `hostScript`'s output: the first valid value of each key (every valid `alembic`), the label
    /// as Open WebUI's version when nothing else gave one and it is a release, a problem sentence for each
    /// `problem` line and for each key that had only invalid values.
    public static func parse(_ output: String) -> AppVersions {
        var found: [String: String] = [:]
        var invalid: [String] = []
        var result = AppVersions()
        var codes: [String] = []
        // Bytes, as bash reads them: a "\r\n" is one Character to Swift's String, but a CR before a line feed.
        for line in Array(output.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(2000) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let key = String(decoding: line[..<space], as: UTF8.self), value = String(decoding: line[(space + 1)...], as: UTF8.self)
            if key == "problem" {
                if problemText.contains(where: { $0.code == value }), !codes.contains(value) { codes.append(value) }
                continue
            }
            guard let pattern = keys.first(where: { $0.key == key })?.pattern else { continue }
            guard matches(value, pattern) else {
                if !invalid.contains(key) { invalid.append(key) }
                continue
            }
            if key == "alembic" {
                if !result.alembicRevisions.contains(value) { result.alembicRevisions.append(value) }
            } else if found[key] == nil {
                found[key] = value
            }
        }
        result.image = found["image"]
        result.imageID = found["image_id"]
        result.imageDigest = found["image_digest"]
        result.openWebUI = found["open_webui"] ?? found["label"].flatMap { release($0) != nil ? $0 : nil }
        result.chromaDB = found["chromadb"]
        result.problems = codes.compactMap { code in problemText.first { $0.code == code }?.text }
        for (key, _) in keys where invalid.contains(key) && found[key] == nil && !(key == "alembic" && !result.alembicRevisions.isEmpty) {
            result.problems.append("the image's \(key) value is not valid and was left out")
        }
        return result
    }

    /// The arguments of `sh -c hostScript` after the script: SERVICE FILE PROJECT PROBE COMPOSE-WORD….
    public static func hostArguments(_ compose: CompiledCompose) -> [String] {
        [compose.service, compose.file, compose.project ?? "", probeScript] + compose.command
    }

    // MARK: Comparing the snapshot with the app that will open it

    /// A release version's numbers: an optional `v`, then 1 to 6 dot-separated numbers of at most 9 digits
    /// (`0.12.4`, `v1.0.20`); nil for anything else (`main`, `0.6.0rc1`), which is never compared.
    public static func release(_ version: String) -> [Int]? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...6).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard (1...9).contains(part.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        return numbers
    }

    /// -1, 0 or 1 for two release versions (missing numbers are 0); nil unless both are releases.
    public static func compare(_ a: String, _ b: String) -> Int? {
        guard let x = release(a), let y = release(b) else { return nil }
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0, r = i < y.count ? y[i] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }

    /// What restore makes of the snapshot's versions and the app's.
    public enum Verdict: Hashable, Sendable {
        /// The app is older: each reason names both sides.
        case older([String])
        /// The app is newer: what changes, `Open WebUI 0.12.3 -> 0.12.4`.
        case newer([String])
        case same
        /// Nothing could be compared.
        case unknown
    }

    /// Compares the snapshot's side (`openWebUI`, `chromaDB`, `alembicVersion`) with the app's
    /// (`openWebUI`, `chromaDB`, `alembicRevisions`): older when the app's release of Open WebUI or ChromaDB
    /// is lower, or when its migrations do not know webui.db's alembic revision (a newer Open WebUI migrated
    /// it); else newer when a release is higher; else the same when anything could be compared.
    public static func verdict(snapshot: AppVersions, app: AppVersions) -> Verdict {
        var older: [String] = [], newer: [String] = [], compared = false
        for (name, s, a) in [("Open WebUI", snapshot.openWebUI, app.openWebUI), ("ChromaDB", snapshot.chromaDB, app.chromaDB)] {
            guard let s, let a, let order = compare(a, s) else { continue }
            compared = true
            if order < 0 { older.append("the snapshot was written by \(name) \(s), the app has \(name) \(a)") }
            if order > 0 { newer.append("\(name) \(s) -> \(a)") }
        }
        if let revision = snapshot.alembicVersion, !app.alembicRevisions.isEmpty {
            compared = true
            if !app.alembicRevisions.contains(revision) {
                older.append("webui.db is at alembic revision \(revision), which the app's migrations do not know (a newer Open WebUI migrated it)")
            }
        }
        if !older.isEmpty { return .older(older) }
        if !newer.isEmpty { return .newer(newer) }
        return compared ? .same : .unknown
    }

    /// `Open WebUI 0.12.4, ChromaDB 1.0.20, alembic 0bd252b206fb, image REF`: the known values, or `unknown`.
    public func summary() -> String {
        var parts: [String] = []
        if let openWebUI { parts.append("Open WebUI \(openWebUI)") }
        if let chromaDB { parts.append("ChromaDB \(chromaDB)") }
        if let alembicVersion { parts.append("alembic \(alembicVersion)") }
        if let image { parts.append("image \(image)") }
        return parts.isEmpty ? "unknown" : parts.joined(separator: ", ")
    }

    /// The lines restore prints (its log) for a verdict, and whether it must refuse; the same sentences
    /// in restore.sh (`bp_app_restore_check`). `snapshot` is `JOB/ID`.
    public static func restoreLines(snapshot name: String, snapshot: AppVersions, app: AppVersions?, reason: String?,
                                    allowDowngrade: Bool) -> (lines: [String], refuse: String?) {
        guard let app else {
            return (["note: cannot tell which Open WebUI will open the restored data (\(reason ?? "unknown")); the snapshot's app: \(snapshot.summary()); start it with that version or a newer one"], nil)
        }
        var lines = ["the snapshot's app: \(snapshot.summary()); the app that will open it: \(app.summary())"]
        switch verdict(snapshot: snapshot, app: app) {
        case .older(let reasons):
            if allowDowngrade {
                lines.append("warning: restoring into an older app (--allow-downgrade): \(reasons.joined(separator: "; "))")
            } else {
                return (lines, "refusing to restore snapshot \(name) into an older app: \(reasons.joined(separator: "; ")); an older Open WebUI cannot open data a newer one migrated: upgrade the app first, or pass --allow-downgrade to restore anyway; nothing was changed")
            }
        case .newer(let changes):
            lines.append("note: the app is newer than the snapshot (\(changes.joined(separator: ", "))): its first start migrates the restored data, and this snapshot is the way back")
        case .same:
            break
        case .unknown:
            lines.append("note: the versions cannot be compared (\(reason ?? "no release version or alembic revision on both sides")); check that the app is the snapshot's or a newer one before starting it")
        }
        return (lines, nil)
    }
}
