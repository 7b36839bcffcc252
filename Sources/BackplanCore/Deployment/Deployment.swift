import Foundation

/// What `backplan detect` found on a host: the compose project, the data dir and what is in it, and the
/// environment that moves data elsewhere. Saved as `plans/<name>.deployment.json` so CI can validate a
/// plan without the host. Paths are host paths as the host sees them (never prefixed by `--root`).
/// Secret values (passwords in DATABASE_URL, the secret key) are never recorded, only whether they are set.
public struct Deployment: Codable, Hashable, Sendable {
    /// Version of this JSON layout.
    public var format: Int
    public var compose: ComposeInfo?
    /// The app's container when it was found through the container engine (a `docker run` deployment, no
    /// compose file); nil otherwise.
    public var container: ContainerInfo?
    /// The Open WebUI data dir on the host; nil when it could not be told.
    public var dataDir: String?
    /// How the data dir was found: `bind-mount`, `volume-inspect`, `volume-default-path`, `option`,
    /// `well-known-path`, and for a container found through the engine `container-volume`, `container-bind`.
    public var dataDirSource: String?
    /// The named volume holding the data dir, when it is one.
    public var volume: VolumeInfo?
    /// Whether the data dir exists on the host (false: entries is empty).
    public var dataDirExists: Bool
    /// Top-level entries of the data dir, sorted by name.
    public var entries: [DataEntry]
    public var environment: AppEnvironment
    /// What is known of the app: image, Open WebUI version, alembic revision of webui.db.
    public var app: AppInfo
    /// Where the app's keys come from (never their values); nil when not detected (no compose file,
    /// or a deployment saved before keys were recorded).
    public var keys: [KeyInfo]?
    /// What the schedules depend on: the server's time zone. Nil in deployments saved before it was
    /// recorded.
    public var host: HostInfo?

    public static let currentFormat = 1

    public init(format: Int = Deployment.currentFormat, compose: ComposeInfo? = nil, dataDir: String? = nil,
                dataDirSource: String? = nil, volume: VolumeInfo? = nil, dataDirExists: Bool = false,
                entries: [DataEntry] = [], environment: AppEnvironment = AppEnvironment(), app: AppInfo = AppInfo(),
                host: HostInfo? = nil) {
        self.format = format
        self.compose = compose
        self.dataDir = dataDir
        self.dataDirSource = dataDirSource
        self.volume = volume
        self.dataDirExists = dataDirExists
        self.entries = entries
        self.environment = environment
        self.app = app
        self.host = host
    }

    enum CodingKeys: String, CodingKey {
        case format, compose, container, volume, entries, environment, app, host, keys
        case dataDir = "data_dir"
        case dataDirSource = "data_dir_source"
        case dataDirExists = "data_dir_exists"
    }

    public func entry(named name: String) -> DataEntry? { entries.first { $0.name == name } }

    /// Where a plan's deployment is saved: `plans/x.yaml` → `plans/x.deployment.json`.
    public static func savedPath(forPlan planPath: String) -> String {
        var base = planPath
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
            break
        }
        return base + ".deployment.json"
    }
}

public struct ComposeInfo: Codable, Hashable, Sendable {
    /// The compose file, as a host path.
    public var file: String
    /// The compose project name (explicit, `name:` in the file, or the folder's name).
    public var project: String
    /// The service whose volume holds the data dir (the one mounting /app/backend/data).
    public var service: String?
    /// Every service of the file, sorted.
    public var services: [String]

    public init(file: String, project: String, service: String? = nil, services: [String] = []) {
        self.file = file
        self.project = project
        self.service = service
        self.services = services
    }
}

/// The app's container as the engine describes it (`docker inspect`), without any value of its environment.
public struct ContainerInfo: Codable, Hashable, Sendable {
    /// The container's name (`docker run --name`).
    public var name: String
    /// The CLI that answered: `docker` or `podman`.
    public var engine: String
    /// `HostConfig.RestartPolicy.Name`: `no`, `always`, `unless-stopped`, `on-failure`; nil when unknown.
    public var restartPolicy: String?
    /// Every container the engine listed (by name, sorted): the names a plan may stop.
    public var containers: [String]

    public init(name: String, engine: String = "docker", restartPolicy: String? = nil, containers: [String] = []) {
        self.name = name
        self.engine = engine
        self.restartPolicy = restartPolicy
        self.containers = containers
    }

    enum CodingKeys: String, CodingKey {
        case name, engine, containers
        case restartPolicy = "restart_policy"
    }
}

public struct VolumeInfo: Codable, Hashable, Sendable {
    /// The volume's full name on the engine (project prefix applied unless `name:` or `external`).
    public var name: String
    public var external: Bool

    public init(name: String, external: Bool) {
        self.name = name
        self.external = external
    }
}

public enum EntryType: String, Codable, Hashable, Sendable {
    case file, directory, symlink, other
}

