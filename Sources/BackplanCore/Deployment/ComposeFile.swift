/// The parts of a Docker Compose file that detection needs, after interpolation, with locations.
public struct ComposeFile: Sendable, Hashable {
    /// The compose file, as a host path.
    public var path: String
    /// Top-level `name:` (the project name), when given.
    public var name: String?
    /// Services sorted by name.
    public var services: [ComposeService]
    /// Top-level `volumes:` sorted by key.
    public var volumes: [ComposeVolume]

    public init(path: String, name: String? = nil, services: [ComposeService] = [], volumes: [ComposeVolume] = []) {
        self.path = path
        self.name = name
        self.services = services
        self.volumes = volumes
    }

    /// The folder holding the compose file: relative paths in it are relative to this.
    public var directory: String { HostPath.directory(of: path) }

    public func service(named name: String) -> ComposeService? { services.first { $0.name == name } }

    public func volume(named key: String) -> ComposeVolume? { volumes.first { $0.key == key } }

    /// The engine's name of the volume `key`: `name:` if given, the key itself when external, else
    /// `<project>_<key>` (also for a volume used by a service but not declared at the top level).
    public func engineVolumeName(_ key: String, project: String) -> (name: String, external: Bool) {
        guard let volume = volume(named: key) else { return ("\(project)_\(key)", false) }
        if let name = volume.name { return (name, volume.external) }
        return volume.external ? (key, true) : ("\(project)_\(key)", false)
    }
}

/// One service of a compose file.
public struct ComposeService: Sendable, Hashable {
    public var name: String
    public var image: String?
    public var containerName: String?
    /// `volumes:` in file order.
    public var mounts: [ComposeMount]
    /// `environment:` in file order; a nil value is a bare `KEY` (taken from the shell environment).
    public var environment: [ComposeEnvironmentVariable]
    /// `env_file:` in file order, as written (relative to the compose file's folder).
    public var envFiles: [ComposeEnvFileReference]
    /// Where the service's key is.
    public var location: SourceLocation

    public init(name: String, image: String? = nil, containerName: String? = nil, mounts: [ComposeMount] = [],
                environment: [ComposeEnvironmentVariable] = [], envFiles: [ComposeEnvFileReference] = [],
                location: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.name = name
        self.image = image
        self.containerName = containerName
        self.mounts = mounts
        self.environment = environment
        self.envFiles = envFiles
        self.location = location
    }

    /// The mount whose container path is `target` (the last one wins, as in compose).
    public func mount(at target: String) -> ComposeMount? {
        let wanted = HostPath.normalize(target)
        return mounts.last { HostPath.normalize($0.target) == wanted }
    }
}

/// A service volume, from the short (`src:dst:ro`) or the long (`{type, source, target}`) syntax.
public struct ComposeMount: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A named volume (`source` is its key in the file).
        case volume
        /// A host path (`source` as written: relative paths are relative to the compose file).
        case bind
        /// A volume without a source: the engine makes one per container.
        case anonymous
        /// tmpfs, npipe, image, cluster: nothing on the host to back up.
        case other
    }

    public var kind: Kind
    public var source: String?
    public var target: String
    public var readOnly: Bool
    public var location: SourceLocation

    public init(kind: Kind, source: String?, target: String, readOnly: Bool = false,
                location: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.kind = kind
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.location = location
    }
}

/// One `environment:` entry.
public struct ComposeEnvironmentVariable: Sendable, Hashable {
    public var key: String
    /// nil for a bare `KEY` (list form) or `KEY:` with no value (map form).
    public var value: String?
    public var location: SourceLocation

    public init(key: String, value: String?, location: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// One `env_file:` entry.
public struct ComposeEnvFileReference: Sendable, Hashable {
    public var path: String
    /// false for `{path: ..., required: false}`: a missing file is then not an error.
    public var required: Bool
    public var location: SourceLocation

    public init(path: String, required: Bool = true, location: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.path = path
        self.required = required
        self.location = location
    }
}

/// A top-level `volumes:` entry.
public struct ComposeVolume: Sendable, Hashable {
    /// The key under `volumes:`.
    public var key: String
    /// `name:`: the engine's name, used as is (no project prefix).
    public var name: String?
    /// `external: true`: made outside compose, never prefixed.
    public var external: Bool

    public init(key: String, name: String? = nil, external: Bool = false) {
        self.key = key
        self.name = name
        self.external = external
    }
}
