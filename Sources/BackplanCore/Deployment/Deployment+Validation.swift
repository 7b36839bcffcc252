/// A saved deployment (`plans/<name>.deployment.json`) is input like a plan: its paths and names reach
/// generated scripts and units, so they are held to the plan's rules when it is loaded.
extension Deployment {
    /// One field that breaks a rule: the JSON path of the field and what is wrong with it.
    public struct Problem: Sendable, Hashable {
        public var field: String
        public var message: String
    }

    /// Every field that a plan could not hold either; empty when the deployment is usable.
    public func problems() -> [Problem] {
        var problems: [Problem] = []
        func absolute(_ value: String?, _ field: String) {
            guard let value else { return }
            if let why = Self.unsafe(value) {
                problems.append(Problem(field: field, message: why))
            } else if !value.hasPrefix("/") {
                problems.append(Problem(field: field, message: "must be an absolute path"))
            } else if value.split(separator: "/").contains("..") {
                problems.append(Problem(field: field, message: "must not contain '..'"))
            }
        }
        func text(_ value: String?, _ field: String) {
            guard let value, let why = Self.unsafe(value) else { return }
            problems.append(Problem(field: field, message: why))
        }
        if let compose {
            absolute(compose.file, "compose.file")
            if let why = Self.unsafe(compose.project) {
                problems.append(Problem(field: "compose.project", message: why))
            } else if !NodeReader.isComposeProjectName(compose.project) {
                problems.append(Problem(field: "compose.project", message: "is not a compose project name "
                    + "(lowercase letters, digits, '_' and '-', starting with a letter or digit)"))
            }
            for (field, name) in [("compose.service", compose.service)] + compose.services.map({ ("compose.services", $0) }) {
                guard let name else { continue }
                if let why = Self.unsafe(name) {
                    problems.append(Problem(field: field, message: why))
                } else if !NodeReader.isComposeServiceName(name) {
                    problems.append(Problem(field: field, message: "'\(name)' is not a compose service name"))
                }
            }
        }
        if let container {
            for (field, name) in [("container.name", container.name)] + container.containers.map({ ("container.containers", $0) }) {
                if let why = Self.unsafe(name) {
                    problems.append(Problem(field: field, message: why))
                } else if !NodeReader.isContainerName(name) {
                    problems.append(Problem(field: field, message: "'\(name)' is not a container name"))
                }
            }
            if !["docker", "podman"].contains(container.engine) {
                problems.append(Problem(field: "container.engine", message: "must be docker or podman"))
            }
            text(container.restartPolicy, "container.restart_policy")
            if compose != nil { problems.append(Problem(field: "container", message: "must be absent when compose is given")) }
        }
        absolute(dataDir, "data_dir")
        text(dataDirSource, "data_dir_source")
        text(volume?.name, "volume.name")
        for entry in entries {
            if let why = Self.unsafe(entry.name) {
                problems.append(Problem(field: "entries.name", message: why))
            } else if entry.name.isEmpty || entry.name == "." || entry.name == ".." || entry.name.contains("/") {
                problems.append(Problem(field: "entries.name", message: "'\(entry.name)' is not the name of an entry in a folder"))
            }
            text(entry.journalMode, "entries.journal_mode")
            for sidecar in entry.sidecars ?? [] { text(sidecar, "entries.sidecars") }
        }
        absolute(environment.dataDir, "environment.data_dir")
        for (field, value) in [("environment.database_scheme", environment.databaseScheme),
                               ("environment.database_type", environment.databaseType),
                               ("environment.vector_db", environment.vectorDB),
                               ("environment.storage_provider", environment.storageProvider),
                               ("app.image", app.image), ("app.image_digest", app.imageDigest),
                               ("app.alembic_version", app.alembicVersion)] {
            text(value, field)
        }
        for key in keys ?? [] {
            if let why = Self.unsafe(key.name) {
                problems.append(Problem(field: "keys.name", message: why))
            } else if key.name.isEmpty || !key.name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isUppercase || $0.isNumber)) }) {
                problems.append(Problem(field: "keys.name", message: "'\(key.name)' is not an environment variable name"))
            }
            absolute(key.file, "keys.file")
        }
        if let zone = host?.timeZone {
            if let why = Self.unsafe(zone) {
                problems.append(Problem(field: "host.time_zone", message: why))
            } else if HostClock.zone(named: zone) == nil {
                problems.append(Problem(field: "host.time_zone", message: "'\(zone)' is not a time zone name this system knows (like Europe/Berlin or UTC)"))
            }
        }
        return problems
    }

    /// Why `value` cannot be carried into a script or shown on a terminal, if it cannot.
    static func unsafe(_ value: String) -> String? {
        guard let bad = value.unicodeScalars.first(where: NodeReader.isUnsafe) else { return nil }
        let name = bad == "\n" ? "a line break" : bad == "\0" ? "a NUL byte"
            : TerminalText.isBidiControl(bad) ? "a bidirectional control character" : "a control character"
        return "contains \(name) (\(TerminalText.escape(String(bad))))"
    }
}
