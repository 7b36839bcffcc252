import BackplanCore
import Foundation

/// Copies a folder tree like `rsync -a --link-dest=PREVIOUS`, without a process per file: each regular
/// file whose previous copy (same relative path under `linkDest`) has the same size, mtime (seconds),
/// mode and owner is hard-linked to it; every other file is copied (`copy_file_range(2)`, else
/// read/write) keeping mode, mtime and, as root, owner. Folders are recreated; symlinks and other kinds
/// (sockets, fifos, devices) are skipped. Each regular file written is recorded in a `CaptureInventory`
/// (size, and the previous inode when linked), so the manifest and verify need not walk the trees again.
///
/// The walk holds a descriptor of each folder on its way down, in the source, the copy and the previous
/// snapshot, and names every entry relative to them (`fstatat`, `linkat`, `openat`, `mkdirat`): an
/// unchanged file costs two `fstatat`s and one `linkat` of one name each, never a walk of its whole path.
/// The entries of the tree's top folder are shared among up to two threads (`TreeCopier.threads`), each
/// taking the next entry (a file, or a whole subfolder) when it is done with its last. Apart from the
/// record, memory stays flat: one folder's names at a time per thread.
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
    /// Called with the size of each regular file linked or copied (the progress line); from either thread.
    public var onFile: @Sendable (Int64) -> Void = { _ in }

    /// Threads sharing a tree: two (the machines this runs on have few cores; linking is mostly the
    /// kernel's work, which two threads do side by side in different folders), one on a single core.
    static let threads = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))

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
        let top = try Folder.open(source: source, destination: destination, previous: linkDest)
        defer { top.close() }
        let names = try Self.names(top.source, source)
        let shared = SharedWalk(count: names.count)
        let workers = min(Self.threads, max(1, names.count))
        let walks = (0..<workers).map { _ in WalkBox(Walk(prefix: prefix)) }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let box = walks[worker], start = Self.now()
            defer { box.walk.times.busySeconds += Self.now() - start }
            while let index = shared.next() {
                do { try copyChild(names[index], in: top, relative: "", &box.walk) } catch {
                    shared.fail(error)
                    return
                }
            }
        }
        if let error = shared.error { throw error }
        for box in walks { inventory.add(box.walk) }
        Self.setAttributes(top.destination, st)
    }

    /// Copies the single entry `source` as `destination` (its name is matched against the excludes),
    /// recorded in `inventory` as `prefix` + its name.
    public func copyEntry(_ source: String, to destination: String, recording inventory: inout CaptureInventory,
                          as prefix: String) throws {
        let name = (source as NSString).lastPathComponent
        var st = stat()
        guard PathBytes.withCString(source, { lstat($0, &st) }) == 0 else { throw RunError("capture: cannot read \(PathBytes.display(source)): \(Self.errorText())") }
        if exclude.excludes(name, isDirectory: Self.isDirectory(st)) { return }
        guard (destination as NSString).lastPathComponent == name else { throw RunError("capture: \(destination) is not named \(name)") }
        let folder = try Folder.open(source: (source as NSString).deletingLastPathComponent,
                                     destination: (destination as NSString).deletingLastPathComponent, previous: linkDest)
        defer { folder.close() }
        var walk = Walk(prefix: prefix)
        let start = Self.now()
        try copy(name, st, in: folder, relative: name, &walk)
        walk.times.busySeconds += Self.now() - start
        inventory.add(walk)
    }

    /// Three open folders: the source, its copy and (when there is one) the same folder of the previous
    /// snapshot, with their paths for messages.
    struct Folder {
        var source: Int32
        var destination: Int32
        var previous: Int32
        var paths: (source: String, destination: String)

        /// Opens the folders at these paths (the previous one may be missing: -1).
        static func open(source: String, destination: String, previous: String?) throws -> Folder {
            let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
            let src = PathBytes.withCString(source) { Glibc.open($0, flags) }
            guard src >= 0 else { throw RunError("capture: cannot read \(PathBytes.display(source)): \(TreeCopier.errorText())") }
            let dest = PathBytes.withCString(destination) { Glibc.open($0, flags) }
            guard dest >= 0 else {
                Glibc.close(src)
                throw RunError("capture: cannot open \(PathBytes.display(destination)): \(TreeCopier.errorText())")
            }
            let prev = previous.map { path in PathBytes.withCString(path) { Glibc.open($0, flags) } } ?? -1
            return Folder(source: src, destination: dest, previous: prev, paths: (source, destination))
        }

        /// The subfolder `name` of each (the copy's already made); nil when the source's is gone.
        func child(_ name: String) throws -> Folder? {
            let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let src = PathBytes.withCString(name) { openat(source, $0, flags) }
            guard src >= 0 else {
                if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { return nil }
                throw RunError("capture: cannot read \(PathBytes.display(paths.source + "/" + name)): \(TreeCopier.errorText())")
            }
            let dest = PathBytes.withCString(name) { openat(destination, $0, flags) }
            guard dest >= 0 else {
                Glibc.close(src)
                throw RunError("capture: cannot open \(PathBytes.display(paths.destination + "/" + name)): \(TreeCopier.errorText())")
            }
            let prev = previous < 0 ? -1 : PathBytes.withCString(name) { openat(previous, $0, flags) }
            return Folder(source: src, destination: dest, previous: prev,
                          paths: (paths.source + "/" + name, paths.destination + "/" + name))
        }

        func close() {
            Glibc.close(source)
            Glibc.close(destination)
            if previous >= 0 { Glibc.close(previous) }
        }
    }

    /// One thread's record of the files it wrote, and what linking and copying took.
    struct Walk {
        var prefix: String
        var files: [(String, CaptureInventory.File)] = []
        var times = CaptureInventory.Times()
    }

    /// A thread's `Walk`, each used by one thread only.
    final class WalkBox: @unchecked Sendable {
        var walk: Walk
        init(_ walk: Walk) { self.walk = walk }
    }

    /// The top folder's entries handed out one at a time to the threads, and the first failure.
    final class SharedWalk: @unchecked Sendable {
        private let lock = NSLock()
        private let count: Int
        private var taken = 0
        private(set) var error: Error?

        init(count: Int) { self.count = count }

        /// The next entry to copy, or nil when every entry is taken or a thread failed.
        func next() -> Int? {
            lock.withLock {
                guard error == nil, taken < count else { return nil }
                taken += 1
                return taken - 1
            }
        }

        func fail(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }
    }

    private func copyChildren(of folder: Folder, relative: String, _ walk: inout Walk) throws {
        for name in try Self.names(folder.source, folder.paths.source) {
            try copyChild(name, in: folder, relative: relative, &walk)
        }
    }

    private func copyChild(_ name: String, in folder: Folder, relative: String, _ walk: inout Walk) throws {
        try cancellation.check()
        let rel = relative.isEmpty ? name : relative + "/" + name
        var st = stat()
        guard PathBytes.withCString(name, { fstatat(folder.source, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            onVanished(folder.paths.source + "/" + name)
            return
        }
        if exclude.excludes(rel, isDirectory: Self.isDirectory(st)) { return }
        try copy(name, st, in: folder, relative: rel, &walk)
    }

    private func copy(_ name: String, _ st: stat, in folder: Folder, relative: String, _ walk: inout Walk) throws {
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            guard PathBytes.withCString(name, { mkdirat(folder.destination, $0, 0o700) }) == 0 || errno == EEXIST else {
                throw RunError("capture: cannot create \(PathBytes.display(folder.paths.destination + "/" + name)): \(Self.errorText())")
            }
            guard let child = try folder.child(name) else {
                onVanished(folder.paths.source + "/" + name)
                return
            }
            defer { child.close() }
            try copyChildren(of: child, relative: relative, &walk)
            Self.setAttributes(child.destination, st)
        case S_IFREG:
            let start = Self.now()
            if let previous = link(name, st, in: folder) {
                walk.files.append((walk.prefix + relative, .init(bytes: Int64(previous.st_size), linkedTo: FileIdentity(previous))))
                walk.times.linked += 1
                walk.times.linkSeconds += Self.now() - start
                onFile(Int64(previous.st_size))
            } else if let bytes = try TreeCopierFile.copy(name, st, from: folder.source, to: folder.destination,
                                                          paths: folder.paths) {
                walk.files.append((walk.prefix + relative, .init(bytes: bytes)))
                walk.times.copied += 1
                walk.times.copySeconds += Self.now() - start
                onFile(bytes)
            } else {
                onVanished(folder.paths.source + "/" + name)
            }
        case S_IFLNK:
            onSkippedLink(folder.paths.source + "/" + name)
        default:
            return
        }
    }

    /// Hard-links `name` in the copy to the previous snapshot's `name` when it is unchanged and returns that
    /// copy's status; nil when it is not linked.
    private func link(_ name: String, _ st: stat, in folder: Folder) -> stat? {
        guard folder.previous >= 0 else { return nil }
        var old = stat()
        return PathBytes.withCString(name) { name in
            guard fstatat(folder.previous, name, &old, AT_SYMLINK_NOFOLLOW) == 0, old.st_mode == st.st_mode,
                  old.st_size == st.st_size, old.st_mtim.tv_sec == st.st_mtim.tv_sec, old.st_uid == st.st_uid,
                  old.st_gid == st.st_gid
            else { return nil }
            return linkat(folder.previous, name, folder.destination, name, 0) == 0 ? old : nil
        }
    }

    private func makeDirectory(_ path: String) throws {
        if PathBytes.withCString(path, { mkdir($0, 0o700) }) != 0 && errno != EEXIST {
            throw RunError("capture: cannot create \(PathBytes.display(path)): \(Self.errorText())")
        }
    }

    /// Mode, owner (as root) and mtime of the open folder `fd` from `st`.
    static func setAttributes(_ fd: Int32, _ st: stat) {
        if geteuid() == 0 { fchown(fd, st.st_uid, st.st_gid) }
        fchmod(fd, st.st_mode & 0o7777)
        var times = [st.st_atim, st.st_mtim]
        futimens(fd, &times)
    }

    static func isDirectory(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFDIR }

    /// The names in the open folder `fd` (at `path`, for messages), unsorted (`DirectoryListing`).
    static func names(_ fd: Int32, _ path: String) throws -> [String] {
        guard let names = DirectoryListing.names(at: fd) else {
            throw RunError("capture: cannot read \(PathBytes.display(path)): \(errorText())")
        }
        return names
    }

    /// A monotonic clock in seconds (the vDSO's: no system call).
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
