/// Reads a compose file's YAML into a `ComposeFile`, interpolating values first.
///
/// Only what detection needs is read (`name`, `services.*.{image, container_name, volumes,
/// environment, env_file}`, top-level `volumes`); other keys are ignored. Every problem is a
/// diagnostic located at the offending node; a file that cannot be read as compose gives nil.
public enum ComposeParser {
    /// Parses compose `bytes`; `file` names the file in diagnostics, `path` is its host path.
    public static func parse(_ bytes: [UInt8], file: String, path: String,
                             variables: [String: String]) -> (compose: ComposeFile?, diagnostics: [Diagnostic]) {
        let document = YAMLParser.parse(bytes, file: file)
        var diagnostics = document.diagnostics
        guard !diagnostics.hasErrors, let raw = document.root else {
            if document.root == nil, !diagnostics.hasErrors {
                diagnostics.append(Diagnostic(.composeInvalid, "the compose file is empty", file: file))
            }
            return (nil, diagnostics)
        }
        let (root, interpolation) = ComposeTreeInterpolator.interpolate(raw, variables: variables, file: file)
        diagnostics += interpolation
        var reader = ComposeReader(file: file)
        let compose = reader.read(root, path: path)
        return (compose, diagnostics + reader.diagnostics)
    }

    /// Parses compose text (tests and tools).
    public static func parse(_ text: String, file: String, path: String,
                             variables: [String: String] = [:]) -> (compose: ComposeFile?, diagnostics: [Diagnostic]) {
        parse(Array(text.utf8), file: file, path: path, variables: variables)
    }
}

/// Walks the interpolated tree, collecting diagnostics.
struct ComposeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    mutating func invalid(_ node: YAMLNode, _ message: String, help: String? = nil) {
        diagnostics.append(Diagnostic(.composeInvalid, message, file: file, at: node.start, length: node.width, help: help))
    }

    /// A scalar's text, or a diagnostic saying what `what` must be.
    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard let scalar = node.scalar else {
            invalid(node, "\(what) must be a string, not \(node.kindDescription)")
            return nil
        }
        return scalar.isNull ? nil : scalar.text
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard let text = node.scalar?.text.lowercased(), ["true", "false"].contains(text) else {
            invalid(node, "\(what) must be true or false, not \(node.scalar.map { "'\($0.text)'" } ?? node.kindDescription)")
            return nil
        }
        return text == "true"
    }

    mutating func read(_ root: YAMLNode, path: String) -> ComposeFile? {
        guard let pairs = root.mapping else {
            invalid(root, "a compose file must be a mapping with 'services:', not \(root.kindDescription)")
            return nil
        }
        var compose = ComposeFile(path: path)
        if let name = root["name"] { compose.name = string(name, "'name'") }
        if let volumes = root["volumes"] { compose.volumes = readVolumes(volumes) }
        guard let servicesPair = pairs.first(where: { $0.key.scalar?.text == "services" }) else {
            invalid(root, "the compose file has no 'services:'",
                    help: "a compose file lists its containers under 'services:'")
            return nil
        }
        guard let services = servicesPair.value.mapping, !services.isEmpty else {
            let empty = servicesPair.value.scalar?.isNull == true || servicesPair.value.mapping?.isEmpty == true
            invalid(empty ? servicesPair.key : servicesPair.value,
                    empty ? "'services:' is empty" : "'services:' must be a mapping of service names, not \(servicesPair.value.kindDescription)")
            return nil
        }
        for pair in services {
            guard let name = string(pair.key, "a service name") else { continue }
            if let service = readService(name: name, key: pair.key, node: pair.value) {
                compose.services.append(service)
            }
        }
        compose.services.sort { $0.name < $1.name }
        return compose
    }

    mutating func readVolumes(_ node: YAMLNode) -> [ComposeVolume] {
        if node.scalar?.isNull == true { return [] }
        guard let pairs = node.mapping else {
            invalid(node, "top-level 'volumes:' must be a mapping of volume names, not \(node.kindDescription)")
            return []
        }
        var volumes: [ComposeVolume] = []
        for pair in pairs {
            guard let key = string(pair.key, "a volume name") else { continue }
            var volume = ComposeVolume(key: key)
            if pair.value.scalar?.isNull == true {
                volumes.append(volume)
                continue
            }
            guard pair.value.mapping != nil else {
                invalid(pair.value, "volume '\(key)' must be a mapping or empty, not \(pair.value.kindDescription)")
                continue
            }
            if let name = pair.value["name"] { volume.name = string(name, "'name' of volume '\(key)'") }
            if let external = pair.value["external"] {
                if let legacyName = external["name"] {
                    volume.external = true
                    volume.name = volume.name ?? string(legacyName, "'external.name'")
                } else {
                    volume.external = bool(external, "'external' of volume '\(key)'") ?? false
                }
            }
            volumes.append(volume)
        }
        return volumes.sorted { $0.key < $1.key }
    }
}
