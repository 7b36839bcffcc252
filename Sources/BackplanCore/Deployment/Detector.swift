import Foundation

/// `backplan detect`: reads the compose file (or asks the container engine for the app's container),
/// resolves the data dir on the host and probes it.
///
/// Order of decisions:
/// 1. The compose file: `--compose`, else (without `--data-dir` and `--container`) the first of
///    `WellKnownLocations.composeCandidates`. Without one: `--container NAME`, else (without `--data-dir`,
///    when an engine may answer) the one container of the engine's (`ps -a`) that runs an open-webui image
///    or mounts its data target; several are an error (BP408). `DetectionRun+Container.swift` reads it.
/// 2. The app service: `--service`, else the first (by name) mounting the data target
///    (`/app/backend/data`, or the service's own `DATA_DIR`), else the first whose image contains
///    `open-webui`.
/// 3. The data dir: `--data-dir` (`option`); else the app's mount: a bind mount's host path
///    (`bind-mount`), a named volume's mountpoint from `docker volume inspect` when an engine may
///    answer (`volume-inspect`), else `/var/lib/docker/volumes/<NAME>/_data`
///    (`volume-default-path`); a container's mount of its data target: a named volume's host path
///    (`container-volume`) or a bind mount's source (`container-bind`); with neither, the first of
///    `WellKnownLocations.dataDirs` (`well-known-path`).
/// 4. The probe of the data dir (`DataDirProbe`) and `alembic_version` of `webui.db`.
///
/// Nothing on the host is modified; SQLite files are opened read-only.
public enum Detector {
    /// The container path Open WebUI keeps its data in, unless the service sets `DATA_DIR`.
    public static let containerDataDir = "/app/backend/data"

    /// Detects the deployment. The deployment is nil only when nothing could be read at all; it may
    /// come with errors (a missing data dir, say) that the caller must report and fail on.
    public static func detect(_ options: DetectOptions) -> (deployment: Deployment?, diagnostics: [Diagnostic]) {
        var run = DetectionRun(options: options)
        let deployment = run.detect()
        return (deployment, run.diagnostics.sorted())
    }
}

/// One detection: the options, the rooted file system and the diagnostics so far.
struct DetectionRun {
    let options: DetectOptions
    let fileSystem: HostFileSystem
    var diagnostics: [Diagnostic] = []

    init(options: DetectOptions) {
        self.options = options
        self.fileSystem = HostFileSystem(root: options.root, currentDirectory: options.currentDirectory)
    }

    mutating func detect() -> Deployment? {
        var deployment = Deployment()
        var composePath = options.composeFile.map(fileSystem.hostPath)
        if composePath == nil, options.dataDir == nil, options.container == nil {
            composePath = WellKnownLocations.findComposeFile(in: fileSystem)
        }
        if let composePath {
            let display = options.composeFile ?? composePath
            let loaded = ComposeLoader.load(hostPath: composePath, display: display, fileSystem: fileSystem,
                                            environment: options.environment)
            diagnostics += loaded.diagnostics
            guard let compose = loaded.compose else { return nil }
            readCompose(compose, text: loaded.text, variables: loaded.variables, display: display, into: &deployment)
        } else if let wanted = options.container {
            guard readNamedContainer(wanted, into: &deployment) else { return nil }
        }
        if let dataDir = options.dataDir {
            deployment.dataDir = fileSystem.hostPath(dataDir)
            deployment.dataDirSource = "option"
        } else if composePath == nil, options.container == nil {
            let search = searchContainers(into: &deployment)
            if search == .failed { return nil }
            if search == .none, let found = WellKnownLocations.findDataDir(in: fileSystem) {
                deployment.dataDir = found
                deployment.dataDirSource = "well-known-path"
            } else if search == .none {
                let looked = WellKnownLocations.composeCandidates(currentDirectory: fileSystem.currentDirectory)
                    + WellKnownLocations.dataDirs
                let engine = containerEngine().mayAnswer
                    ? ["asked the container engine for containers running an open-webui image or mounting \(Detector.containerDataDir)"]
                    : ["no container engine to ask (DOCKER_HOST is unset and there is no /var/run/docker.sock)"]
                diagnostics.append(Diagnostic(.dataDirMissing, "no compose file, no Open WebUI container and no data dir found",
                                              file: "<detect>", help: "pass --compose FILE, --container NAME or --data-dir DIR",
                                              notes: ["looked for: " + looked.joined(separator: ", ")] + engine
                                                + rootNote()))
                return nil
            }
        }
        if composePath == nil, deployment.container == nil,
           let (keys, environment) = KeyDetection.unitKeys(fileSystem, git: GitTracking(environment: options.environment)) {
            deployment.keys = keys
            deployment.environment = environment
        }
        probe(into: &deployment)
        deployment.host = HostInfo(timeZone: hostTimeZone())
        return deployment
    }

