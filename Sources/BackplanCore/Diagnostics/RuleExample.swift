import Foundation

/// An example for a rule: a plan that triggers it and the same plan fixed. Most examples are one edit
/// of `RuleExample.basePlan`, which is clean against `RuleExample.deployment(.standard)`; the examples of
/// a `docker run` deployment edit `containerPlan`, clean against `.dockerRun`.
public struct RuleExample: Sendable {
    /// The deployment the broken plan is validated against; the fixed plan is validated against
    /// `fixedDeployment` (the fix of a host problem is on the host).
    public enum DeploymentVariant: String, Sendable {
        case standard, none, postgres, qdrant, objectStorage, emptySecretKey, missingDataDir, committedKey, oauthWithoutKey, uncapturedKeyFile
        /// A `docker run` deployment: no compose file, the container `open-webui` with a named volume, the key generated.
        case dockerRun
        /// The same, `WEBUI_SECRET_KEY` set with `docker run -e`.
        case dockerRunKeyInEnvironment

        /// In words, for the documentation.
        public var summary: String {
            switch self {
            case .standard: "the fixture"
            case .none: "none saved or detected"
            case .postgres: "DATABASE_URL=postgresql://…"
            case .qdrant: "VECTOR_DB=qdrant"
            case .objectStorage: "STORAGE_PROVIDER=s3"
            case .emptySecretKey: "WEBUI_SECRET_KEY empty"
            case .missingDataDir: "the data dir does not exist"
            case .committedKey: "WEBUI_SECRET_KEY written in a compose file git tracks"
            case .oauthWithoutKey: "OAuth configured, OAUTH_SESSION_TOKEN_ENCRYPTION_KEY unset"
            case .uncapturedKeyFile: "WEBUI_SECRET_KEY set in an env_file"
            case .dockerRun: "a container started with docker run, WEBUI_SECRET_KEY unset"
            case .dockerRunKeyInEnvironment: "a container started with docker run -e WEBUI_SECRET_KEY=…"
            }
        }
    }

    /// Text of the passing plan (`fixed`) and the failing one (`broken`).
    public var fixed: String
    public var broken: String
    public var deployment: DeploymentVariant
    /// The deployment the fixed plan is validated against: `.standard`, or the `docker run` one for the
    /// examples on `containerPlan`.
    public var fixedDeployment: DeploymentVariant = .standard
    /// The file name the example is checked under.
    public var file: String

    /// The base plan with `original` replaced by `replacement`; the base is the passing plan.
    public init(replace original: String, with replacement: String, deployment: DeploymentVariant = .standard,
                file: String = "plans/openwebui.yaml") {
        precondition(Self.basePlan.contains(original), "example edit '\(original)' is not in the base plan")
        fixed = Self.basePlan
        broken = Self.basePlan.replacingFirst(original, with: replacement)
        self.deployment = deployment
        self.file = file
    }

    /// A whole document that triggers the rule, and its fix.
    public init(broken: String, fixed: String, deployment: DeploymentVariant = .standard,
                file: String = "plans/openwebui.yaml") {
        self.broken = broken
        self.fixed = fixed
        self.deployment = deployment
        self.file = file
    }

    /// The base plan (broken) and the base plan with one more source in `sources` and in every job that
    /// lists its sources (fixed): the fix of a rule about something the plan does not capture.
    public init(addingSource line: String, deployment: DeploymentVariant) {
        let anchor = "  uploads: {path: uploads, kind: files}\n"
        precondition(Self.basePlan.contains(anchor))
        broken = Self.basePlan
        fixed = Self.basePlan.replacingFirst(anchor, with: anchor + "  " + line + "\n")
        self.deployment = deployment
        file = "plans/openwebui.yaml"
    }

    /// The plan for a `docker run` deployment (`containerPlan`) with `original` replaced by `replacement`.
    public init(container original: String, with replacement: String) {
        precondition(Self.containerPlan.contains(original), "example edit '\(original)' is not in the container plan")
        fixed = Self.containerPlan
        broken = Self.containerPlan.replacingFirst(original, with: replacement)
        deployment = .dockerRun
        fixedDeployment = .dockerRun
        file = "plans/openwebui.yaml"
    }

    /// The container plan without its generated-key source (broken), and with `line` in its place (fixed),
    /// checked against a container whose environment sets the key.
    public init(containerKeyInEnvironment line: String) {
        let generated = "  secret-key: {kind: key, container: open-webui, path: /app/backend/.webui_secret_key}\n"
        precondition(Self.containerPlan.contains(generated))
        broken = Self.containerPlan.replacingFirst(generated, with: "")
        fixed = Self.containerPlan.replacingFirst(generated, with: "  " + line + "\n")
        deployment = .dockerRunKeyInEnvironment
        fixedDeployment = .dockerRunKeyInEnvironment
        file = "plans/openwebui.yaml"
    }

    /// The lines that differ between the broken and the fixed plan, for documentation.
    public var brokenExcerpt: String { Self.excerpt(of: broken, against: fixed) }
    public var fixedExcerpt: String { Self.excerpt(of: fixed, against: broken) }

