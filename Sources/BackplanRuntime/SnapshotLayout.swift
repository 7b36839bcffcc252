import BackplanCore
import Foundation

/// Where snapshots live on a file-like target (docs/run-contract.md): `<root>/<plan>/<job>/<ID>/` with
/// `data/`, `MANIFEST.sha256` and `SNAPSHOT.json`; `.<ID>.partial` while a run writes it.
public struct SnapshotLayout: Sendable, Hashable {
    /// The target's folder (`path` of a local target).
    public var root: String
    public var plan: String

    public init(root: String, plan: String) {
        self.root = root
        self.plan = plan
    }

    public func jobDirectory(_ job: String) -> String { "\(root)/\(plan)/\(job)" }
    public func snapshotDirectory(job: String, id: String) -> String { "\(jobDirectory(job))/\(id)" }
    public func partialDirectory(job: String, id: String) -> String { "\(jobDirectory(job))/\(RunContract.partialName(id))" }

    public static let manifestName = RunContract.manifestFile
    public static let recordName = RunContract.recordFile

    /// The label of snapshot `id` of `job`, read from its SNAPSHOT.json (a regular file only: never
    /// blocking on a fifo); unreadable when it cannot be read.
    public func label(job: String, id: String) -> SnapshotLabel {
        SnapshotLabel.of(record: Self.readRecord(snapshotDirectory(job: job, id: id)))
    }

    /// The bytes of `directory/SNAPSHOT.json`, nil when it is not a readable regular file.
    static func readRecord(_ directory: String) -> Data? {
        guard case .success(let fd) = RegularFile.open(directory + "/" + recordName) else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        return try? handle.readToEnd() ?? Data()
    }

    /// Complete snapshots of `job` (folders named like an ID that hold SNAPSHOT.json), oldest first.
    public func completeSnapshots(job: String) -> [String] {
        let dir = jobDirectory(job)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { SnapshotTime(id: $0) != nil && FileManager.default.fileExists(atPath: "\(dir)/\($0)/\(Self.recordName)") }
            .sorted()
    }
}

/// `SNAPSHOT.json`, as both executors write it (keys sorted, one line).
public struct SnapshotRecord: Codable, Hashable, Sendable {
    public struct App: Codable, Hashable, Sendable {
        public var alembicVersion: String?
        /// Open WebUI's counts in the captured copies (docs/app-consistency.md); nil without webui.db.
        public var counts: AppConsistency.Counts?
        /// The app's versions (`AppVersions`), read from the compose service's image before the capture;
        /// each nil when it could not be read.
        public var chromadbVersion: String?
        public var image: String?
        public var imageDigest: String?
        public var imageID: String?
        public var openWebUIVersion: String?
        public init(alembicVersion: String? = nil, counts: AppConsistency.Counts? = nil, versions: AppVersions? = nil) {
            self.alembicVersion = alembicVersion
            self.counts = counts
            chromadbVersion = versions?.chromaDB
            image = versions?.image
            imageDigest = versions?.imageDigest
            imageID = versions?.imageID
            openWebUIVersion = versions?.openWebUI
        }
        enum CodingKeys: String, CodingKey {
            case counts, image
            case alembicVersion = "alembic_version"
            case chromadbVersion = "chromadb_version"
            case imageDigest = "image_digest"
            case imageID = "image_id"
            case openWebUIVersion = "open_webui_version"
        }
    }

    public struct SourceSummary: Codable, Hashable, Sendable {
        public var name: String
        public var kind: String
        public var path: String
        public var files: Int
        public var bytes: Int64
        public init(name: String, kind: String, path: String, files: Int, bytes: Int64) {
            self.name = name
            self.kind = kind
            self.path = path
            self.files = files
            self.bytes = bytes
        }
    }

    public var format: Int
    public var plan: String
    public var job: String
    public var id: String
    /// ISO 8601 UTC, `2026-11-27T03:15:00Z`.
    public var started: String
    public var finished: String
    /// `bash` or `runtime`.
    public var executor: String
    public var sources: [SourceSummary]
    public var downtimeMs: Int
    public var app: App
    /// `--label NAME` of the run (docs/run-contract.md, "Labelled snapshots"); absent without one.
    public var label: String?

    public init(format: Int = 1, plan: String, job: String, id: String, started: String, finished: String, executor: String,
                sources: [SourceSummary], downtimeMs: Int, app: App, label: String? = nil) {
        self.format = format
        self.plan = plan
        self.job = job
        self.id = id
        self.started = started
        self.finished = finished
        self.executor = executor
        self.sources = sources
        self.downtimeMs = downtimeMs
        self.app = app
        self.label = label
    }

    enum CodingKeys: String, CodingKey {
        case format, plan, job, id, started, finished, executor, sources, app, label
        case downtimeMs = "downtime_ms"
    }

    /// One line of JSON with sorted keys and a final newline, like the bash executor's.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func read(from directory: String) throws -> SnapshotRecord {
        try JSONDecoder().decode(SnapshotRecord.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(SnapshotLayout.recordName)")))
    }
}
