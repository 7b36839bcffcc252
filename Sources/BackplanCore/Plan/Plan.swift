/// A value with the place in the plan file it came from, so later stages can point at it.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var start: SourceLocation
    /// Columns the caret covers.
    public var width: Int

    public init(_ value: Value, start: SourceLocation, width: Int = 1) {
        self.value = value
        self.start = start
        self.width = max(1, width)
    }
}

/// A backup plan, decoded from YAML (docs/plan-language.md). Lists keep the order the file gives.
public struct Plan: Sendable, Hashable {
    public var version: Int
    public var name: Located<String>
    public var deployment: PlanDeployment
    public var sources: [Source]
    public var ignore: [Located<String>]
    public var targets: [Target]
    public var jobs: [Job]
    public var notify: Notify?
    /// Where the `sources:` key is: the place to add what is missing.
    public var sourcesKey: SourceLocation

    public func source(named name: String) -> Source? { sources.first { $0.name.value == name } }
    public func target(named name: String) -> Target? { targets.first { $0.name.value == name } }
}

/// Where the app runs: a compose project or a container started with `docker run` (at most one of
/// them), and the data dir.
public struct PlanDeployment: Sendable, Hashable {
    public var compose: ComposeReference?
    /// The app's container, for a deployment started with `docker run` (no compose file).
    public var container: ContainerReference?
    /// Absolute host path of the data dir; nil when the compose file tells it.
    public var dataDir: Located<String>?
    /// Absolute path for locks, staging and the run log; defaults to `/var/lib/backplan/<name>`.
    public var stateDir: Located<String>?
    /// Where the `deployment:` key is.
    public var start: SourceLocation
}

public struct ComposeReference: Sendable, Hashable {
    public var file: Located<String>
    public var service: Located<String>
    public var project: Located<String>?
    /// The compose command, split into words: `docker compose`, `docker-compose`, `podman-compose`.
    public var command: Located<String>?
}

/// The app's container by name, and the engine's command that manages it.
public struct ContainerReference: Sendable, Hashable {
    public var name: Located<String>
    /// `docker` (the default) or `podman`.
    public var command: Located<String>?
}

public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A SQLite database captured by the online backup API.
    case sqlite
    /// A ChromaDB folder: `chroma.sqlite3` by online backup, segment folders copied.
    case chroma
    /// Plain files, hard-linked against the previous snapshot when unchanged.
    case files
    /// Key material (`WEBUI_SECRET_KEY`'s file, the env file that sets it): one file, outside the data
    /// dir or inside the app's container, kept under `keys/` in a snapshot with mode 0600, never printed.
    case key
}

public struct Source: Sendable, Hashable {
    public var name: Located<String>
    /// Relative to the data dir unless absolute.
    public var path: Located<String>
    public var kind: Located<SourceKind>
    /// rsync-style patterns left out of a files or chroma source.
    public var exclude: [Located<String>]
    /// A key source read from inside this compose service's container (`path` is then the path there).
    public var service: Located<String>? = nil
    /// A key source read from inside this container (`path` is then the path there).
    public var container: Located<String>? = nil

    /// Whether the source is a file inside a container (a compose service's or a named container's),
    /// not a path on the host.
    public var isInContainer: Bool { service != nil || container != nil }
}

public struct Target: Sendable, Hashable {
    public var name: Located<String>
    public var kind: TargetKind
    /// Where the target's mapping starts.
    public var start: SourceLocation
}

public enum TargetKind: Sendable, Hashable {
    case local(path: Located<String>)
    case rclone(RcloneTarget)
    case restic(ResticTarget)
    case rsync(RsyncTarget)

    public var type: TargetType {
        switch self {
        case .local: .local
        case .rclone: .rclone
        case .restic: .restic
        case .rsync: .rsync
        }
    }
}

public struct RcloneTarget: Sendable, Hashable {
    /// `remote:path`, e.g. `b2:openwebui-backups`.
    public var remote: Located<String>
    public var configFile: Located<String>?
    public var envFile: Located<String>?
    /// rclone `--bwlimit` value, e.g. `10M`.
    public var bandwidthLimit: Located<String>?
    /// rclone `--transfers`.
    public var transfers: Located<Int>?
}

