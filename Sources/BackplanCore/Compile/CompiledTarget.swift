/// A compiled target: its name and, per type, exactly the settings that type has.
public struct CompiledTarget: Hashable, Sendable {
    public var name: String
    public var kind: Kind

    public enum Kind: Hashable, Sendable {
        /// The folder holding `<plan>/<job>/<ID>/`.
        case local(path: String)
        case rclone(CompiledRcloneTarget)
        case restic(CompiledResticTarget)
        case rsync(CompiledRsyncTarget)
    }

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public var type: TargetType {
        switch kind {
        case .local: .local
        case .rclone: .rclone
        case .restic: .restic
        case .rsync: .rsync
        }
    }

    /// local: the snapshot folder; rsync: the remote folder.
    public var path: String? {
        switch kind {
        case .local(let path): path
        case .rsync(let rsync): rsync.path
        case .rclone, .restic: nil
        }
    }

    /// The environment file the target's tool runs with.
    public var envFile: String? {
        switch kind {
        case .rclone(let rclone): rclone.envFile
        case .restic(let restic): restic.envFile
        case .local, .rsync: nil
        }
    }

    public var rclone: CompiledRcloneTarget? { if case .rclone(let t) = kind { t } else { nil } }
    public var restic: CompiledResticTarget? { if case .restic(let t) = kind { t } else { nil } }
    public var rsync: CompiledRsyncTarget? { if case .rsync(let t) = kind { t } else { nil } }

    /// An rsync target the NAS pulls (the server never connects to it).
    public var isPulled: Bool { rsync?.direction == .pull }
}

public struct CompiledRcloneTarget: Hashable, Sendable {
    /// `remote:path`.
    public var remote: String
    public var configFile: String?
    public var envFile: String?
    public var bandwidthLimit: String?
    public var transfers: Int?

    public init(remote: String, configFile: String? = nil, envFile: String? = nil, bandwidthLimit: String? = nil,
                transfers: Int? = nil) {
        self.remote = remote
        self.configFile = configFile
        self.envFile = envFile
        self.bandwidthLimit = bandwidthLimit
        self.transfers = transfers
    }
}

public struct CompiledResticTarget: Hashable, Sendable {
    public var repository: String
    public var passwordFile: String
    public var envFile: String?
    /// Create the repository when missing.
    public var initialize: Bool

    public init(repository: String, passwordFile: String, envFile: String? = nil, initialize: Bool = false) {
        self.repository = repository
        self.passwordFile = passwordFile
        self.envFile = envFile
        self.initialize = initialize
    }
}

public struct CompiledRsyncTarget: Hashable, Sendable {
    public var host: String
    public var user: String?
    public var port: Int?
    /// The remote folder.
    public var path: String
    public var sshKey: String?
    public var knownHosts: String?
    public var direction: RsyncTarget.Direction

    public init(host: String, user: String? = nil, port: Int? = nil, path: String, sshKey: String? = nil,
                knownHosts: String? = nil, direction: RsyncTarget.Direction = .push) {
        self.host = host
        self.user = user
        self.port = port
        self.path = path
        self.sshKey = sshKey
        self.knownHosts = knownHosts
        self.direction = direction
    }
}
