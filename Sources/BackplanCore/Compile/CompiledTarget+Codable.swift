/// plan.json's target object: `name`, `type` and the type's keys (`TargetType.keys`), flat. Decoding
/// refuses an unknown type, a key of another type, and a missing key plan.json always holds.
extension CompiledTarget: Codable {
    struct Key: CodingKey, Hashable {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let name = Key("name"), type = Key("type"), path = Key("path"), remote = Key("remote")
        static let configFile = Key("config_file"), envFile = Key("env_file"), bandwidthLimit = Key("bwlimit")
        static let transfers = Key("transfers"), repository = Key("repository"), passwordFile = Key("password_file")
        static let initialize = Key("init"), host = Key("host"), user = Key("user"), port = Key("port")
        static let sshKey = Key("ssh_key"), knownHosts = Key("known_hosts"), direction = Key("direction")
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        name = try c.decode(String.self, forKey: .name)
        let typeName = try c.decode(String.self, forKey: .type)
        guard let type = TargetType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown target type '\(typeName)' (this backplan knows \(TargetType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let known = Set(["name", "type"] + type.keys)
        if let unknown = c.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [Key(unknown)], debugDescription:
                "unknown field for a target of type \(type.rawValue)"))
        }
        for key in type.compiledRequiredKeys where !c.contains(Key(key)) {
            throw DecodingError.keyNotFound(Key(key), .init(codingPath: c.codingPath, debugDescription:
                "a target of type \(type.rawValue) needs '\(key)'"))
        }
        switch type {
        case .local:
            kind = .local(path: try c.decode(String.self, forKey: .path))
        case .rclone:
            kind = .rclone(CompiledRcloneTarget(
                remote: try c.decode(String.self, forKey: .remote),
                configFile: try c.decodeIfPresent(String.self, forKey: .configFile),
                envFile: try c.decodeIfPresent(String.self, forKey: .envFile),
                bandwidthLimit: try c.decodeIfPresent(String.self, forKey: .bandwidthLimit),
                transfers: try c.decodeIfPresent(Int.self, forKey: .transfers)))
        case .restic:
            kind = .restic(CompiledResticTarget(
                repository: try c.decode(String.self, forKey: .repository),
                passwordFile: try c.decode(String.self, forKey: .passwordFile),
                envFile: try c.decodeIfPresent(String.self, forKey: .envFile),
                initialize: try c.decode(Bool.self, forKey: .initialize)))
        case .rsync:
            kind = .rsync(CompiledRsyncTarget(
                host: try c.decode(String.self, forKey: .host),
                user: try c.decodeIfPresent(String.self, forKey: .user),
                port: try c.decodeIfPresent(Int.self, forKey: .port),
                path: try c.decode(String.self, forKey: .path),
                sshKey: try c.decodeIfPresent(String.self, forKey: .sshKey),
                knownHosts: try c.decodeIfPresent(String.self, forKey: .knownHosts),
                direction: try c.decode(RsyncTarget.Direction.self, forKey: .direction)))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        switch kind {
        case .local(let path):
            try c.encode(path, forKey: .path)
        case .rclone(let t):
            try c.encode(t.remote, forKey: .remote)
            try c.encodeIfPresent(t.configFile, forKey: .configFile)
            try c.encodeIfPresent(t.envFile, forKey: .envFile)
            try c.encodeIfPresent(t.bandwidthLimit, forKey: .bandwidthLimit)
            try c.encodeIfPresent(t.transfers, forKey: .transfers)
        case .restic(let t):
            try c.encode(t.repository, forKey: .repository)
            try c.encode(t.passwordFile, forKey: .passwordFile)
            try c.encodeIfPresent(t.envFile, forKey: .envFile)
            try c.encode(t.initialize, forKey: .initialize)
        case .rsync(let t):
            try c.encode(t.host, forKey: .host)
            try c.encodeIfPresent(t.user, forKey: .user)
            try c.encodeIfPresent(t.port, forKey: .port)
            try c.encode(t.path, forKey: .path)
            try c.encodeIfPresent(t.sshKey, forKey: .sshKey)
            try c.encodeIfPresent(t.knownHosts, forKey: .knownHosts)
            try c.encode(t.direction, forKey: .direction)
        }
    }
}
