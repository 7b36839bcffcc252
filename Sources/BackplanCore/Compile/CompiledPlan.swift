/// The compiled plan: every default applied, references resolved, paths absolute on the server,
/// schedules normalised, everything sorted by name. It is the only input of the emitters and of the
/// runtime, and is written as `generated/<plan>/plan.json` (canonical JSON, sorted keys).
public struct CompiledPlan: Codable, Hashable, Sendable {
    /// Version of this layout; the runtime refuses a format it does not know.
    public var format: Int
    public var name: String
    /// The plan file it was compiled from, relative to the repository: `plans/<name>.yaml`.
    public var source: String
    /// The Open WebUI data dir on the server.
    public var dataDir: String
    /// Lock, quiesce journal, staging and `runs.jsonl`.
    public var stateDir: String
    public var compose: CompiledCompose?
    /// The app's container, for a deployment started with `docker run`; nil with compose or without either.
    public var container: CompiledContainer?
    public var sources: [CompiledSource]
    public var targets: [CompiledTarget]
    public var jobs: [CompiledJob]
    public var notify: CompiledNotify?
    /// Where INSTALL.md puts the files on the server.
    public var install: InstallPaths

    public static let currentFormat = 1

    enum CodingKeys: String, CodingKey {
        case format, name, source, compose, container, sources, targets, jobs, notify, install
        case dataDir = "data_dir"
        case stateDir = "state_dir"
    }

    public func source(named name: String) -> CompiledSource? { sources.first { $0.name == name } }
    public func target(named name: String) -> CompiledTarget? { targets.first { $0.name == name } }
}

public struct CompiledCompose: Codable, Hashable, Sendable {
    public var file: String
    /// The compose project; nil leaves it to compose (the file's folder name or `name:`).
    public var project: String?
    /// The app's service.
    public var service: String
    /// The compose command as words: `["docker", "compose"]`, `["docker-compose"]`, `["podman-compose"]`.
    public var command: [String]

    /// The command with the file and project, as words: `COMMAND… -f FILE [-p PROJECT]`.
    public var invocation: [String] { command + ["-f", file] + (project.map { ["-p", $0] } ?? []) }

    /// `invocation` as one shell line, for what restore tells the operator to run (both executors).
    public var commandLine: String { invocation.map(Shell.quote).joined(separator: " ") }
}

/// The app's container (a deployment started with `docker run`) and the engine's command.
public struct CompiledContainer: Codable, Hashable, Sendable {
    public var name: String
    /// The engine's command as words: `["docker"]` or `["podman"]`.
    public var command: [String]

    public init(name: String, command: [String]) {
        self.name = name
        self.command = command
    }
}

public struct CompiledSource: Codable, Hashable, Sendable {
    public var name: String
    public var kind: SourceKind
    /// The path as the snapshot stores it, under `data/`: relative to the data dir (`webui.db`), or for
    /// a source outside the data dir, its absolute path without the leading '/'. A `key` source is stored
    /// as `keys/<name>`, and its path is its name.
    public var path: String
    /// The absolute path on the server; for a key source with a `service`, the path in its container.
    public var absolutePath: String
    public var exclude: [String]
    /// The compose service whose container holds a key source's file; nil for a file on the host.
    public var service: String?
    /// The container (by name, the plan's `container`) that holds a key source's file; nil otherwise.
    public var container: String?

    public init(name: String, kind: SourceKind, path: String, absolutePath: String, exclude: [String], service: String? = nil,
                container: String? = nil) {
        self.name = name
        self.kind = kind
        self.path = path
        self.absolutePath = absolutePath
        self.exclude = exclude
        self.service = service
        self.container = container
    }

    /// Whether the file is read inside a container (a compose service's or a named one), not on the host.
    public var isInContainer: Bool { service != nil || container != nil }

    /// Where the snapshot keeps this source, relative to the snapshot folder: `data/<path>` or `keys/<name>`.
    public var snapshotPath: String {
        (kind == .key ? RunContract.keysDir : RunContract.dataDir) + "/" + path
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, path, exclude, service, container
        case absolutePath = "absolute_path"
    }
}

public struct CompiledJob: Codable, Hashable, Sendable {
    public var name: String
    public var schedule: CompiledSchedule
    /// Source names, sorted.
    public var sources: [String]
    /// Target names, sorted.
    public var targets: [String]
    public var quiesce: CompiledQuiesce
    /// nil keeps every snapshot.
    public var retention: RetentionPolicy?
    public var verify: VerifyLevel
    /// systemd `RandomizedDelaySec=`, in seconds.
    public var jitterSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case name, schedule, sources, targets, quiesce, retention, verify
        case jitterSeconds = "jitter_seconds"
    }
}

public struct CompiledSchedule: Codable, Hashable, Sendable {
    /// As written in the plan.
    public var expression: String
    public var syntax: Schedule.Syntax
    /// One `OnCalendar=` value per event.
    public var onCalendar: [String]
    /// The cron.d time fields (5 fields) firing at the same instants.
    public var cron: String

    enum CodingKeys: String, CodingKey {
        case expression, syntax, cron
        case onCalendar = "on_calendar"
    }
}

public struct CompiledQuiesce: Codable, Hashable, Sendable {
    public var method: QuiesceMethod
    /// compose services, containers or systemd units to stop (in order) and start (in reverse order).
    public var names: [String]
    /// commands: run with `bash -c`, in order.
    public var stopCommands: [String]
    public var startCommands: [String]
    /// Longest the app may stay stopped; nil: no limit.
    public var maxDowntimeSeconds: Int?

    public static let none = CompiledQuiesce(method: .none, names: [], stopCommands: [], startCommands: [],
                                             maxDowntimeSeconds: nil)

    enum CodingKeys: String, CodingKey {
        case method, names
        case stopCommands = "stop_commands"
        case startCommands = "start_commands"
        case maxDowntimeSeconds = "max_downtime_seconds"
    }
}

public struct CompiledNotify: Codable, Hashable, Sendable {
    public var on: [Notify.Event]
    public var webhookURLFile: String?
    public var webhookURLEnv: String?

    enum CodingKeys: String, CodingKey {
        case on
        case webhookURLFile = "webhook_url_file"
        case webhookURLEnv = "webhook_url_env"
    }
}

/// Where the generated files live on the server (INSTALL.md says how they get there).
public struct InstallPaths: Codable, Hashable, Sendable {
    /// The job scripts, restore.sh and plan.json: `/usr/local/lib/backplan/<plan>`.
    public var scriptDir: String
    /// `/etc/cron.d/backplan-<plan>`.
    public var cronFile: String
    /// `/etc/systemd/system`.
    public var unitDir: String

    enum CodingKeys: String, CodingKey {
        case scriptDir = "script_dir"
        case cronFile = "cron_file"
        case unitDir = "unit_dir"
    }
}
