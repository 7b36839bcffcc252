extension RemoteTargetBash {
    /// The `rclone` target type's bash (not implemented yet).
    static let rclone = RemoteTargetBash.unsupported("rclone")
}
