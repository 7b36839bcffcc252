import Foundation

/// The container engine's CLI (`docker`, else `podman`), asked what containers exist and how one was
/// started (`ps -a`, `inspect`, `image inspect`). Every answer is input from elsewhere: its size is
/// capped, it is parsed as JSON, and what is kept of it is checked before it is recorded. The values of
/// a container's environment are held only to tell set from unset; they are never recorded or printed.
struct ContainerEngine: Sendable {
    /// The CLI's path.
    var executable: String
    /// `docker` or `podman`: the CLI's name, recorded as `container.engine`.
    var name: String
    var environment: [String: String]
    var timeout: TimeInterval

    /// At most this many container names are listed (`container.containers`).
    static let maxContainers = 10_000
    /// Containers inspected per `inspect` call, and the most bytes one call may print.
    static let inspectBatch = 50
    static let inspectLimit = 16 << 20
    static let listLimit = 4 << 20

    /// The `docker` CLI on PATH, else `podman`; nil when neither is installed.
    static func find(environment: [String: String], timeout: TimeInterval) -> ContainerEngine? {
        for name in ["docker", "podman"] {
            if let path = ProcessRunner.executable(name, environment: environment) {
                return ContainerEngine(executable: path, name: name, environment: environment, timeout: timeout)
            }
        }
        return nil
    }

    /// One container of `ps -a`: its full ID and its names.
    struct Listed: Hashable {
        var id: String
        var names: [String]
    }

    /// Every container, running or not (`ps -a`). Names that are not container names (a legacy link's
    /// `a/b`) are left out; IDs must be hex.
    func list() -> Result<[Listed], FileReadFailure> {
        let output: String
        switch call(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}"], limit: Self.listLimit) {
        case .failure(let failure): return .failure(failure)
        case .success(let text): output = text
        }
        var listed: [Listed] = []
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ", maxSplits: 1)
            guard let id = words.first, !id.isEmpty, id.allSatisfy(\.isHexDigit) else {
                return .failure(FileReadFailure(reason: "'\(name) ps -a' printed a line that is not 'ID NAMES'"))
            }
            let names = words.count > 1 ? words[1].split(separator: ",").map(String.init).filter(NodeReader.isContainerName) : []
            listed.append(Listed(id: String(id), names: names))
        }
        return .success(listed)
    }

    /// `inspect --type container` of each reference (IDs or names), in batches. A reference the engine
    /// does not know (removed since `ps`) is left out; nothing known at all is a failure.
    func inspect(_ references: [String]) -> Result<[InspectedContainer], FileReadFailure> {
        var found: [InspectedContainer] = []
        var start = 0
        while start < references.count {
            let batch = Array(references[start..<min(start + Self.inspectBatch, references.count)])
            start += batch.count
            let output: ProcessRunner.Output
            switch ProcessRunner.run(executable, ["inspect", "--type", "container", "--"] + batch, environment: environment,
                                     timeout: timeout, outputLimit: Self.inspectLimit) {
            case .failure(let failure): return .failure(failure)
            case .success(let value): output = value
            }
            let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            // docker prints the ones it found and exits 1 naming the others; an empty answer is no JSON.
            if output.status != 0, text.isEmpty || text == "[]" {
                if batch.count == 1 { return .failure(Self.refusal(output, "'\(name) inspect \(batch[0])'")) }
                continue
            }
            switch InspectedContainer.parse(Data(text.utf8)) {
            case .success(let containers): found += containers
            case .failure(let failure): return .failure(FileReadFailure(reason: "'\(name) inspect' gave \(failure.reason)"))
            }
        }
        return .success(found)
    }

    /// The image's repo digests (`image inspect`), e.g. `ghcr.io/open-webui/open-webui@sha256:…`; empty
    /// when it has none (built here) or the engine cannot say.
    func repoDigests(ofImage image: String) -> [String] {
        guard case .success(let text) = call(["image", "inspect", "--", image], limit: Self.inspectLimit),
              let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any],
              let first = array.first as? [String: Any], let digests = first["RepoDigests"] as? [Any] else { return [] }
        return digests.compactMap { $0 as? String }
    }

    /// Runs the CLI; its stdout, or why not (a phrase for a diagnostic).
    func call(_ arguments: [String], limit: Int) -> Result<String, FileReadFailure> {
        switch ProcessRunner.run(executable, arguments, environment: environment, timeout: timeout, outputLimit: limit) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let output):
            guard output.status == 0 else {
                return .failure(Self.refusal(output, "'\(name) \(arguments.prefix(2).joined(separator: " "))'"))
            }
            return .success(output.stdout)
        }
    }

    /// "'docker inspect x' exited with 1: Error: No such container: x" (the first line of stderr, escaped later).
    static func refusal(_ output: ProcessRunner.Output, _ what: String) -> FileReadFailure {
        let detail = output.stderr.split(whereSeparator: \.isNewline).first.map { String($0.prefix(300)) } ?? ""
        return FileReadFailure(reason: "\(what) exited with \(output.status)" + (detail.isEmpty ? "" : ": \(detail)"))
    }
}