    /// The zone of the server's clock, which cron and systemd use for local times: the name
    /// `/etc/localtime` links to under a zoneinfo folder, else the first line of `/etc/timezone`
    /// (Debian), else UTC when `/etc/localtime` is missing (glibc and systemd then use UTC); nil, with
    /// a note, when none of these names a zone this system knows.
    mutating func hostTimeZone() -> String? {
        var candidate: String?
        if let target = fileSystem.linkTarget("/etc/localtime"), let range = target.range(of: "zoneinfo/", options: .backwards) {
            candidate = String(target[range.upperBound...])
            for prefix in ["posix/", "right/"] where candidate?.hasPrefix(prefix) == true { candidate?.removeFirst(prefix.count) }
        } else if case .success(let bytes) = fileSystem.read("/etc/timezone") {
            candidate = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first
                .map { $0.trimmingCharacters(in: .whitespaces) }
        } else if !fileSystem.exists("/etc/localtime") {
            candidate = "UTC"
        }
        if let candidate, HostClock.zone(named: candidate) != nil { return candidate }
        diagnostics.append(Diagnostic(.hostTimeZoneUnknown, "the server's time zone could not be told from /etc/localtime or /etc/timezone",
                                      file: "<detect>",
                                      help: "link /etc/localtime to the zone (timedatectl set-timezone ZONE), then detect again; "
                                          + "until then an hourly timer may run once in the hour repeated when the clock goes back",
                                      notes: rootNote()))
        return nil
    }

    func rootNote() -> [String] {
        fileSystem.root.map { ["paths are looked up under the root \($0)"] } ?? []
    }

    /// Fills compose, volume, environment and (from the mount) the data dir.
    mutating func readCompose(_ compose: ComposeFile, text: String?, variables: [String: String], display: String,
                              into deployment: inout Deployment) {
        let project = ComposeProjectName.resolve(explicit: options.project, compose: compose, variables: variables)
        var info = ComposeInfo(file: compose.path, project: project, services: compose.services.map(\.name))
        defer { deployment.compose = info }
        guard let app = appService(compose, display: display, variables: variables) else { return }
        info.service = app.service.name
        deployment.app.image = app.service.image
        let resolved = ServiceEnvironment.resolve(app.service, compose: compose, variables: variables,
                                                  processEnvironment: options.environment, composeText: text,
                                                  fileSystem: fileSystem, file: display)
        let values = resolved.values
        diagnostics += resolved.diagnostics
        deployment.environment = ServiceEnvironment.appEnvironment(values)
        deployment.keys = KeyDetection.keys(resolved, compose: compose, fileSystem: fileSystem,
                                            git: GitTracking(environment: options.environment))
        guard options.dataDir == nil else { return }
        let target = values["DATA_DIR"] ?? Detector.containerDataDir
        guard let mount = app.service.mount(at: target) else {
            diagnostics.append(Diagnostic(.composeNoDataMount,
                                          "service '\(app.service.name)' mounts nothing at \(target): its data lives in the container and is lost with it",
                                          file: display, at: app.service.location, length: app.service.name.count,
                                          help: "add a volume such as 'open-webui:\(target)', or pass --data-dir DIR"))
            return
        }
        resolve(mount, of: app.service, compose: compose, project: project, display: display, into: &deployment)
    }

    /// The app service and why it was chosen.
    mutating func appService(_ compose: ComposeFile, display: String,
                             variables: [String: String]) -> (service: ComposeService, reason: String)? {
        if let wanted = options.service {
            if let service = compose.service(named: wanted) { return (service, "option") }
            diagnostics.append(Diagnostic(.composeServiceMissing, "the compose file has no service '\(wanted)'",
                                          file: display, help: "services: " + compose.services.map(\.name).joined(separator: ", ")))
            return nil
        }
        if let service = compose.services.first(where: { service in
            let target = service.environment.last { $0.key == "DATA_DIR" }?.value ?? Detector.containerDataDir
            return service.mount(at: target) != nil
        }) {
            return (service, "mount")
        }
        if let service = compose.services.first(where: { $0.image?.contains("open-webui") == true }) {
            return (service, "image")
        }
        diagnostics.append(Diagnostic(.composeServiceMissing,
                                      "no service mounts \(Detector.containerDataDir) or runs an open-webui image",
                                      file: display, help: "name the app's service with --service NAME",
                                      notes: ["services: " + compose.services.map(\.name).joined(separator: ", ")]))
        return nil
    }
}
