extension NodeReader {
    mutating func target(_ name: Located<String>, _ node: YAMLNode) -> Target? {
        let context = "target '\(name.value)'"
        guard node.mapping != nil else {
            _ = fields(node, in: context, known: [])
            return nil
        }
        let types = TargetType.allCases.map(\.rawValue).sorted()
        guard let typeNode = node["type"] else {
            report(.missingKey, "\(context) needs 'type'", at: node.start,
                   help: "add 'type:' with one of \(types.joined(separator: ", "))")
            return nil
        }
        guard let chosen = choice(typeNode, "the type of \(context)", among: types),
              let type = TargetType(rawValue: chosen.value) else { return nil }
        guard let f = fields(node, in: "\(context) (type \(type.rawValue))", known: ["type"] + type.keys,
                             required: type.requiredKeys)
        else { return nil }
        let kind: TargetKind?
        switch type {
        case .local:
            kind = f["path"].flatMap { absolutePath($0, "the path of \(context)") }.map { .local(path: $0) }
        case .rclone:
            let remote = f["remote"].flatMap { string($0, "the remote of \(context)") }
            if let remote { refuseOptionLike(remote, "the remote of \(context)", help: "write 'REMOTE:bucket/path' with a remote from the rclone config, e.g. 'b2:openwebui-backups'") }
            if let remote, !remote.value.hasPrefix("-"), !remote.value.contains(":") {
                report(.invalidValue, "the remote of \(context) '\(remote.value)' names no rclone remote",
                       at: remote.start, width: remote.width,
                       help: "write 'REMOTE:bucket/path' with a remote from the rclone config, e.g. 'b2:openwebui-backups'")
            }
            let target = RcloneTarget(
                remote: remote ?? name,
                configFile: f["config_file"].flatMap { absolutePath($0, "config_file of \(context)") },
                envFile: f["env_file"].flatMap { absolutePath($0, "env_file of \(context)") },
                bandwidthLimit: f["bwlimit"].flatMap { string($0, "bwlimit of \(context)") },
                transfers: f["transfers"].flatMap { integer($0, "transfers of \(context)", in: 1...64) })
            kind = remote == nil ? nil : .rclone(target)
        case .restic:
            let repository = f["repository"].flatMap { string($0, "the repository of \(context)") }
            if let repository { refuseOptionLike(repository, "the repository of \(context)", help: "write the repository as restic names it, e.g. 's3:https://s3.example.com/bucket/owui' or '/srv/restic'") }
            let password = f["password_file"].flatMap { absolutePath($0, "password_file of \(context)") }
            let initialize = f["init"].flatMap { boolean($0, "init of \(context)") } ?? false
            let envFile = f["env_file"].flatMap { absolutePath($0, "env_file of \(context)") }
            if let repository, let password {
                kind = .restic(ResticTarget(repository: repository, passwordFile: password, envFile: envFile,
                                            initialize: initialize))
            } else {
                kind = nil
            }
        case .rsync:
            let host = f["host"].flatMap { string($0, "the host of \(context)") }
            let path = f["path"].flatMap { absolutePath($0, "the path of \(context)") }
            let direction = f["direction"].flatMap { choice($0, "direction of \(context)", among: ["pull", "push"]) }
            let user = f["user"].flatMap { string($0, "the user of \(context)") }
            rsyncAddress(host: host, user: user, context: context)
            let target = RsyncTarget(
                host: host ?? name,
                user: user,
                port: f["port"].flatMap { integer($0, "the port of \(context)", in: 1...65535) },
                path: path ?? name,
                sshKey: f["ssh_key"].flatMap { absolutePath($0, "ssh_key of \(context)") },
                knownHosts: f["known_hosts"].flatMap { absolutePath($0, "known_hosts of \(context)") },
                direction: direction.flatMap { RsyncTarget.Direction(rawValue: $0.value) } ?? .push)
            kind = host == nil || path == nil ? nil : .rsync(target)
        }
        return kind.map { Target(name: name, kind: $0, start: node.start) }
    }

    /// Reports a value that a tool would read as an option (a leading `-`).
    mutating func refuseOptionLike(_ value: Located<String>, _ what: String, help: String) {
        guard value.value.hasPrefix("-") else { return }
        report(.optionLikeValue, "\(what) '\(value.value)' starts with '-': the tool would read it as an option",
               at: value.start, width: value.width, help: help)
    }

    /// Checks an rsync target's host and user (`RsyncAddress`): rsync reads `user@host:path`.
    mutating func rsyncAddress(host: Located<String>?, user: Located<String>?, context: String) {
        if let host {
            refuseOptionLike(host, "the host of \(context)", help: "write the host alone: a name, an IPv4 address or [an IPv6 address]")
            if !host.value.hasPrefix("-"), !RsyncAddress.isHost(host.value) {
                report(.invalidValue, "the host of \(context) '\(host.value)' is not a host name, an IPv4 address or a bracketed IPv6 address",
                       at: host.start, width: host.width,
                       help: "write the host alone (e.g. 'nas.lan', '192.168.1.20' or '[fd00::20]'); the user goes in 'user:', the port in 'port:', the folder in 'path:'")
            }
        }
        if let user {
            refuseOptionLike(user, "the user of \(context)", help: "write the login name alone, e.g. 'backup'")
            if !user.value.hasPrefix("-"), !RsyncAddress.isLoginName(user.value) {
                report(.invalidValue, "the user of \(context) '\(user.value)' is not a login name", at: user.start, width: user.width,
                       help: "write the login name alone: letters, digits, '.', '_' and '-' (e.g. 'backup'); no '/', '@', ':' or spaces")
            }
        }
    }
}