    static func excerpt(of text: String, against other: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let others = other.split(separator: "\n", omittingEmptySubsequences: false)
        var first = 0
        while first < min(lines.count, others.count), lines[first] == others[first] { first += 1 }
        var lastA = lines.count - 1
        var lastB = others.count - 1
        while lastA >= first, lastB >= first, lines[lastA] == others[lastB] {
            lastA -= 1
            lastB -= 1
        }
        guard first <= lastA else { return "(removed)" }
        return lines[first...lastA].joined(separator: "\n")
    }

    /// A plan for an Open WebUI under Docker Compose: a cold nightly copy to this server and to B2.
    public static let basePlan = """
        version: 1
        name: openwebui
        deployment:
          compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}
        sources:
          database: {path: webui.db, kind: sqlite}
          vectors: {path: vector_db, kind: chroma}
          uploads: {path: uploads, kind: files}
        ignore: [cache]
        targets:
          local: {type: local, path: /srv/backups/openwebui}
          b2: {type: rclone, remote: "b2:openwebui-backups", config_file: /etc/backplan/rclone.conf}
        jobs:
          nightly:
            schedule: "*-*-* 03:15"
            quiesce: {stop: [open-webui], max_downtime: 2m}
            targets: [local, b2]
            retention: {keep_daily: 7, keep_weekly: 4}

        """

    /// A plan for an Open WebUI started with `docker run`: the container stopped during the capture, its
    /// generated key captured from inside it.
    public static let containerPlan = """
        version: 1
        name: openwebui
        deployment:
          container: open-webui
        sources:
          database: {path: webui.db, kind: sqlite}
          vectors: {path: vector_db, kind: chroma}
          uploads: {path: uploads, kind: files}
          secret-key: {kind: key, container: open-webui, path: /app/backend/.webui_secret_key}
        ignore: [cache]
        targets:
          local: {type: local, path: /srv/backups/openwebui}
          b2: {type: rclone, remote: "b2:openwebui-backups", config_file: /etc/backplan/rclone.conf}
        jobs:
          nightly:
            schedule: "*-*-* 03:15"
            quiesce: {containers: [open-webui], max_downtime: 2m}
            targets: [local, b2]
            retention: {keep_daily: 7, keep_weekly: 4}

        """

    /// The deployment examples are validated against: Open WebUI 0.12.4's data dir behind a compose file.
    public static func deployment(_ variant: DeploymentVariant) -> Deployment? {
        var d = Deployment(
            compose: ComposeInfo(file: "/opt/open-webui/docker-compose.yaml", project: "open-webui", service: "open-webui",
                                 services: ["ollama", "open-webui"]),
            dataDir: "/opt/open-webui/data", dataDirSource: "bind-mount", dataDirExists: true,
            entries: [
                DataEntry(name: "cache", type: .directory, kind: .files, bytes: 0, files: 0),
                DataEntry(name: "uploads", type: .directory, kind: .files, bytes: 1_200, files: 1),
                DataEntry(name: "vector_db", type: .directory, kind: .chroma, bytes: 300_000, files: 13),
                DataEntry(name: "webui.db", type: .file, kind: .sqlite, bytes: 729_088, files: 1, journalMode: "wal",
                          sidecars: ["webui.db-shm", "webui.db-wal"]),
                DataEntry(name: "webui.db-shm", type: .file, kind: .sqliteSidecar, bytes: 32_768, files: 1),
                DataEntry(name: "webui.db-wal", type: .file, kind: .sqliteSidecar, bytes: 1_470_872, files: 1),
            ],
            environment: AppEnvironment(secretKey: .set),
            app: AppInfo(image: "ghcr.io/open-webui/open-webui:0.12.4", alembicVersion: "0bd252b206fb"))
        switch variant {
        case .standard: break
        case .none: return nil
        case .postgres: d.environment.databaseScheme = "postgresql"
        case .qdrant: d.environment.vectorDB = "qdrant"
        case .objectStorage: d.environment.storageProvider = "s3"
        case .emptySecretKey: d.environment.secretKey = .empty
        case .committedKey:
            d.keys = [KeyInfo(name: "WEBUI_SECRET_KEY", source: .composeInline, file: "/opt/open-webui/docker-compose.yaml", committed: true)]
        case .oauthWithoutKey:
            d.environment.oauthConfigured = true
            d.keys = [KeyInfo(name: "WEBUI_SECRET_KEY", source: .envFile, file: "/opt/open-webui/secrets.env", committed: false),
                      KeyInfo(name: "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", source: .secretKeyFallback)]
        case .uncapturedKeyFile:
            d.keys = [KeyInfo(name: "WEBUI_SECRET_KEY", source: .envFile, file: "/opt/open-webui/secrets.env", committed: false)]
        case .dockerRun, .dockerRunKeyInEnvironment:
            d.compose = nil
            d.container = ContainerInfo(name: "open-webui", engine: "docker", restartPolicy: "always", containers: ["ollama", "open-webui"])
            d.dataDir = "/var/lib/docker/volumes/open-webui/_data"
            d.dataDirSource = "volume-inspect"
            d.volume = VolumeInfo(name: "open-webui", external: false)
            if variant == .dockerRun {
                d.environment.secretKey = .unset
                d.keys = [KeyInfo(name: "WEBUI_SECRET_KEY", source: .generatedInContainer, file: "/app/backend/.webui_secret_key")]
            }
        case .missingDataDir:
            d.dataDirExists = false
            d.entries = []
        }
        return d
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
