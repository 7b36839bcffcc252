extension RemoteTargetBash {
    /// The `rsync` target type's bash (not implemented yet).
    static let rsync = RemoteTargetBash.unsupported("rsync")
}