/// What detection reads of one container's `inspect` JSON (Docker's and podman's layouts).
struct InspectedContainer: Sendable {
    struct Mount: Sendable, Hashable {
        /// `volume`, `bind`, `tmpfs`, …
        var type: String
        /// The volume's name (volumes only).
        var name: String?
        /// The host path (the volume's mountpoint, or the bind mount's source).
        var source: String?
        var destination: String
        /// The volume driver (`local` keeps the data in `source`).
        var driver: String?
    }

    var id: String
    /// `Name` without the leading `/` Docker puts before it.
    var name: String
    /// `Config.Image`: the reference the container was started with.
    var image: String?
    /// `Image`: the image's ID.
    var imageID: String?
    /// `State.Status`: running, exited, created, …
    var state: String?
    /// `HostConfig.RestartPolicy.Name` (podman's empty name is `no`).
    var restartPolicy: String?
    var mounts: [Mount]
    /// `Config.Env`: held to tell set from unset, never recorded.
    var environment: [String: String]
    /// `Config.Labels`.
    var labels: [String: String]

    /// The container path of the data: its own `DATA_DIR`, else `/app/backend/data`.
    var dataTarget: String {
        environment["DATA_DIR"].map { HostPath.normalize($0) }.flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? Detector.containerDataDir
    }

    /// The mount at the data target.
    var dataMount: Mount? {
        mounts.first { HostPath.normalize($0.destination) == dataTarget }
    }

    /// Whether it looks like Open WebUI: its image names open-webui, or it mounts the data target.
    var isCandidate: Bool {
        (image?.contains("open-webui") ?? false) || dataMount != nil
    }

    /// The compose project that created it (label `com.docker.compose.project`).
    var composeProject: String? { labels["com.docker.compose.project"].flatMap { $0.isEmpty ? nil : $0 } }
    /// The compose files of that project (label `com.docker.compose.project.config_files`).
    var composeFiles: String? { labels["com.docker.compose.project.config_files"].flatMap { $0.isEmpty ? nil : $0 } }

    private struct Raw: Decodable {
        struct State: Decodable { var Status: String? }
        struct Policy: Decodable { var Name: String? }
        struct HostConfig: Decodable { var RestartPolicy: Policy? }
        struct Config: Decodable {
            var Image: String?
            var Env: [String]?
            var Labels: [String: String]?
        }
        struct RawMount: Decodable {
            var `Type`: String?
            var Name: String?
            var Source: String?
            var Destination: String?
            var Driver: String?
        }
        var Id: String?
        var Name: String?
        var Image: String?
        var State: State?
        var HostConfig: HostConfig?
        var Config: Config?
        var Mounts: [RawMount]?
    }

    /// The containers of an `inspect` answer (a JSON array); a phrase when it is not one.
    static func parse(_ data: Data) -> Result<[InspectedContainer], FileReadFailure> {
        let raws: [Raw]
        do {
            raws = try JSONDecoder().decode([Raw].self, from: data)
        } catch {
            return .failure(FileReadFailure(reason: "no JSON array of containers"))
        }
        var containers: [InspectedContainer] = []
        for raw in raws {
            guard let id = raw.Id, let rawName = raw.Name else {
                return .failure(FileReadFailure(reason: "a container without Id or Name"))
            }
            let name = rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName
            var environment: [String: String] = [:]
            for line in raw.Config?.Env ?? [] {
                guard let equals = line.firstIndex(of: "=") else { continue }
                environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            let mounts = (raw.Mounts ?? []).compactMap { mount -> Mount? in
                guard let destination = mount.Destination else { return nil }
                return Mount(type: mount.Type ?? "", name: mount.Name.flatMap { $0.isEmpty ? nil : $0 },
                             source: mount.Source.flatMap { $0.isEmpty ? nil : $0 }, destination: destination,
                             driver: mount.Driver.flatMap { $0.isEmpty ? nil : $0 })
            }
            let policy = raw.HostConfig?.RestartPolicy?.Name.map { $0.isEmpty ? "no" : $0 }
            containers.append(InspectedContainer(
                id: id, name: name, image: raw.Config?.Image.flatMap { $0.isEmpty ? nil : $0 },
                imageID: raw.Image.flatMap { $0.isEmpty ? nil : $0 }, state: raw.State?.Status, restartPolicy: policy,
                mounts: mounts, environment: environment, labels: raw.Config?.Labels ?? [:]))
        }
        return .success(containers)
    }
}
