extension RemoteTargetBash {
    /// The `restic` target type's bash (not implemented yet).
    static let restic = RemoteTargetBash.unsupported("restic")
}
