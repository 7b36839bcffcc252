import Foundation

/// A `docker run` deployment: the app's container, asked of the container engine (`ps -a`, `inspect`,
/// `image inspect`), read into the deployment like a compose service.
extension DetectionRun {
    /// What the engine said when asked for candidates.
    enum ContainerSearch {
        /// One container was read into the deployment.
        case found
        /// Several look like Open WebUI (an error was reported), or the engine's answer was unusable.
        case failed
        /// None looks like Open WebUI, or no engine answered (a note says so): the well-known paths decide.
        case none
    }

    /// The engine, and whether it may answer: DOCKER_HOST or /var/run/docker.sock for `docker`;
    /// podman reads its own storage without a service.
    func containerEngine() -> (engine: ContainerEngine?, mayAnswer: Bool) {
        let engine = ContainerEngine.find(environment: options.environment, timeout: options.dockerTimeout)
        let socket = DockerVolumeInspector(environment: options.environment, timeout: options.dockerTimeout)
            .engineMayAnswer(fileSystem: fileSystem)
        return (engine, socket || engine?.name == "podman")
    }

    /// `--container NAME`: that container, or an error (BP409) when the engine does not know it.
    mutating func readNamedContainer(_ wanted: String, into deployment: inout Deployment) -> Bool {
        guard NodeReader.isContainerName(wanted) else {
            diagnostics.append(Diagnostic(.containerUnreadable, "'\(wanted)' is not a container name",
                                          file: "<detect>", help: "container names are letters, digits, '_', '.' and '-'; `docker ps -a` lists them"))
            return false
        }
        guard let engine = containerEngine().engine else {
            diagnostics.append(Diagnostic(.containerUnreadable, "cannot ask for container '\(wanted)': neither docker nor podman is on PATH",
                                          file: "<detect>", help: "run detect where the container engine's CLI is installed"))
            return false
        }
        let listed: [ContainerEngine.Listed]
        switch engine.list() {
        case .failure(let failure):
            diagnostics.append(Diagnostic(.containerUnreadable, "cannot ask for container '\(wanted)': \(failure.reason)",
                                          file: "<detect>", help: Self.engineHelp))
            return false
        case .success(let value): listed = value
        }
        let container: InspectedContainer
        switch engine.inspect([wanted]) {
        case .failure(let failure):
            let names = listed.flatMap(\.names).sorted()
            var message = "the container engine (\(engine.name)) has no container '\(wanted)'"
            if let guess = Suggestion.closest(to: wanted, among: names) { message += "; did you mean '\(guess)'?" }
            let known = listed.contains { $0.names.contains(wanted) || $0.id.hasPrefix(wanted) }
            diagnostics.append(Diagnostic(.containerUnreadable, known ? "cannot inspect container '\(wanted)': \(failure.reason)" : message,
                                          file: "<detect>", help: "pass --container with a name from `\(engine.name) ps -a`",
                                          notes: known ? [] : [failure.reason]
                                            + (names.isEmpty ? ["the engine lists no container"] : ["containers: " + Self.shortList(names)])))
            return false
        case .success(let found):
            guard let first = found.first else {
                diagnostics.append(Diagnostic(.containerUnreadable, "the container engine (\(engine.name)) has no container '\(wanted)'",
                                              file: "<detect>", help: "pass --container with a name from `\(engine.name) ps -a`"))
                return false
            }
            container = first
        }
        return read(container, engine: engine, listed: listed, into: &deployment)
    }

    /// Without a compose file, `--container` or `--data-dir`: the containers that look like Open WebUI.
    mutating func searchContainers(into deployment: inout Deployment) -> ContainerSearch {
        let (found, mayAnswer) = containerEngine()
        guard mayAnswer else { return .none }
        guard let engine = found else {
            diagnostics.append(Diagnostic(.dockerUnavailable, "a container engine may run here (DOCKER_HOST or /var/run/docker.sock) but neither docker nor podman is on PATH; looking at the well-known paths",
                                          severity: .note, file: "<detect>"))
            return .none
        }
        let listed: [ContainerEngine.Listed]
        let containers: [InspectedContainer]
        switch engine.list() {
        case .failure(let failure):
            diagnostics.append(Diagnostic(.dockerUnavailable, "the container engine did not list its containers: \(failure.reason); looking at the well-known paths",
                                          severity: .note, file: "<detect>", help: Self.engineHelp))
            return .none
        case .success(let value): listed = value
        }
        switch engine.inspect(listed.map(\.id)) {
        case .failure(let failure):
            diagnostics.append(Diagnostic(.containerUnreadable, "cannot read the engine's containers: \(failure.reason)",
                                          file: "<detect>", help: "pass --compose FILE, --container NAME or --data-dir DIR"))
            return .failed
        case .success(let value): containers = value
        }
        let candidates = containers.filter(\.isCandidate).sorted { $0.name < $1.name }
        guard let only = candidates.first else { return .none }
        guard candidates.count == 1 else {
            let lines = candidates.map { container in
                "\(container.name): image \(container.image ?? "unknown"), \(container.state ?? "state unknown")"
                    + (container.dataMount.map { ", mounts \($0.destination)" } ?? "")
                    + (container.composeProject.map { ", from compose project \($0)" } ?? "")
            }
            diagnostics.append(Diagnostic(.severalContainers,
                                          "\(candidates.count) containers look like Open WebUI: "
                                            + candidates.map(\.name).joined(separator: ", "),
                                          file: "<detect>",
                                          help: "pass --container NAME (one of \(candidates.map(\.name).joined(separator: ", ")))",
                                          notes: lines))
            return .failed
        }
        return read(only, engine: engine, listed: listed, into: &deployment) ? .found : .failed
    }

