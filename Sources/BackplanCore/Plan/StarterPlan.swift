import Foundation

/// Writes a first plan for a detected deployment: every data-dir entry captured or ignored, one nightly
/// job to a local folder, and the off-site target left for the person to fill in.
public enum StarterPlan {
    /// Entries Open WebUI re-creates by itself, left out of backups.
    public static let recreatable: Set<String> = ["cache", "audit.log"]

    public static func render(_ deployment: Deployment, name: String) -> String {
        var sources: [(name: String, path: String, kind: String)] = []
        var ignore: [String] = []
        var used: Set<String> = []
        for entry in deployment.entries where entry.kind != .sqliteSidecar {
            if recreatable.contains(entry.name) {
                ignore.append(entry.name)
                continue
            }
            let preferred: String = switch (entry.name, entry.kind) {
            case ("webui.db", _): "database"
            case ("vector_db", _): "vectors"
            default: sourceName(entry.name)
            }
            var unique = preferred
            var n = 2
            while used.contains(unique) {
                unique = "\(preferred)-\(n)"
                n += 1
            }
            used.insert(unique)
            sources.append((unique, entry.name, entry.kind == .sqlite ? "sqlite" : entry.kind == .chroma ? "chroma" : "files"))
        }
        let where_ = deployment.compose?.file ?? deployment.container.map { "container \($0.name) (docker run)" }
            ?? deployment.dataDir ?? "this host"
        var out = """
            # Backup plan for the Open WebUI at \(where_).
            # Written by `backplan init`: review it, then run `backplan check`.
            # The language is described in docs/plan-language.md.
            version: 1
            name: \(name)

            deployment:

            """
        if let compose = deployment.compose {
            out += "  compose:\n    file: \(yamlString(compose.file))\n    service: \(yamlString(compose.service ?? "open-webui"))\n"
            if deployment.dataDirSource == "option", let dir = deployment.dataDir {
                out += "  data_dir: \(yamlString(dir))\n"
            }
        } else if let container = deployment.container {
            out += container.engine == "docker" ? "  container: \(yamlString(container.name))\n"
                : "  container: {name: \(yamlString(container.name)), command: \(yamlString(container.engine))}\n"
            // Written out: `check` on the server then detects through it, and a re-created container with
            // another volume is a mismatch (BP320) rather than a silent change.
            if let dir = deployment.dataDir { out += "  data_dir: \(yamlString(dir))\n" }
        } else if let dir = deployment.dataDir {
            out += "  data_dir: \(yamlString(dir))\n"
        }
        out += "\nsources:\n"
        if sources.isEmpty { out += "  database: {path: webui.db, kind: sqlite}\n" }
        for s in sources { out += "  \(s.name): {path: \(yamlString(s.path)), kind: \(s.kind)}\n" }
        out += keySources(deployment, taken: used)
        out += "ignore: [\(ignore.map(yamlString).joined(separator: ", "))]\n"
        out += """

            targets:
              local: {type: local, path: /var/backups/backplan/\(name)}
              # Keep a second copy off this server, e.g.:
              # offsite: {type: rclone, remote: "b2:my-bucket/openwebui", config_file: /etc/backplan/rclone.conf}

            jobs:
              nightly:
                schedule: "*-*-* 03:15"

            """
        if let service = deployment.compose?.service {
            out += "    # The app stops while its data is captured (not during uploads).\n"
            out += "    quiesce: {stop: [\(yamlString(service))], max_downtime: 5m}\n"
        } else if let container = deployment.container {
            out += "    # The container stops while its data is captured (not during uploads).\n"
            out += "    quiesce: {containers: [\(yamlString(container.name))], max_downtime: 5m}\n"
        } else {
            out += "    # Hot capture. To capture vector_db consistently, stop the app: quiesce: {units: [open-webui.service]}\n"
            out += "    quiesce: none\n"
        }
        out += """
                targets: [local]
                retention: {keep_daily: 7, keep_weekly: 4, keep_monthly: 6}
                verify: manifest

            """
        return out
    }

    /// The key sources: the file on the host that sets each key (not one git tracks: BP324 asks to move
    /// it first), or the key the image generates inside the container; a comment when it cannot be known.
    static func keySources(_ deployment: Deployment, taken: Set<String>) -> String {
        var out = "  # The app's keys: without them a restore logs everyone out (kept under keys/, mode 0600).\n"
        var files: [String] = []
        var generated = false
        for key in deployment.keys ?? [] {
            let capturable = key.isInHostFile ? key.committed != true : key.source == .generatedInWorkingDirectory
            if capturable, let file = key.file, !files.contains(file) { files.append(file) }
            if key.source == .generatedInContainer { generated = true }
        }
        var names: [String] = []
        func next() -> String {
            var name = "secret-key"
            var n = 2
            while taken.contains(name) || names.contains(name) {
                name = "secret-key-\(n)"
                n += 1
            }
            names.append(name)
            return name
        }
        for file in files { out += "  \(next()): {path: \(yamlString(file)), kind: key}\n" }
        if generated, let service = deployment.compose?.service {
            out += "  \(next()): {kind: key, service: \(yamlString(service)), path: \(KeyDetection.containerKeyFile)}\n"
        } else if generated, let container = deployment.container {
            out += "  \(next()): {kind: key, container: \(yamlString(container.name)), path: \(KeyDetection.containerKeyFile)}\n"
        }
        if names.isEmpty {
            if let container = deployment.container, deployment.environment.secretKey == .set {
                out += "  # WEBUI_SECRET_KEY is set in the environment of container \(container.name) (docker run -e or --env-file), which\n"
                out += "  # 'docker rm' loses: keep it in an env file, start the container with --env-file, and capture that file:\n"
                out += "  # secret-key: {path: /etc/open-webui/secrets.env, kind: key}\n"
            } else if deployment.compose == nil, deployment.environment.secretKey != .set {
                out += "  # WEBUI_SECRET_KEY is generated into .webui_secret_key in the folder `open-webui serve` starts from:\n"
                out += "  # secret-key: {path: /WORKING/DIR/.webui_secret_key, kind: key}\n"
            } else {
                out += "  # Add the file that sets WEBUI_SECRET_KEY: secret-key: {path: /etc/open-webui/secrets.env, kind: key}\n"
            }
        }
        return out
    }

    /// A source name from a data-dir entry: lowercase letters, digits and dashes.
    static func sourceName(_ entry: String) -> String {
        var out = ""
        for scalar in entry.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            out += ok ? String(scalar) : (out.hasSuffix("-") || out.isEmpty ? "" : "-")
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "data" : String(out.prefix(63))
    }

    /// A scalar quoted when plain YAML would misread it.
    static func yamlString(_ text: String) -> String {
        let plainSafe = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "/._-".unicodeScalars.contains($0)
        }
        if plainSafe, !text.isEmpty, !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(text.lowercased()) {
            return text
        }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}
