import Foundation

/// Turning the app's mount into a host data dir, and probing that dir.
extension DetectionRun {
    mutating func resolve(_ mount: ComposeMount, of service: ComposeService, compose: ComposeFile, project: String,
                          display: String, into deployment: inout Deployment) {
        switch mount.kind {
        case .bind:
            deployment.dataDir = bindSource(mount.source ?? ".", compose: compose)
            deployment.dataDirSource = "bind-mount"
        case .volume:
            let (name, external) = compose.engineVolumeName(mount.source ?? "", project: project)
            deployment.volume = VolumeInfo(name: name, external: external)
            let inspector = DockerVolumeInspector(environment: options.environment, timeout: options.dockerTimeout)
            let fallback = "/var/lib/docker/volumes/\(name)/_data"
            guard inspector.engineMayAnswer(fileSystem: fileSystem) else {
                diagnostics.append(Diagnostic(.dockerUnavailable,
                                              "no Docker engine to ask (DOCKER_HOST is unset and there is no /var/run/docker.sock); assuming volume '\(name)' is at \(fallback)",
                                              severity: .note, file: display, at: mount.location))
                deployment.dataDir = fallback
                deployment.dataDirSource = "volume-default-path"
                return
            }
            switch inspector.mountpoint(of: name) {
            case .success(let path):
                deployment.dataDir = path
                deployment.dataDirSource = "volume-inspect"
            case .failure(let failure):
                diagnostics.append(Diagnostic(.dockerUnavailable, "\(failure.reason); assuming volume '\(name)' is at \(fallback)",
                                              severity: .note, file: display, at: mount.location))
                deployment.dataDir = fallback
                deployment.dataDirSource = "volume-default-path"
            }
        case .anonymous, .other:
            let what = mount.kind == .anonymous ? "an anonymous volume (a new one per container)" : "not a volume or a bind mount"
            diagnostics.append(Diagnostic(.composeNoDataMount,
                                          "the mount of \(mount.target) in service '\(service.name)' is \(what): there is no lasting data dir to back up",
                                          file: display, at: mount.location,
                                          help: "use a named volume ('open-webui:\(mount.target)') or a bind mount, or pass --data-dir DIR"))
        }
    }

    /// A bind mount's source as a host path: `~` is HOME, relative paths are against the compose folder.
    func bindSource(_ source: String, compose: ComposeFile) -> String {
        if source == "~" || source.hasPrefix("~/") {
            let home = options.environment["HOME"] ?? NSHomeDirectory()
            return HostPath.normalize(home + "/" + source.dropFirst())
        }
        return HostPath.normalize(HostPath.absolute(source, against: compose.directory))
    }

    static let unreadableHelp = "run detect as the user the backups run as (root), or make the data dir readable by this user"

    /// Probes the data dir (if any) into the deployment.
    mutating func probe(into deployment: inout Deployment) {
        guard let dataDir = deployment.dataDir else { return }
        guard fileSystem.isDirectory(dataDir) else {
            let local = fileSystem.localPath(dataDir)
            let source = deployment.dataDirSource ?? "option"
            diagnostics.append(Diagnostic(.dataDirMissing, "the data dir \(dataDir) (from \(source)) is not a folder on this host",
                                          file: deployment.compose?.file ?? "<detect>",
                                          help: "check the path, or pass --data-dir DIR",
                                          notes: local == dataDir ? [] : ["looked up as \(local)"]))
            return
        }
        deployment.dataDirExists = true
        let local = fileSystem.localPath(dataDir)
        let display = deployment.compose?.file ?? "<detect>"
        guard DataDirProbe.listing(local) != nil else {
            diagnostics.append(Diagnostic(.unreadableFile, "cannot read the data dir \(dataDir): \(String(cString: strerror(errno)))",
                                          file: display, help: Self.unreadableHelp))
            return
        }
        deployment.entries = DataDirProbe.entries(of: local)
        for entry in deployment.entries {
            guard let paths = entry.unreadable, let first = paths.first else { continue }
            let more = paths.count > 1 ? " (and \(paths.count - 1) more below \(entry.name))" : ""
            diagnostics.append(Diagnostic(.unreadableFile, "cannot read \(dataDir)/\(first)\(more): a backup would fail on it",
                                          file: display, help: Self.unreadableHelp))
        }
        if deployment.entry(named: "webui.db")?.kind == .sqlite {
            switch SQLiteFile.alembicVersion(atPath: local + "/webui.db") {
            case .success(let version):
                deployment.app.alembicVersion = version
            case .failure(let failure):
                diagnostics.append(Diagnostic(.dataDirMissing, "alembic_version of webui.db is unreadable: \(failure.reason)",
                                              severity: .note, file: dataDir + "/webui.db"))
            }
        }
    }
}
