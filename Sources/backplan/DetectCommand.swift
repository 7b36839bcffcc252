import ArgumentParser
import BackplanCore
import Foundation

/// `backplan detect`: finds the Open WebUI deployment on this host and prints what it found.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find the Open WebUI deployment: compose file or container, data dir and what is in it.",
        discussion: """
            Without --compose, --container and --data-dir, looks for compose.yaml / docker-compose.yml in the \
            current directory, /opt/open-webui and /srv/open-webui, then asks the container engine (when \
            DOCKER_HOST is set or /var/run/docker.sock exists) for a container running open-webui or mounting \
            /app/backend/data. With --json, prints the deployment as canonical JSON (save it as \
            plans/<name>.deployment.json). See docs/detect.md.
            """)

    @OptionGroup var location: DeploymentOptions

    @Flag(help: "Print the deployment as canonical JSON.")
    var json = false

    func run() throws {
        let (deployment, diagnostics) = location.detect()
        if let deployment {
            print(json ? TerminalText.escapeJSON(try deployment.canonicalJSON()) : TerminalText.escapeLines(Self.summary(deployment)), terminator: json ? "" : "\n")
        }
        if diagnostics.hasErrors || deployment == nil { throw ExitCode.failure }
    }

    /// A short human summary of the deployment (raw: `run` escapes it for the terminal).
    static func summary(_ deployment: Deployment) -> String {
        var lines: [String] = []
        if let compose = deployment.compose {
            lines.append("compose:   \(compose.file) (project \(compose.project))")
            lines.append("service:   \(compose.service ?? "-") of \(compose.services.joined(separator: ", "))")
        }
        if let container = deployment.container {
            lines.append("container: \(container.name) (\(container.engine), restart policy \(container.restartPolicy ?? "unknown"))")
        }
        if let image = deployment.app.image { lines.append("image:     \(image)") }
        if let digest = deployment.app.imageDigest { lines.append("digest:    \(digest)") }
        if deployment.container != nil, let source = deployment.dataDirSource, source.hasPrefix("container-") {
            // The container's mount of its data target (its own DATA_DIR, else /app/backend/data).
            let target = deployment.environment.dataDir ?? Detector.containerDataDir
            let mount = deployment.volume.map { "volume \($0.name)" } ?? "bind mount"
            lines.append("mount:     \(mount) at \(target)")
        } else if let volume = deployment.volume {
            lines.append("volume:    \(volume.name)\(volume.external ? " (external)" : "")")
        }
        let source = deployment.dataDirSource.map { " (\($0))" } ?? ""
        lines.append("data dir:  \(deployment.dataDir ?? "unknown")\(source)\(deployment.dataDirExists ? "" : " [missing]")")
        if let alembic = deployment.app.alembicVersion { lines.append("alembic:   \(alembic)") }
        let env = deployment.environment
        lines.append("database:  \(env.databaseScheme ?? "sqlite (webui.db)")   vector db: \(env.vectorDB ?? "chroma")"
                     + "   storage: \(env.storageProvider ?? "local")   secret key: \(env.secretKey.rawValue)")
        // Where each key comes from (never its value): what a `key` source must capture.
        for key in deployment.keys ?? [] {
            let file = key.file.map { " \($0)" } ?? ""
            let git = key.committed == true ? " (tracked by git: a leaked key, BP324)" : ""
            lines.append("key:       \(key.name) from \(key.source.rawValue)\(file)\(git)")
        }
        if !deployment.entries.isEmpty { lines.append("entries:") }
        for entry in deployment.entries {
            var detail = "\(entry.kind.rawValue), \(entry.files) file\(entry.files == 1 ? "" : "s"), \(entry.bytes) bytes"
            if let mode = entry.journalMode { detail += ", journal \(mode)" }
            if let sidecars = entry.sidecars, !sidecars.isEmpty { detail += ", with \(sidecars.joined(separator: " "))" }
            if let unreadable = entry.unreadable { detail += ", cannot read \(unreadable.joined(separator: " "))" }
            lines.append("  \(entry.name)\(entry.type == .directory ? "/" : "")  \(detail)")
        }
        return lines.joined(separator: "\n")
    }
}
