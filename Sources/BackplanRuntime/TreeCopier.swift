import BackplanCore
import Foundation

/// Copies a folder tree like `rsync -a --link-dest=PREVIOUS`, without a process per file: each regular
/// file whose previous copy (same relative path under `linkDest`) has the same size, mtime (seconds),
/// mode and owner is hard-linked to it; every other file is copied (`copy_file_range(2)`, else
/// read/write) keeping mode, mtime and, as root, owner. Folders are recreated; symlinks and other kinds
/// (sockets, fifos, devices) are skipped. Each regular file written is recorded in a `CaptureInventory`
/// (size, and the previous inode when linked), so the manifest and verify need not walk the trees again.
/// Apart from that record, memory stays flat: one folder's names at a time.
public struct TreeCopier: Sendable {
    public var exclude: TreeCopierExclude
    /// The same place in the previous snapshot; nil copies everything.
    public var linkDest: String?
    public var cancellation: RunCancellation
    /// Called with a path that vanished while it was copied (rsync's status 24: a warning).
    public var onVanished: @Sendable (String) -> Void = { _ in }
    /// Called with a symbolic link, which is not copied: a snapshot holds only folders and regular files,
    /// all listed in its manifest (rsync `--no-links`).
    public var onSkippedLink: @Sendable (String) -> Void = { _ in }
    /// Called with the size of each regular file linked or copied (the progress line).
    public var onFile: @Sendable (Int64) -> Void = { _ in }

    public init(exclude: TreeCopierExclude = TreeCopierExclude([]), linkDest: String?, cancellation: RunCancellation) {
        self.exclude = exclude
        self.linkDest = linkDest
        self.cancellation = cancellation
    }

    /// Copies the contents of folder `source` into `destination` (created; takes `source`'s mode and mtime).
    /// Files are recorded in `inventory` as `prefix` + their path under `source` (`prefix` ends with `/` or is empty).
    public func copyTree(_ source: String, to destination: String, recording inventory: inout CaptureInventory,
                         as prefix: String) throws {
        var st = stat()
        guard PathBytes.withCString(source, { lstat($0, &st) }) == 0 else { throw RunError("capture: cannot read \(PathBytes.display(source)): \(Self.errorText())") }
        try makeDirectory(destination)
        try Walk.run(prefix, &inventory) { try copyChildren(of: source, to: destination, relative: "", &$0) }
        try Self.setAttributes(destination, st, isLink: false)
    }

    /// Copies the single entry `source` as `destination` (its name is matched against the excludes),
    /// recorded in `inventory` as `prefix` + its name.
    public func copyEntry(_ source: String, to destination: String, recording inventory: inout CaptureInventory,
                          as prefix: String) throws {
        let name = (source as NSString).lastPathComponent
        var st = stat()
        guard PathBytes.withCString(source, { lstat($0, &st) }) == 0 else { throw RunError("capture: cannot read \(PathBytes.display(source)): \(Self.errorText())") }
        if exclude.excludes(name, isDirectory: Self.isDirectory(st)) { return }
        try Walk.run(prefix, &inventory) { try copy(source, st, to: destination, relative: name, &$0) }
    }

    /// The inventory being filled and the prefix of its paths.
    private struct Walk {
        var prefix: String
        var inventory = CaptureInventory()

        /// Runs `body` with `inventory` moved in (swapped, so adding to it never copies the dictionary).
        static func run(_ prefix: String, _ inventory: inout CaptureInventory, _ body: (inout Walk) throws -> Void) throws {
            var walk = Walk(prefix: prefix)
            swap(&walk.inventory, &inventory)
            defer { swap(&walk.inventory, &inventory) }
            try body(&walk)
        }
    }

    private func copyChildren(of source: String, to destination: String, relative: String, _ walk: inout Walk) throws {
        for name in try Self.names(in: source) {
            try cancellation.check()
            let path = source + "/" + name, rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard PathBytes.withCString(path, { lstat($0, &st) }) == 0 else {
                onVanished(path)
                continue
            }
            if exclude.excludes(rel, isDirectory: Self.isDirectory(st)) { continue }
            try copy(path, st, to: destination + "/" + name, relative: rel, &walk)
        }
    }

    private func copy(_ path: String, _ st: stat, to dest: String, relative: String, _ walk: inout Walk) throws {
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            try makeDirectory(dest)
            try copyChildren(of: path, to: dest, relative: relative, &walk)
            try Self.setAttributes(dest, st, isLink: false)
        case S_IFREG:
            if let previous = link(relative, st, to: dest) {
                walk.inventory.files[walk.prefix + relative] = .init(bytes: Int64(previous.st_size), linkedTo: FileIdentity(previous))
                onFile(Int64(previous.st_size))
            } else if let bytes = try TreeCopierFile.copy(path, st, to: dest) {
                walk.inventory.files[walk.prefix + relative] = .init(bytes: bytes)
                onFile(bytes)
            } else {
                onVanished(path)
            }
        case S_IFLNK:
            onSkippedLink(path)
        default:
            return
        }
    }

    /// Hard-links `dest` to the previous copy of `relative` when it is unchanged and returns that copy's
    /// status; nil when it is not linked.
    private func link(_ relative: String, _ st: stat, to dest: String) -> stat? {
        guard let linkDest else { return nil }
        let previous = linkDest + "/" + relative
        var old = stat()
        guard PathBytes.withCString(previous, { lstat($0, &old) }) == 0, old.st_mode == st.st_mode, old.st_size == st.st_size,
              old.st_mtim.tv_sec == st.st_mtim.tv_sec, old.st_uid == st.st_uid, old.st_gid == st.st_gid
        else { return nil }
        let linked = PathBytes.withCString(previous) { from in PathBytes.withCString(dest) { Foundation.link(from, $0) } }
        return linked == 0 ? old : nil
    }

    private func makeDirectory(_ path: String) throws {
        if PathBytes.withCString(path, { mkdir($0, 0o700) }) != 0 && errno != EEXIST {
            throw RunError("capture: cannot create \(PathBytes.display(path)): \(Self.errorText())")
        }
    }

    /// Mode, owner (as root) and mtime of `path` from `st`.
    static func setAttributes(_ path: String, _ st: stat, isLink: Bool) throws {
        PathBytes.withCString(path) { path in
            if geteuid() == 0 { lchown(path, st.st_uid, st.st_gid) }
            if !isLink { chmod(path, st.st_mode & 0o7777) }
            var times = [st.st_atim, st.st_mtim]
            utimensat(AT_FDCWD, path, &times, isLink ? AT_SYMLINK_NOFOLLOW : 0)
        }
    }

    static func isDirectory(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFDIR }

    /// The names in folder `path`, sorted by bytes (`DirectoryListing`).
    static func names(in path: String) throws -> [String] {
        guard let names = DirectoryListing.names(in: path) else {
            throw RunError("capture: cannot read \(PathBytes.display(path)): \(errorText())")
        }
        return names
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