public struct ResticTarget: Sendable, Hashable {
    public var repository: Located<String>
    public var passwordFile: Located<String>
    public var envFile: Located<String>?
    /// Create the repository when missing (never done silently).
    public var initialize: Bool
}

public struct RsyncTarget: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable { case push, pull }
    public var host: Located<String>
    public var user: Located<String>?
    public var port: Located<Int>?
    public var path: Located<String>
    public var sshKey: Located<String>?
    public var knownHosts: Located<String>?
    public var direction: Direction
}

public enum VerifyLevel: String, Sendable, Hashable, CaseIterable, Codable {
    case none, manifest, deep
}

public struct Job: Sendable, Hashable {
    public var name: Located<String>
    public var schedule: JobSchedule
    /// Names of the sources; every source when the plan gives none.
    public var sources: [Located<String>]
    public var targets: [Located<String>]
    public var quiesce: Quiesce
    /// nil: keep every snapshot. Located at the `retention:` mapping (BP313).
    public var retention: Located<RetentionPolicy>?
    public var verify: VerifyLevel
    /// Random delay added to each start (systemd `RandomizedDelaySec=`).
    public var jitter: Located<Duration>?
    public var start: SourceLocation
}

/// A job's schedule as written and as parsed.
public struct JobSchedule: Sendable, Hashable {
    public var schedule: Schedule
    public var location: Located<String>
}

public enum Quiesce: Sendable, Hashable {
    /// Hot capture: SQLite online backup, files copied live.
    case none
    /// Stop these compose services during the capture.
    case compose(services: [Located<String>], maxDowntime: Located<Duration>?)
    /// Stop these containers (by name, with the engine's command) during the capture.
    case containers([Located<String>], maxDowntime: Located<Duration>?)
    /// Stop these systemd units during the capture.
    case units([Located<String>], maxDowntime: Located<Duration>?)
    /// Run these commands to stop and to start the app.
    case commands(stop: [Located<String>], start: [Located<String>], maxDowntime: Located<Duration>?)

    public var isHot: Bool { self == .none }

    /// How the app is stopped, without the names.
    public var method: QuiesceMethod {
        switch self {
        case .none: .none
        case .compose: .compose
        case .containers: .containers
        case .units: .units
        case .commands: .commands
        }
    }
}

/// How a job stops the app during the capture.
public enum QuiesceMethod: String, Sendable, Hashable, CaseIterable, Codable {
    case none, compose, containers, units, commands
}

public struct Notify: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable, CaseIterable, Codable { case failure, success, partial }
    public var on: [Event]
    public var webhookURLFile: Located<String>?
    public var webhookURLEnv: Located<String>?
}

/// A length of time written `90s`, `10m`, `2h`, `7d`, `2w` (or combined, `1h30m`).
public struct Duration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.seconds < rhs.seconds }

    /// The longest duration a plan may write: 100 years.
    public static let maximumSeconds = 100 * 365 * 86400

    /// Parses `90s`, `10m`, `2h`, `7d`, `2w`, `1h30m`; nil when malformed or over 100 years.
    /// The bound is checked while summing, so no spelling can overflow.
    public init?(parsing text: String) {
        var total = 0
        var number = 0
        var digits = 0
        var sawUnit = false
        for ch in text {
            if let d = ch.wholeNumberValue, ch.isASCII {
                number = number &* 10 &+ d
                digits += 1
                if digits > 9 { return nil }
                continue
            }
            let unit: Int
            switch ch {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604_800
            default: return nil
            }
            guard digits > 0 else { return nil }
            total += number * unit  // number < 10^9, unit <= 604800: no overflow
            guard total <= Self.maximumSeconds else { return nil }
            number = 0
            digits = 0
            sawUnit = true
        }
        guard sawUnit, digits == 0 else { return nil }
        seconds = total
    }

    /// The shortest exact spelling: `2h`, `90s`, `1h30m`.
    public var description: String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
