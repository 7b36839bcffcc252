import Foundation

/// What `backplan detect` is told; everything else it finds itself.
public struct DetectOptions: Sendable {
    /// `--compose FILE`: the compose file (relative to the current directory, or to `/` under a root).
    public var composeFile: String?
    /// `--data-dir DIR`: the data dir, overriding what the compose file says.
    public var dataDir: String?
    /// `--root DIR`: read every absolute host path under DIR (tests, fixture trees, mounted images).
    public var root: String?
    /// `--service NAME`: the app's service, instead of the one mounting `/app/backend/data`.
    public var service: String?
    /// `--project NAME`: the compose project name, instead of `name:` / COMPOSE_PROJECT_NAME / the folder.
    public var project: String?
    /// `--container NAME`: the app's container (a `docker run` deployment), asked of the container engine.
    public var container: String?
    /// The process environment: interpolation variables, `DOCKER_HOST`, `PATH` for `docker`, `HOME` for `~`.
    public var environment: [String: String]
    /// The current directory for relative paths; nil for the process's (or `/` under a root).
    public var currentDirectory: String?
    /// How long each engine command (`docker volume inspect`, `ps`, `inspect`) may take.
    public var dockerTimeout: TimeInterval

    public init(composeFile: String? = nil, dataDir: String? = nil, root: String? = nil, service: String? = nil,
                project: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                currentDirectory: String? = nil, dockerTimeout: TimeInterval = 5, container: String? = nil) {
        self.composeFile = composeFile
        self.dataDir = dataDir
        self.root = root
        self.service = service
        self.project = project
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.dockerTimeout = dockerTimeout
        self.container = container
    }
}