public enum EntryKind: String, Codable, Hashable, Sendable {
    /// A SQLite database (by its file header).
    case sqlite
    /// A SQLite sidecar: `-wal`, `-shm` or `-journal` beside a database.
    case sqliteSidecar = "sqlite-sidecar"
    /// A folder holding `chroma.sqlite3`.
    case chroma
    /// Anything else: plain files or folders of them.
    case files
}

public struct DataEntry: Codable, Hashable, Sendable {
    public var name: String
    public var type: EntryType
    public var kind: EntryKind
    /// Bytes of the entry (recursively for folders).
    public var bytes: Int64
    /// Regular files in the entry (1 for a file).
    public var files: Int
    /// For a SQLite file: `wal` or `delete` (rollback journal), from the header.
    public var journalMode: String?
    /// For a SQLite file: the sidecar names present beside it, sorted.
    public var sidecars: [String]?
    /// Paths relative to the data dir that detect could not read (the entry itself, or folders and
    /// files below it), sorted by bytes; nil when everything could be read.
    public var unreadable: [String]?

    public init(name: String, type: EntryType, kind: EntryKind, bytes: Int64 = 0, files: Int = 0,
                journalMode: String? = nil, sidecars: [String]? = nil) {
        self.name = name
        self.type = type
        self.kind = kind
        self.bytes = bytes
        self.files = files
        self.journalMode = journalMode
        self.sidecars = sidecars
    }

    enum CodingKeys: String, CodingKey {
        case name, type, kind, bytes, files, sidecars, unreadable
        case journalMode = "journal_mode"
    }
}

/// The app's environment that decides where data lives. Values that may hold secrets are reduced
/// to whether they are set.
public struct AppEnvironment: Codable, Hashable, Sendable {
    public enum SecretState: String, Codable, Hashable, Sendable {
        /// Not in the environment: Open WebUI generates a key and keeps it in `.webui_secret_key`
        /// in its working directory (the container layer under Docker).
        case unset
        /// Present but empty: the same as unset for Open WebUI.
        case empty
        /// Set to a value (not recorded).
        case set
    }

    /// `DATA_DIR`, when set.
    public var dataDir: String?
    /// Scheme of `DATABASE_URL` (`sqlite`, `postgresql`, ...), never the URL itself.
    public var databaseScheme: String?
    /// `DATABASE_TYPE`, when set.
    public var databaseType: String?
    /// `VECTOR_DB` (chroma when unset).
    public var vectorDB: String?
    /// `STORAGE_PROVIDER` (local when unset).
    public var storageProvider: String?
    public var secretKey: SecretState
    /// true when an OAuth provider is configured (`OAUTH_CLIENT_ID`, `OPENID_PROVIDER_URL`,
    /// `GOOGLE_CLIENT_ID`, ...); nil otherwise.
    public var oauthConfigured: Bool?

    public init(dataDir: String? = nil, databaseScheme: String? = nil, databaseType: String? = nil,
                vectorDB: String? = nil, storageProvider: String? = nil, secretKey: SecretState = .unset) {
        self.dataDir = dataDir
        self.databaseScheme = databaseScheme
        self.databaseType = databaseType
        self.vectorDB = vectorDB
        self.storageProvider = storageProvider
        self.secretKey = secretKey
    }

    enum CodingKeys: String, CodingKey {
        case dataDir = "data_dir"
        case databaseScheme = "database_scheme"
        case databaseType = "database_type"
        case vectorDB = "vector_db"
        case storageProvider = "storage_provider"
        case secretKey = "secret_key"
        case oauthConfigured = "oauth_configured"
    }
}

public struct AppInfo: Codable, Hashable, Sendable {
    /// The image of the app's service, e.g. `ghcr.io/open-webui/open-webui:main`.
    public var image: String?
    /// The image's repo digest (`ghcr.io/open-webui/open-webui@sha256:…`), when the engine was asked and
    /// the image came from a registry.
    public var imageDigest: String?
    /// `alembic_version` of webui.db, when readable.
    public var alembicVersion: String?

    public init(image: String? = nil, imageDigest: String? = nil, alembicVersion: String? = nil) {
        self.image = image
        self.imageDigest = imageDigest
        self.alembicVersion = alembicVersion
    }

    enum CodingKeys: String, CodingKey {
        case image
        case imageDigest = "image_digest"
        case alembicVersion = "alembic_version"
    }
}

/// Facts of the server that are not the app's.
public struct HostInfo: Codable, Hashable, Sendable {
    /// The IANA name of the zone the server's clock runs in (`/etc/localtime`), which cron and systemd
    /// timers use for local times; nil when it could not be told.
    public var timeZone: String?

    public init(timeZone: String? = nil) {
        self.timeZone = timeZone
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
    }
}

extension Deployment {
    /// Canonical JSON: sorted keys, two-space indentation, final newline.
    public func canonicalJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
