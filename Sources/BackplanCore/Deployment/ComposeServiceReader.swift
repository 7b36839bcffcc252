/// Reading one service: image, container_name, volumes (short and long syntax), environment (list and
/// map forms) and env_file (a string, a list of strings, or `{path, required}` entries).
extension ComposeReader {
    mutating func readService(name: String, key: YAMLNode, node: YAMLNode) -> ComposeService? {
        var service = ComposeService(name: name, location: key.start)
        if node.scalar?.isNull == true { return service }
        guard node.mapping != nil else {
            invalid(node, "service '\(name)' must be a mapping, not \(node.kindDescription)")
            return nil
        }
        if let image = node["image"] { service.image = string(image, "'image' of service '\(name)'") }
        if let container = node["container_name"] {
            service.containerName = string(container, "'container_name' of service '\(name)'")
        }
        if let volumes = node["volumes"] {
            if let items = volumes.sequence {
                service.mounts = items.compactMap { readMount($0, service: name) }
            } else if volumes.scalar?.isNull != true {
                invalid(volumes, "'volumes' of service '\(name)' must be a list, not \(volumes.kindDescription)")
            }
        }
        if let environment = node["environment"] { service.environment = readEnvironment(environment, service: name) }
        if let envFile = node["env_file"] { service.envFiles = readEnvFiles(envFile, service: name) }
        return service
    }

    /// A volume entry: `SOURCE:TARGET[:MODE]`, `TARGET`, or `{type, source, target, read_only}`.
    mutating func readMount(_ node: YAMLNode, service: String) -> ComposeMount? {
        if let text = node.scalar?.text {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
                invalid(node, "volume '\(text)' of service '\(service)' is not SOURCE:TARGET[:MODE]",
                        help: "write e.g. 'open-webui:/app/backend/data' or './data:/app/backend/data:rw'")
                return nil
            }
            if parts.count == 1 {
                return ComposeMount(kind: .anonymous, source: nil, target: parts[0], location: node.start)
            }
            let source = parts[0]
            let isPath = source.hasPrefix("/") || source.hasPrefix(".") || source.hasPrefix("~")
            let modes = parts.count == 3 ? parts[2].split(separator: ",").map(String.init) : []
            return ComposeMount(kind: isPath ? .bind : .volume, source: source, target: parts[1],
                                readOnly: modes.contains("ro"), location: node.start)
        }
        guard node.mapping != nil else {
            invalid(node, "a volume of service '\(service)' must be a string or a mapping, not \(node.kindDescription)")
            return nil
        }
        let typeText = node["type"].flatMap { string($0, "'type'") } ?? "volume"
        guard let targetNode = node["target"], let target = string(targetNode, "'target'") else {
            invalid(node, "a volume of service '\(service)' has no 'target'",
                    help: "'target' is the path inside the container, e.g. /app/backend/data")
            return nil
        }
        let source = node["source"].flatMap { string($0, "'source'") }
        let readOnly = node["read_only"].flatMap { bool($0, "'read_only'") } ?? false
        let kind: ComposeMount.Kind
        switch typeText {
        case "volume": kind = source == nil ? .anonymous : .volume
        case "bind":
            guard source != nil else {
                invalid(node, "a bind mount of service '\(service)' has no 'source'")
                return nil
            }
            kind = .bind
        case "tmpfs", "npipe", "image", "cluster": kind = .other
        default:
            invalid(node["type"] ?? node, "volume type '\(typeText)' is not one of volume, bind, tmpfs, npipe, image, cluster")
            return nil
        }
        return ComposeMount(kind: kind, source: source, target: target, readOnly: readOnly, location: node.start)
    }

    mutating func readEnvironment(_ node: YAMLNode, service: String) -> [ComposeEnvironmentVariable] {
        if node.scalar?.isNull == true { return [] }
        if let items = node.sequence {
            return items.compactMap { item in
                guard let text = string(item, "an 'environment' entry of service '\(service)'") else { return nil }
                guard let equals = text.firstIndex(of: "=") else {
                    return ComposeEnvironmentVariable(key: text, value: nil, location: item.start)
                }
                return ComposeEnvironmentVariable(key: String(text[..<equals]), value: String(text[text.index(after: equals)...]),
                                                  location: item.start)
            }
        }
        guard let pairs = node.mapping else {
            invalid(node, "'environment' of service '\(service)' must be a list or a mapping, not \(node.kindDescription)")
            return []
        }
        return pairs.compactMap { pair in
            guard let key = string(pair.key, "an environment variable name") else { return nil }
            guard let scalar = pair.value.scalar else {
                invalid(pair.value, "environment variable '\(key)' must be a string, not \(pair.value.kindDescription)")
                return nil
            }
            return ComposeEnvironmentVariable(key: key, value: scalar.isNull ? nil : scalar.text, location: pair.key.start)
        }
    }

    mutating func readEnvFiles(_ node: YAMLNode, service: String) -> [ComposeEnvFileReference] {
        if let scalar = node.scalar {
            return scalar.isNull ? [] : [ComposeEnvFileReference(path: scalar.text, location: node.start)]
        }
        guard let items = node.sequence else {
            invalid(node, "'env_file' of service '\(service)' must be a path or a list, not \(node.kindDescription)")
            return []
        }
        return items.compactMap { item in
            if item.mapping != nil {
                guard let pathNode = item["path"], let path = string(pathNode, "'path' of an env_file") else {
                    invalid(item, "an 'env_file' entry of service '\(service)' has no 'path'")
                    return nil
                }
                let required = item["required"].flatMap { bool($0, "'required'") } ?? true
                return ComposeEnvFileReference(path: path, required: required, location: item.start)
            }
            guard let path = string(item, "an 'env_file' entry of service '\(service)'") else { return nil }
            return ComposeEnvFileReference(path: path, location: item.start)
        }
    }
}