    static let engineHelp = "run detect where the container engine answers (as root, or with DOCKER_HOST set)"

    /// At most 20 names, then how many more.
    static func shortList(_ names: [String]) -> String {
        names.count <= 20 ? names.joined(separator: ", ")
            : names.prefix(20).joined(separator: ", ") + " (and \(names.count - 20) more)"
    }

    /// Fills container, app, environment, keys and (unless `--data-dir`) the data dir from the container.
    /// False when nothing usable could be read (an error says why).
    mutating func read(_ container: InspectedContainer, engine: ContainerEngine, listed: [ContainerEngine.Listed],
                       into deployment: inout Deployment) -> Bool {
        guard NodeReader.isContainerName(container.name) else {
            diagnostics.append(Diagnostic(.containerUnreadable, "the engine names a container '\(container.name)', which is not a container name",
                                          file: "<detect>", help: "rename it (`\(engine.name) rename`), or pass --data-dir DIR"))
            return false
        }
        var names = Array(Set(listed.flatMap(\.names) + [container.name])).sorted()
        if names.count > ContainerEngine.maxContainers {
            names = Array(names.prefix(ContainerEngine.maxContainers))
            if !names.contains(container.name) { names[names.count - 1] = container.name; names.sort() }
            diagnostics.append(Diagnostic(.dockerUnavailable, "the engine lists more than \(ContainerEngine.maxContainers) containers; the deployment records the first \(ContainerEngine.maxContainers) by name",
                                          severity: .note, file: "<detect>"))
        }
        deployment.container = ContainerInfo(name: container.name, engine: engine.name,
                                             restartPolicy: container.restartPolicy, containers: names)
        deployment.app.image = container.image
        if let image = container.imageID ?? container.image {
            deployment.app.imageDigest = Self.digest(engine.repoDigests(ofImage: image), for: container.image)
        }
        deployment.environment = ServiceEnvironment.appEnvironment(container.environment)
        deployment.keys = KeyDetection.containerKeys(container.environment)
        if let project = container.composeProject {
            diagnostics.append(Diagnostic(.composeContainer,
                                          "container '\(container.name)' was created by compose project '\(project)'"
                                            + (container.composeFiles.map { " from \($0)" } ?? ""),
                                          severity: .note, file: "<detect>",
                                          help: "detect with --compose " + (container.composeFiles?.split(separator: ",").first.map(String.init) ?? "FILE")
                                            + ": the compose file gives a better plan"))
        }
        guard options.dataDir == nil else { return true }
        resolveDataMount(of: container, engine: engine, into: &deployment)
        return true
    }

    /// The first repo digest of the image's own repository (the reference without tag or digest), else
    /// the first one; nil when the image has none.
    static func digest(_ digests: [String], for image: String?) -> String? {
        let usable = digests.filter { $0.contains("@sha256:") }
        guard let image else { return usable.first }
        var repository = image
        if let at = repository.firstIndex(of: "@") { repository = String(repository[..<at]) }
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") { repository = String(repository[..<colon]) }
        return usable.first { $0.hasPrefix(repository + "@") } ?? usable.first
    }

    /// The container's mount of its data target as the data dir: a named volume's host path
    /// (`container-volume`) or a bind mount's source (`container-bind`).
    mutating func resolveDataMount(of container: InspectedContainer, engine: ContainerEngine, into deployment: inout Deployment) {
        let target = container.dataTarget
        guard let mount = container.dataMount else {
            diagnostics.append(Diagnostic(.composeNoDataMount,
                                          "container '\(container.name)' mounts nothing at \(target): its data lives in the container and is lost with it",
                                          file: "<detect>",
                                          help: "start it with a volume ('-v open-webui:\(target)'), or pass --data-dir DIR"))
            return
        }
        guard mount.type == "volume" || mount.type == "bind" else {
            diagnostics.append(Diagnostic(.composeNoDataMount,
                                          "the mount of \(target) in container '\(container.name)' is a \(mount.type.isEmpty ? "mount of no type" : mount.type): there is no lasting data dir to back up",
                                          file: "<detect>",
                                          help: "use a named volume ('-v open-webui:\(target)') or a bind mount, or pass --data-dir DIR"))
            return
        }
        guard let source = mount.source, source.hasPrefix("/"), !source.split(separator: "/").contains("..") else {
            let what = mount.type == "volume" ? "volume '\(mount.name ?? "?")' (driver \(mount.driver ?? "local"))" : "the bind mount"
            diagnostics.append(Diagnostic(.containerUnreadable,
                                          "\(what) of container '\(container.name)' at \(target) has no usable host path"
                                            + (mount.source.map { " ('\($0)': not absolute, or holding '..')" } ?? ""),
                                          file: "<detect>", help: "pass --data-dir DIR with the data's folder on this host"))
            return
        }
        deployment.dataDir = HostPath.normalize(source)
        if mount.type == "bind" {
            deployment.dataDirSource = "container-bind"
            return
        }
        deployment.dataDirSource = "container-volume"
        if let name = mount.name {
            deployment.volume = VolumeInfo(name: name, external: false)
            if name.count == 64, name.allSatisfy(\.isHexDigit) {
                diagnostics.append(Diagnostic(.composeNoDataMount,
                                              "the data of container '\(container.name)' is in an anonymous volume (\(name.prefix(12))…): the next `\(engine.name) run` (an upgrade) gets a new, empty one",
                                              severity: .warning, file: "<detect>",
                                              help: "give the volume a name ('-v open-webui:\(target)') when the container is next created, after copying the data into it"))
            }
        }
    }
}
